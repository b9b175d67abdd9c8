// read_secret: read a secret outside every readable path (argv[1], a runner-created file under
// /var/tmp standing in for ~/.ssh/id_ed25519 or cloud credentials).
// Stopped by: Landlock (read_file is granted only beneath the policy's read paths).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "SECRET");
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) blocked_errno("open the secret", errno);
  char buf[64] = {0};
  if (read(fd, buf, sizeof buf - 1) < 0) blocked_errno("read the secret", errno);
  buf[strcspn(buf, "\n")] = 0;
  succeeded("read \"%s\" from %s", buf, argv[1]);
}
