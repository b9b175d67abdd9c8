// Stage: launcher. Giving up the controlling terminal (see terminal.h).
#include "launcher/terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

[[noreturn]] void failed(const std::string& what) { throw Failure(ExitCode::ApplyFailed, "terminal: " + what); }

// Field 7 of /proc/self/stat, tty_nr: 0 when the process has no controlling terminal; -1 when it
// cannot be read.
long controlling_tty_number() {
  std::ifstream stat("/proc/self/stat");
  std::string text;
  if (!std::getline(stat, text)) return -1;
  // The command name (field 2) is in parentheses and may hold spaces: fields follow the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  long ppid = 0, pgrp = 0, session = 0, tty_nr = 0;
  if (!(rest >> state >> ppid >> pgrp >> session >> tty_nr)) return -1;
  return tty_nr;
}

// TIOCNOTTY on `fd` gives the terminal up when it is this process's controlling terminal (ENOTTY
// otherwise). A session leader doing it also sends SIGHUP and SIGCONT to the terminal's foreground
// process group, which may be its own: SIGHUP is ignored meanwhile, then restored.
void give_up(int fd) {
  struct sigaction ignore {
  }, saved{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGHUP, &ignore, &saved);
  ioctl(fd, TIOCNOTTY);
  sigaction(SIGHUP, &saved, nullptr);
}

}  // namespace

void detach_controlling_terminal() {
  // The controlling terminal may be on none of 0-2 (all redirected): /dev/tty names it wherever.
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0 && errno != ENXIO) tty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (tty >= 0) {
    give_up(tty);
    close(tty);
  }
  for (int fd = 0; fd <= 2; ++fd)
    if (isatty(fd)) give_up(fd);
  // Checked: /proc/self/stat says no terminal; without /proc, /dev/tty must name none (ENXIO).
  const long tty_nr = controlling_tty_number();
  if (tty_nr == 0) return;
  if (tty_nr < 0) {
    int again = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (again < 0 && errno == ENXIO) return;
    if (again >= 0) close(again);
  }
  failed("cannot give up the controlling terminal (ioctl TIOCNOTTY): the payload could push input into it");
}

}  // namespace polc::launcher
