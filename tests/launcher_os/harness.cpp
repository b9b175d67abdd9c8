// The OS layer's kernel tests: helpers (see harness.h).
#include "tests/launcher_os/harness.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace polc::launcher::os::test {

int in_private_mount_ns(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 99;
    try {
      if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        std::fprintf(stderr, "child: cannot make a private mount namespace: %s\n", std::strerror(errno));
        _exit(98);
      }
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: exception: %s\n", e.what());
    }
    std::fflush(nullptr);
    _exit(code);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ChildChecks::operator()(bool ok, const std::string& what) {
  if (ok) return;
  ++failures;
  std::fprintf(stderr, "check failed: %s (errno %s)\n", what.c_str(), std::strerror(errno));
}

namespace {

uint64_t fnv1a(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

void list_into(const std::string& root, const std::string& rel, bool directory_times, std::vector<std::string>& out) {
  const std::string full = rel.empty() ? root : root + "/" + rel;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(full)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string r = rel.empty() ? name : rel + "/" + name;
    struct stat st {};
    if (lstat((root + "/" + r).c_str(), &st) != 0) throw std::runtime_error("lstat " + r);
    std::ostringstream line;
    line << r << " mode=" << std::oct << st.st_mode << std::dec << " uid=" << st.st_uid << " gid=" << st.st_gid;
    if (S_ISREG(st.st_mode)) line << " size=" << st.st_size << " hash=" << fnv1a(read_file(root + "/" + r));
    if (S_ISLNK(st.st_mode)) line << " -> " << std::filesystem::read_symlink(root + "/" + r).string();
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) line << " rdev=" << st.st_rdev;
    if (!S_ISDIR(st.st_mode) || directory_times) line << " mtime=" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
    out.push_back(line.str());
    if (S_ISDIR(st.st_mode)) list_into(root, r, directory_times, out);
  }
}

}  // namespace

std::string tree_listing(const std::string& root, bool directory_times) {
  std::vector<std::string> lines;
  struct stat st {};
  if (lstat(root.c_str(), &st) != 0) throw std::runtime_error("lstat " + root);
  std::ostringstream top;
  top << ". mode=" << std::oct << st.st_mode << std::dec << " uid=" << st.st_uid << " gid=" << st.st_gid;
  if (directory_times) top << " mtime=" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
  lines.push_back(top.str());
  list_into(root, "", directory_times, lines);
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  return text;
}

void write_file(const std::string& path, const std::string& contents, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  if (write(fd, contents.data(), contents.size()) != static_cast<ssize_t>(contents.size())) {
    close(fd);
    throw std::runtime_error("short write to " + path);
  }
  fchmod(fd, mode);
  close(fd);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run_shell(const std::string& script, const std::vector<std::string>& args) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<const char*> argv = {"sh", "-c", script.c_str(), "sh"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    execv("/bin/sh", const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool is_mount_point(const std::string& path) {
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == path) return true;
  }
  return false;
}

}  // namespace polc::launcher::os::test
