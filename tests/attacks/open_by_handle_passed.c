// open_by_handle_passed: open_by_handle_at with a file handle the runner obtained before
// confinement (as a leaked handle would be) for a secret outside every allowed path, then read it.
// The handle is argv[1], "TYPE:HEX"; `open_by_handle_passed --make PATH` prints one (run by the
// runner, unconfined).
// Stopped by: seccomp (std.hardening kills open_by_handle_at; Landlock cannot see this open).
#include "attack.h"

int main(int argc, char** argv) {
  struct file_handle* h = malloc(sizeof *h + MAX_HANDLE_SZ);
  if (!h) untestable("out of memory");
  if (argc == 3 && strcmp(argv[1], "--make") == 0) {
    h->handle_bytes = MAX_HANDLE_SZ;
    int mount_id = 0;
    if (name_to_handle_at(AT_FDCWD, argv[2], h, &mount_id, 0) != 0) {
      fprintf(stderr, "name_to_handle_at %s: %s\n", argv[2], errname(errno));
      return 2;
    }
    printf("%d:", h->handle_type);
    for (unsigned i = 0; i < h->handle_bytes; i++) printf("%02x", h->f_handle[i]);
    printf("\n");
    return 0;
  }
  if (argc != 2) fail_usage(argv[0], "TYPE:HEX | --make PATH");
  char* hex = strchr(argv[1], ':');
  if (!hex) fail_usage(argv[0], "TYPE:HEX | --make PATH");
  h->handle_type = atoi(argv[1]);
  hex++;
  size_t len = strlen(hex) / 2;
  if (len == 0 || len > MAX_HANDLE_SZ) fail_usage(argv[0], "TYPE:HEX (bad length)");
  h->handle_bytes = (unsigned)len;
  for (size_t i = 0; i < len; i++) {
    unsigned byte = 0;
    if (sscanf(hex + 2 * i, "%2x", &byte) != 1) fail_usage(argv[0], "TYPE:HEX (bad hex)");
    h->f_handle[i] = (unsigned char)byte;
  }
  char buf[64];
  open_by_handle_and_read(h, "open_by_handle_at with the passed handle", buf, sizeof buf);
  succeeded("opened the passed handle and read \"%s\"", buf);
}
