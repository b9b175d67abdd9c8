// attack.h: result reporting shared by the escape attempts in tests/attacks/, and the few setup
// steps that more than one attack repeats.
//
// Every attack performs one real escape attempt and ends through exactly one of these calls, which
// print one line that run_attacks.sh copies into its table and exit with the status it asserts on:
//   succeeded()  exit 0   the escape worked; the line says what it achieved
//   blocked()    exit 1   the attempt was refused; the line says how (errno, signal, ...)
//   untestable() exit 77  this machine cannot attempt it at all (no kernel support, ...)
// Being killed by a signal (seccomp's kill action sends SIGSYS) also counts as blocked: the runner
// sees the signal in the exit status.
#ifndef POLC_TESTS_ATTACKS_ATTACK_H
#define POLC_TESTS_ATTACKS_ATTACK_H

// Built with -D_GNU_SOURCE (CMakeLists.txt): the attacks use Linux and glibc extensions.
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum { ATTACK_SUCCEEDED = 0, ATTACK_BLOCKED = 1, ATTACK_UNTESTABLE = 77 };

static inline void attack_vreport(const char* verdict, int status, const char* fmt, va_list ap)
    __attribute__((noreturn));
static inline void attack_vreport(const char* verdict, int status, const char* fmt, va_list ap) {
  fputs(verdict, stdout);
  fputs(": ", stdout);
  vfprintf(stdout, fmt, ap);
  fputc('\n', stdout);
  fflush(stdout);
  _exit(status);
}

static inline void succeeded(const char* fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static inline void succeeded(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  attack_vreport("SUCCEEDED", ATTACK_SUCCEEDED, fmt, ap);
}

static inline void blocked(const char* fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static inline void blocked(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  attack_vreport("BLOCKED", ATTACK_BLOCKED, fmt, ap);
}

static inline void untestable(const char* fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static inline void untestable(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  attack_vreport("UNTESTABLE", ATTACK_UNTESTABLE, fmt, ap);
}

// "EPERM (Operation not permitted)" for an errno value; the static buffer is reused by each call.
static inline const char* errname(int err) {
  static char buf[96];
  const char* name = strerrorname_np(err);
  snprintf(buf, sizeof buf, "%s (%s)", name ? name : "?", strerror(err));
  return buf;
}

// blocked_errno("connect 127.0.0.1:9090", errno): the common way an attempt ends.
static inline void blocked_errno(const char* what, int err) __attribute__((noreturn));
static inline void blocked_errno(const char* what, int err) { blocked("%s: %s", what, errname(err)); }

// Wrong arguments are a bug in the runner, not a verdict: exit 2, which the runner reports as an error.
static inline void fail_usage(const char* argv0, const char* usage) __attribute__((noreturn));
static inline void fail_usage(const char* argv0, const char* usage) {
  fprintf(stderr, "usage: %s %s\n", argv0, usage);
  _exit(2);
}

// Describes how a child ended, for attacks that make the attempt in a forked child (so the parent
// can report a seccomp kill as "blocked" with the signal's name).
static inline const char* wait_status_text(int status) {
  static char buf[64];
  if (WIFEXITED(status)) snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
  else snprintf(buf, sizeof buf, "status 0x%x", status);
  return buf;
}

// fork() for attacks: the child is killed when the attack process dies (a seccomp kill of the
// parent must not leave it running) and after 20 seconds in any case.
static inline pid_t attack_fork(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    alarm(20);
  }
  return pid;
}

// Runs fn in a forked child, which must end through succeeded()/blocked()/untestable(), and ends the
// parent the same way: a child killed by a signal (seccomp's kill action) is reported as blocked.
// For attempts that need a fresh process (setsid) or that the kernel may answer with a signal.
static inline void attack_in_child(void (*fn)(void*), void* arg, const char* what) __attribute__((noreturn));
static inline void attack_in_child(void (*fn)(void*), void* arg, const char* what) {
  pid_t pid = attack_fork();
  if (pid < 0) untestable("fork: %s", errname(errno));
  if (pid == 0) {
    fn(arg);
    _exit(3);  // fn must not return
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) untestable("waitpid: %s", errname(errno));
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  blocked("%s: the child was %s", what, wait_status_text(status));
}

// Drops a copy of `from` at `to` (created with `mode`), as a payload saving a downloaded tool would.
static inline void drop_copy(const char* from, const char* to, mode_t mode) {
  int src = open(from, O_RDONLY | O_CLOEXEC);
  if (src < 0) untestable("open %s: %s", from, errname(errno));
  unlink(to);
  int dst = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (dst < 0) untestable("create %s: %s", to, errname(errno));
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof buf)) > 0)
    if (write(dst, buf, (size_t)n) != n) untestable("copy: %s", errname(errno));
  close(dst);
  close(src);
}

// A unix stream socket connected to addr; ECONNREFUSED (nobody listens) is untestable, else blocked.
static inline int connect_unix(const struct sockaddr_un* addr, socklen_t addr_len, const char* what) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) blocked_errno("socket(AF_UNIX)", errno);
  if (connect(fd, (const struct sockaddr*)addr, addr_len) != 0) {
    if (errno == ECONNREFUSED) untestable("%s: %s: nothing listens there", what, errname(errno));
    blocked_errno(what, errno);
  }
  return fd;
}

// The numeric HOST PORT in argv[1] argv[2] as an address for a `socktype` socket, else a usage error.
static inline struct addrinfo* numeric_address(char** argv, int socktype) {
  struct addrinfo hints, *ai = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = socktype;
  int rc = getaddrinfo(argv[1], argv[2], &hints, &ai);
  if (rc != 0) fail_usage(argv[0], gai_strerror(rc));
  return ai;
}

// Opens handle h with open_by_handle_at and reads the file's first line into buf, or blocked.
static inline void open_by_handle_and_read(struct file_handle* h, const char* what, char* buf, size_t size) {
  // Any directory on the same filesystem serves as mount_fd (an O_PATH descriptor does not):
  // /usr is readable under the policy and is on the root filesystem here.
  int mount_fd = open("/usr", O_RDONLY | O_DIRECTORY);
  if (mount_fd < 0) untestable("open /usr: %s", errname(errno));
  int fd = open_by_handle_at(mount_fd, h, O_RDONLY);
  if (fd < 0) blocked_errno(what, errno);
  memset(buf, 0, size);
  ssize_t n = read(fd, buf, size - 1);
  if (n < 0) blocked_errno("read through the handle", errno);
  buf[strcspn(buf, "\n")] = 0;
}

#endif  // POLC_TESTS_ATTACKS_ATTACK_H
