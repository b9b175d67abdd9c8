/* The workload of bench/learn_recording.cpp. `calls N`: N raw getppid calls, one distinct event
 * however many. `paths N`: N opens of distinct missing paths, N distinct events (the recording's
 * worst case for memory). Nothing else but the startup of a small C program. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const long n = atol(argv[2]);
  if (strcmp(argv[1], "calls") == 0) {
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
  } else {
    char path[64];
    for (long i = 0; i < n; ++i) {
      snprintf(path, sizeof path, "/nonexistent-polc-bench/%ld", i);
      open(path, O_RDONLY);
    }
  }
  return 0;
}
