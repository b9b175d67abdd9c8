/* The workload of the recorder's kernel tests (tests/record): each argument pair or triple is one
 * step, run in order, so that a test says exactly which calls it expects:
 *   getppid N          N raw getppid calls          exit N           exit with status N
 *   read PATH          open O_RDONLY, close         write PATH       open O_WRONLY|O_CREAT, write, close
 *   mkdir PATH         unlink PATH                  rename OLD NEW   exec PATH (execv, no arguments)
 *   socket             socket(AF_INET, SOCK_STREAM, 0), close
 *   connect PORT       TCP connect to 127.0.0.1:PORT
 *   dns ADDR NAME      a DNS query for NAME to ADDR:53 over UDP (connect + send; no answer awaited)
 *   dnsto ADDR NAME    the same with sendto and a destination, on an unconnected socket
 *   dnsmmsg ADDR NAME  the same as glibc's resolver does it: connect, then sendmmsg of two queries
 *   fork N             N children, each exits at once; all waited for
 *   orphan FILE        a grandchild that sleeps for ever, its PID written to FILE
 *   sleep SECONDS      nanosleep
 *   getuid             one getuid call; when it fails, exit with its errno as the status
 *   badpointer         openat with a pointer into unmapped memory (fails with EFAULT)
 *   thread             a thread that reads /dev/null, joined
 *   int80              getpid through int 0x80 (the i386 ABI); exit 3 where that ABI is off
 *   cd DIR             chdir
 *   undumpable         prctl(PR_SET_DUMPABLE, 0): its memory and /proc entries closed to non-root
 *   refused PATH       open O_RDONLY; exit 9 when it succeeds
 *   stealfds           pidfd_getfd of descriptors 3..63 of its parent; exit 4 when one succeeds
 *   badconnect         TCP connect on a descriptor that is not open; exit 2 unless it fails EBADF
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum dns_mode { DNS_SEND, DNS_SENDTO, DNS_SENDMMSG };

static int dns_query(const char* address, const char* name, enum dns_mode mode) {
  unsigned char packet[512] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  size_t n = 12;
  const char* label = name;
  while (*label) {
    const char* dot = strchr(label, '.');
    size_t len = dot ? (size_t)(dot - label) : strlen(label);
    packet[n++] = (unsigned char)len;
    memcpy(packet + n, label, len);
    n += len;
    label += len + (dot ? 1 : 0);
  }
  packet[n++] = 0;
  packet[n++] = 0, packet[n++] = 1;  /* A */
  packet[n++] = 0, packet[n++] = 1;  /* IN */
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(53)};
  inet_pton(AF_INET, address, &to.sin_addr);
  if (mode == DNS_SENDTO) {
    if (sendto(s, packet, n, 0, (struct sockaddr*)&to, sizeof to) != (ssize_t)n) return 1;
  } else {
    if (connect(s, (struct sockaddr*)&to, sizeof to) != 0) return 1;
    if (mode == DNS_SEND && send(s, packet, n, 0) != (ssize_t)n) return 1;
    if (mode == DNS_SENDMMSG) {
      unsigned char aaaa[512];
      memcpy(aaaa, packet, n);
      aaaa[n - 3] = 28; /* AAAA */
      struct iovec iov[2] = {{packet, n}, {aaaa, n}};
      struct mmsghdr messages[2];
      memset(messages, 0, sizeof messages);
      messages[0].msg_hdr.msg_iov = &iov[0], messages[0].msg_hdr.msg_iovlen = 1;
      messages[1].msg_hdr.msg_iov = &iov[1], messages[1].msg_hdr.msg_iovlen = 1;
      /* The second may fail: the port is closed, and the first one's ICMP error comes back. */
      if (sendmmsg(s, messages, 2, 0) < 1) return 1;
    }
  }
  close(s);
  return 0;
}

static void* read_null(void* unused) {
  (void)unused;
  int fd = open("/dev/null", O_RDONLY);
  if (fd >= 0) close(fd);
  return NULL;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* step = argv[i];
    const char* arg = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(step, "getppid")) {
      for (long k = atol(arg); k > 0; --k) syscall(SYS_getppid);
      ++i;
    } else if (!strcmp(step, "exit")) {
      return atoi(arg);
    } else if (!strcmp(step, "read")) {
      int fd = open(arg, O_RDONLY);
      if (fd >= 0) close(fd);
      ++i;
    } else if (!strcmp(step, "write")) {
      int fd = open(arg, O_WRONLY | O_CREAT, 0600);
      if (fd < 0 || write(fd, "x", 1) != 1) return 2;
      close(fd);
      ++i;
    } else if (!strcmp(step, "mkdir")) {
      if (mkdir(arg, 0700) != 0) return 2;
      ++i;
    } else if (!strcmp(step, "unlink")) {
      if (unlink(arg) != 0) return 2;
      ++i;
    } else if (!strcmp(step, "rename")) {
      if (i + 2 >= argc || rename(argv[i + 1], argv[i + 2]) != 0) return 2;
      i += 2;
    } else if (!strcmp(step, "exec")) {
      char* const args[] = {(char*)arg, NULL};
      execv(arg, args);
      return 2;
    } else if (!strcmp(step, "socket")) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      if (s < 0) return 2;
      close(s);
    } else if (!strcmp(step, "connect")) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(arg))};
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(s, (struct sockaddr*)&to, sizeof to) != 0) return 2;
      close(s);
      ++i;
    } else if (!strcmp(step, "dns") || !strcmp(step, "dnsto") || !strcmp(step, "dnsmmsg")) {
      enum dns_mode mode = !strcmp(step, "dns") ? DNS_SEND : !strcmp(step, "dnsto") ? DNS_SENDTO : DNS_SENDMMSG;
      if (i + 2 >= argc || dns_query(argv[i + 1], argv[i + 2], mode) != 0) return 2;
      i += 2;
    } else if (!strcmp(step, "fork")) {
      long n = atol(arg);
      for (long k = 0; k < n; ++k) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid < 0) return 2;
      }
      while (wait(NULL) > 0) {
      }
      ++i;
    } else if (!strcmp(step, "orphan")) {
      pid_t child = fork();
      if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
          for (;;) pause();
        }
        FILE* f = fopen(arg, "w");
        fprintf(f, "%d\n", grandchild);
        fclose(f);
        _exit(0);
      }
      waitpid(child, NULL, 0);
      ++i;
    } else if (!strcmp(step, "sleep")) {
      struct timespec t = {atol(arg), 0};
      nanosleep(&t, NULL);
      ++i;
    } else if (!strcmp(step, "getuid")) {
      errno = 0;
      long uid = syscall(SYS_getuid);
      if (uid < 0) return errno;
    } else if (!strcmp(step, "badpointer")) {
      if (syscall(SYS_openat, AT_FDCWD, (const char*)16, O_RDONLY) != -1 || errno != EFAULT) return 2;
    } else if (!strcmp(step, "thread")) {
      pthread_t thread;
      if (pthread_create(&thread, NULL, read_null, NULL) != 0 || pthread_join(thread, NULL) != 0) return 2;
    } else if (!strcmp(step, "int80")) {
      long result = 20; /* __NR_getpid on i386 */
      __asm__ volatile("int $0x80" : "+a"(result) : : "memory");
      if (result <= 0) return 3;
    } else if (!strcmp(step, "cd")) {
      if (chdir(arg) != 0) return 2;
      ++i;
    } else if (!strcmp(step, "undumpable")) {
      if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return 2;
    } else if (!strcmp(step, "refused")) {
      int fd = open(arg, O_RDONLY);
      if (fd >= 0) return 9;
      ++i;
    } else if (!strcmp(step, "badconnect")) {
      struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(1000, (struct sockaddr*)&to, sizeof to) == 0 || errno != EBADF) return 2;
    } else if (!strcmp(step, "stealfds")) {
      int parent = (int)syscall(SYS_pidfd_open, getppid(), 0);
      if (parent < 0) return 2;
      for (int fd = 3; fd < 64; ++fd)
        if (syscall(SYS_pidfd_getfd, parent, fd, 0) >= 0) return 4;
    } else {
      fprintf(stderr, "unknown step %s\n", step);
      return 64;
    }
  }
  return 0;
}
