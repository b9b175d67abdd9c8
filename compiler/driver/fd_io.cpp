// Stage: driver. Descriptor-level file operations (see fd_io.h).
#include "compiler/driver/fd_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <vector>

namespace polc::driver {

bool write_all(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string random_name_part(size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::vector<unsigned char> bytes(n);
  size_t got = 0;
  while (got < n) {
    const ssize_t r = getrandom(bytes.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  // getrandom cannot fail after boot on a supported kernel; if it did, the O_EXCL create still
  // refuses any name that exists, so a guessable name costs a retry, never a followed link.
  std::string out(n, 'x');
  for (size_t i = 0; i < n; ++i) out[i] = kAlphabet[bytes[i] % (sizeof kAlphabet - 1)];
  return out;
}

bool remove_contents(int dir) {
  const int copy = fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return false;
  DIR* stream = fdopendir(copy);
  if (!stream) {
    close(copy);
    return false;
  }
  // The duplicate shares the directory's read position with the caller's descriptor: start over.
  rewinddir(stream);
  std::vector<std::string> names;
  while (const dirent* e = readdir(stream)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(stream);
  bool ok = true;
  for (const std::string& name : names) ok = remove_tree_at(dir, name) && ok;
  return ok;
}

bool remove_tree_at(int dir_fd, const std::string& name) {
  struct stat st {};
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT;
  if (S_ISDIR(st.st_mode)) {
    // O_NOFOLLOW: if the directory was swapped for a link since the fstatat, the open fails
    // instead of descending into wherever the link points.
    const UniqueFd sub(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) return false;
    if (!remove_contents(sub.get())) return false;
    return unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT;
  }
  return unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT;
}

mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      try {
        return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8)) & 0777;
      } catch (...) {
        break;
      }
    }
  }
  return 022;
}

}  // namespace polc::driver
