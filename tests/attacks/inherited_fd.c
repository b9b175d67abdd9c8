// inherited_fd: read a secret and write a file outside every grant through descriptors the caller
// happened to hold open when it started the sandbox (argv[1] open for reading, argv[2] for
// writing; run_attacks.sh opens the secret on 7 and a file under /var/tmp on 8 for this attack).
// Landlock checks opening, not the use of a descriptor that is already open.
// Stopped by: the launcher (every descriptor above 2 is closed on exec unless named with --keep-fd).
#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "READ_FD WRITE_FD");
  const int read_fd = atoi(argv[1]), write_fd = atoi(argv[2]);
  char buf[64] = {0};
  ssize_t n = read(read_fd, buf, sizeof buf - 1);
  const int read_err = n < 0 ? errno : 0;
  static const char mark[] = "written through an inherited descriptor\n";
  ssize_t w = write(write_fd, mark, sizeof mark - 1);
  const int write_err = w < 0 ? errno : 0;
  buf[strcspn(buf, "\n")] = 0;
  if (n > 0 && w > 0) succeeded("read \"%s\" from fd %d and wrote fd %d", buf, read_fd, write_fd);
  if (n > 0) succeeded("read \"%s\" from fd %d (write fd %d: %s)", buf, read_fd, write_fd, errname(write_err));
  if (w > 0) succeeded("wrote fd %d (read fd %d: %s)", write_fd, read_fd, errname(read_err));
  // errname() reuses one buffer: the two reasons are printed by two calls.
  char read_reason[96];
  snprintf(read_reason, sizeof read_reason, "%s", n == 0 ? "end of file" : errname(read_err));
  blocked("read fd %d: %s; write fd %d: %s", read_fd, read_reason, write_fd, errname(write_err));
}
