// attack.h: result reporting shared by the escape attempts in tests/attacks/.
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
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
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
static inline void blocked_errno(const char* what, int err) {
  blocked("%s: %s", what, errname(err));
}

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
  if (WIFEXITED(status))
    snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
  else
    snprintf(buf, sizeof buf, "status 0x%x", status);
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
static inline void attack_in_child(void (*fn)(void*), void* arg, const char* what)
    __attribute__((noreturn));
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

#endif  // POLC_TESTS_ATTACKS_ATTACK_H
