/* The workload of bench/learn_recording.cpp: N raw getppid calls (argv[1]), nothing else but the
 * startup of a small C program. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  for (long n = argc > 1 ? atol(argv[1]) : 0; n > 0; --n) syscall(SYS_getppid);
  return 0;
}
