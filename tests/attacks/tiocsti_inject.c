// tiocsti_inject: push "id\n" into the input queue of a terminal with TIOCSTI. On the agent's real
// terminal the user's shell would run it after the sandbox exits. The attack opens its own
// pseudo-terminal (in a new session, so it becomes the controlling terminal) and checks that the
// injected line is read back from it.
// Stopped by: Landlock (/dev/ptmx is outside every allowed path) and seccomp (std.hardening kills
// ioctl TIOCSTI; the attack still makes the call on descriptor 0 when it cannot open a pty).
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "attack.h"

static void attempt(void* unused) {
  (void)unused;
  if (setsid() < 0) untestable("setsid: %s", errname(errno));
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) {
    int err = errno;
    char c = 'x';
    if (ioctl(0, TIOCSTI, &c) != 0) blocked("open /dev/ptmx: %s; ioctl(0, TIOCSTI): %s", strerror(err), errname(errno));
    blocked_errno("open /dev/ptmx", err);
  }
  // Any refusal on the way to the slave is the sandbox's (grantpt and ptsname need ioctls the
  // policy does not allow): report it, after making the TIOCSTI call on the master anyway.
  const char* step = "grantpt/unlockpt";
  const char* name = NULL;
  int slave = -1;
  if (grantpt(master) == 0 && unlockpt(master) == 0) {
    step = "ptsname";
    name = ptsname(master);
    if (name) {
      step = "open the pty's slave";
      slave = open(name, O_RDWR);  // no O_NOCTTY: becomes our controlling terminal
    }
  }
  if (slave < 0) {
    int err = errno;
    char c = 'x';
    if (ioctl(master, TIOCSTI, &c) == 0)
      succeeded("%s: %s, but TIOCSTI on the master was accepted", step, strerror(err));
    blocked("%s: %s; ioctl(master, TIOCSTI): %s", step, strerror(err), errname(errno));
  }
  const char* line = "id\n";
  for (const char* p = line; *p; p++)
    if (ioctl(slave, TIOCSTI, p) != 0) blocked_errno("ioctl(TIOCSTI)", errno);
  struct pollfd pfd = {slave, POLLIN, 0};
  if (poll(&pfd, 1, 2000) != 1) blocked("TIOCSTI returned 0 but nothing arrived on the terminal");
  char got[16] = {0};
  ssize_t n = read(slave, got, sizeof got - 1);
  if (n == 3 && memcmp(got, "id\n", 3) == 0) succeeded("injected \"id\\n\" into %s's input queue with TIOCSTI", name);
  blocked("TIOCSTI returned 0 but the terminal read back %zd other bytes", n);
}

int main(void) { attack_in_child(attempt, NULL, "TIOCSTI"); }
