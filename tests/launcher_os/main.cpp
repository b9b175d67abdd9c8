// The OS layer's tests (launcher/os, docs/backends/os.md): os.json parsing (launcher_os.json) and,
// on the real kernel as root, the mounts and workspaces (launcher_os.kernel). With --kernel and
// not root, the program exits 77 (CTest: skipped).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool kernel = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--kernel") == 0) kernel = true;
    else args.push_back(argv[i]);
  }
  if (kernel && geteuid() != 0) {
    std::puts("skipped: mounts and overlays need root");
    return 77;
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}
