// Stage: driver. Atomic directory output (see output_dir.h).
#include "compiler/driver/output_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace polc::driver {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot create " + path.string() + ": " + std::strerror(errno);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string err = std::strerror(errno);
      close(fd);
      return "cannot write " + path.string() + ": " + err;
    }
    done += static_cast<size_t>(n);
  }
  // Durable before the rename makes it visible.
  if (fsync(fd) != 0 || close(fd) != 0) return "cannot write " + path.string() + ": " + std::strerror(errno);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> write_directory_atomically(const std::string& dir, const Artifacts& files) {
  std::error_code ec;
  const fs::path target = fs::path(dir).lexically_normal();
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return "cannot create " + parent.string() + ": " + ec.message();
  std::string pattern = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) return "cannot create a temporary directory in " + parent.string() + ": " + std::strerror(errno);
  const fs::path tmp = pattern;
  auto fail = [&](std::string message) -> std::optional<std::string> {
    fs::remove_all(tmp, ec);
    return message;
  };
  if (chmod(tmp.c_str(), 0755) != 0) return fail("cannot set the mode of " + tmp.string());
  for (const auto& [name, bytes] : files) {
    const fs::path path = tmp / name;  // names may hold directories (sources/...)
    if (path.parent_path() != tmp) {
      fs::create_directories(path.parent_path(), ec);
      if (ec) return fail("cannot create " + path.parent_path().string() + ": " + ec.message());
    }
    if (auto err = write_file(path, bytes)) return fail(*err);
  }

  if (fs::exists(fs::symlink_status(target, ec))) {
    if (!fs::is_directory(fs::symlink_status(target, ec)))
      return fail(target.string() + " exists and is not a directory");
    // Swap the two directories in one step, then delete the old output (now at `tmp`).
    if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
      return fail("cannot replace " + target.string() + ": " + std::strerror(errno));
    fs::remove_all(tmp, ec);
    return std::nullopt;
  }
  if (rename(tmp.c_str(), target.c_str()) != 0) return fail("cannot create " + target.string() + ": " + std::strerror(errno));
  return std::nullopt;
}

}  // namespace polc::driver
