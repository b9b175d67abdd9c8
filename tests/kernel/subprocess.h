// Running helper programs (the polc binary) without a shell, and temporary directories.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace kernel_test {

struct Run {
  int status = -1;  // exit status, or -1 if the program did not exit normally
  std::string out;  // stdout
  std::string err;  // stderr
};

// A started program; collect() waits for it. Several can run at once (each writes only a few KB
// to its pipe, and collect() drains them in turn).
struct Spawned {
  pid_t pid = -1;
  int out_fd = -1;
  std::filesystem::path err_file;
};

// Starts argv (argv[0] is a path); its stderr goes to `err_file`.
Spawned spawn(const std::vector<std::string>& argv, const std::filesystem::path& err_file);
Run collect(const Spawned& s);
inline Run run(const std::vector<std::string>& argv, const std::filesystem::path& err_file) {
  return collect(spawn(argv, err_file));
}

std::string slurp(const std::filesystem::path& file);

}  // namespace kernel_test
