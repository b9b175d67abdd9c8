// open_by_handle_at: the "shocker" escape. name_to_handle_at on a secret outside every allowed path
// (argv[1]; Landlock does not check it, it only looks the name up), then open_by_handle_at, which
// opens the file by handle without walking any path Landlock could check, and read it.
// Stopped by: seccomp (std.hardening answers name_to_handle_at with EPERM and kills
// open_by_handle_at; open_by_handle_passed tries a handle obtained outside the sandbox).
#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "SECRET");
  struct file_handle* h = malloc(sizeof *h + MAX_HANDLE_SZ);
  if (!h) untestable("out of memory");
  h->handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, argv[1], h, &mount_id, 0) != 0) blocked_errno("name_to_handle_at", errno);
  char buf[64];
  open_by_handle_and_read(h, "open_by_handle_at", buf, sizeof buf);
  succeeded("opened %s by handle and read \"%s\"", argv[1], buf);
}
