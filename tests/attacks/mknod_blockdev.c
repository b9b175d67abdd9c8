// mknod_blockdev: create a block device node for the disk holding "/" in the workspace (argv[1])
// and read the raw disk through it, bypassing every file permission and path rule (an ext4
// superblock is recognised by its magic number). Removed again afterwards.
// Stopped by: Landlock (make_block is not granted anywhere; also CAP_MKNOD if not root).
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "NODE");
  struct stat root;
  if (stat("/", &root) != 0) untestable("stat /: %s", errname(errno));
  if (major(root.st_dev) == 0) untestable("/ is on an anonymous device %u:%u, no disk to open",
                                          major(root.st_dev), minor(root.st_dev));
  unlink(argv[1]);
  if (mknod(argv[1], S_IFBLK | 0600, root.st_dev) != 0) blocked_errno("mknod a block device", errno);
  int fd = open(argv[1], O_RDONLY);
  int err = errno;
  unlink(argv[1]);
  if (fd < 0) blocked("mknod succeeded, but open the node: %s", errname(err));
  unsigned char sb[2];
  if (pread(fd, sb, 2, 1024 + 0x38) != 2) blocked_errno("read the raw disk", errno);
  uint16_t magic = (uint16_t)(sb[0] | sb[1] << 8);
  succeeded("opened the raw disk %u:%u through a device node and read %s", major(root.st_dev),
            minor(root.st_dev), magic == 0xEF53 ? "its ext4 superblock magic" : "its first sectors");
}
