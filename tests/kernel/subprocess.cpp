// fork/exec plumbing for subprocess.h.
#include "tests/kernel/subprocess.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace kernel_test {

Spawned spawn(const std::vector<std::string>& argv, const fs::path& err_file) {
  Spawned s;
  s.err_file = err_file;
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return s;
  s.pid = fork();
  if (s.pid == 0) {
    const int err_fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err_fd < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  if (s.pid < 0) {
    close(out_pipe[0]);
    return s;
  }
  s.out_fd = out_pipe[0];
  return s;
}

Run collect(const Spawned& s) {
  Run r;
  if (s.pid < 0) return r;
  char buf[65536];
  ssize_t n;
  while ((n = read(s.out_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) r.out.append(buf, static_cast<size_t>(n));
  close(s.out_fd);
  int st = 0;
  while (waitpid(s.pid, &st, 0) < 0 && errno == EINTR) {}
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(s.err_file);
  return r;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kernel_test
