// exec_dropped_via_loader: drop a native binary into the workspace (a copy of /usr/bin/echo at
// argv[1]) and run it through the dynamic loader, which python_agent lets the payload execute:
// execve("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", {ld.so, DROPPED}). Landlock checks
// `execute` only on the file passed to execve (the loader); the loader then maps the dropped file
// with PROT_EXEC, which Landlock does not check. This is how run_attacks.sh starts every attack.
// Stopped by: nothing under python_agent (expected to escape; see README.md): granting the loader
// `execute`, or any interpreter that can map code (Python's ctypes), makes dropped native code
// runnable; closing it needs a noexec workspace mount and a write-xor-execute memory rule.
#include "attack.h"

#define LOADER "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DEST");
  drop_copy("/usr/bin/echo", argv[1], 0644);
  char* args[] = {LOADER, argv[1],
                  "SUCCEEDED: ran a binary dropped into the workspace (not executable) through the loader", NULL};
  fflush(stdout);
  execve(LOADER, args, environ);
  int err = errno;
  unlink(argv[1]);
  blocked_errno("execve of the loader with the dropped binary", err);
}
