// Stage: driver. Atomic directory output (see output_dir.h).
#include "compiler/driver/output_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "compiler/driver/build_temp_dirs.h"
#include "compiler/driver/fd_io.h"

namespace polc::driver {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

// Writes `bytes` as `relative` (which may hold directories, like sources/std/...) below the
// directory `root`, which this build created and holds. Every component is created and opened
// relative to its parent's descriptor with O_NOFOLLOW and every file with O_EXCL: nothing in the
// tree can redirect a write elsewhere. The file is left open in `written`, to be made durable
// with the others (see Durable).
std::optional<std::string> write_file_below(int root, const std::string& relative, const std::vector<uint8_t>& bytes,
                                            std::vector<std::pair<std::string, UniqueFd>>& written) {
  UniqueFd held;
  int dir = root;
  size_t start = 0;
  for (size_t slash; (slash = relative.find('/', start)) != std::string::npos; start = slash + 1) {
    const std::string part = relative.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return "invalid artifact name " + relative;
    if (mkdirat(dir, part.c_str(), 0755) != 0 && errno != EEXIST)
      return "cannot create " + relative.substr(0, slash) + ": " + errno_text();
    UniqueFd next(openat(dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return "cannot open " + relative.substr(0, slash) + ": " + errno_text();
    held = std::move(next);
    dir = held.get();
  }
  const std::string leaf = relative.substr(start);
  if (leaf.empty() || leaf == "." || leaf == "..") return "invalid artifact name " + relative;
  UniqueFd fd(openat(dir, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return "cannot create " + relative + ": " + errno_text();
  if (!write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())))
    return "cannot write " + relative + ": " + errno_text();
  written.emplace_back(relative, std::move(fd));
  return std::nullopt;
}

// Every file durable before the rename makes the directory visible. The files are synced after
// all of them are written, not each right after its write: on ext4 the first fsync then commits
// the others' data in the same journal transaction, and the rest find little left to do (15
// files of a bundle: about 120 ms one by one, 5 ms this way, on this project's test machine).
// At most kBatch files stay open at once, whatever the bundle holds.
constexpr size_t kBatch = 256;

std::optional<std::string> sync_all(std::vector<std::pair<std::string, UniqueFd>>& written) {
  for (const auto& [relative, fd] : written)
    if (fsync(fd.get()) != 0) return "cannot write " + relative + ": " + errno_text();
  written.clear();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> write_directory_atomically(const std::string& dir, const Artifacts& files) {
  std::error_code ec;
  fs::path target = fs::path(dir).lexically_normal();
  if (!target.has_filename() && target.has_parent_path()) target = target.parent_path();  // "out/" is "out"
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") return "cannot replace " + dir + ": name a directory to create";
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return "cannot create " + parent.string() + ": " + ec.message();
  const UniqueFd parent_fd(open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) return "cannot open " + parent.string() + ": " + errno_text();

  // Left-overs of builds that died (kill -9, power loss) before their rename; see build_temp_dirs.h.
  remove_stale_build_dirs(parent_fd.get(), name);

  std::string error;
  auto tmp = create_build_temp_dir(parent_fd.get(), name, error);
  if (!tmp) return "cannot create a temporary directory in " + parent.string() + ": " + error;
  const std::string shown = (parent / tmp->entry).string();
  auto fail = [&](std::string message) -> std::optional<std::string> {
    // Through the descriptor we hold: only the directory this build made is emptied.
    remove_contents(tmp->dir.get());
    struct stat named {
    }, held{};
    if (fstatat(parent_fd.get(), tmp->entry.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
        fstat(tmp->dir.get(), &held) == 0 && named.st_dev == held.st_dev && named.st_ino == held.st_ino)
      unlinkat(parent_fd.get(), tmp->entry.c_str(), AT_REMOVEDIR);
    return message;
  };
  std::vector<std::pair<std::string, UniqueFd>> written;
  for (const auto& [file, bytes] : files) {
    if (auto err = write_file_below(tmp->dir.get(), file, bytes, written)) return fail(*err + " (in " + shown + ")");
    if (written.size() >= kBatch)
      if (auto err = sync_all(written)) return fail(*err + " (in " + shown + ")");
  }
  if (auto err = sync_all(written)) return fail(*err + " (in " + shown + ")");

  struct stat st {};
  if (fstatat(parent_fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISDIR(st.st_mode)) return fail(target.string() + " exists and is not a directory");
    // Swap the two directories in one step, then delete the old output (now at the temporary name).
    if (renameat2(parent_fd.get(), tmp->entry.c_str(), parent_fd.get(), name.c_str(), RENAME_EXCHANGE) != 0)
      return fail("cannot replace " + target.string() + ": " + errno_text());
    remove_tree_at(parent_fd.get(), tmp->entry);
    return std::nullopt;
  }
  if (renameat2(parent_fd.get(), tmp->entry.c_str(), parent_fd.get(), name.c_str(), RENAME_NOREPLACE) != 0)
    return fail("cannot create " + target.string() + ": " + errno_text());
  return std::nullopt;
}

}  // namespace polc::driver
