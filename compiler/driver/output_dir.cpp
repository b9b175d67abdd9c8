// Stage: driver. Atomic directory output (see output_dir.h).
#include "compiler/driver/output_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
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

struct StagedDirectory::State {
  fs::path target;
  fs::path parent;
  std::string name;  // target's last component
  UniqueFd parent_fd;
  BuildTempDir tmp;
  std::string shown;                                      // the temporary directory, for messages
  std::set<std::string> done;                             // names written so far
  std::vector<std::pair<std::string, UniqueFd>> written;  // written, not yet synced
  std::optional<std::string> failed;
  bool published = false;
};

StagedDirectory::StagedDirectory(std::unique_ptr<State> state) : s_(std::move(state)) {}

std::unique_ptr<StagedDirectory> StagedDirectory::open(const std::string& dir, std::string& error, bool make_parents) {
  auto s = std::make_unique<State>();
  std::error_code ec;
  s->target = fs::path(dir).lexically_normal();
  if (!s->target.has_filename() && s->target.has_parent_path()) s->target = s->target.parent_path();  // "out/"
  s->name = s->target.filename().string();
  if (s->name.empty() || s->name == "." || s->name == "..") {
    error = "cannot replace " + dir + ": name a directory to create";
    return nullptr;
  }
  const fs::path parent = s->target.has_parent_path() ? s->target.parent_path() : fs::path(".");
  s->parent = parent;
  if (!make_parents && !fs::is_directory(parent, ec)) return nullptr;
  fs::create_directories(parent, ec);
  if (ec) {
    error = "cannot create " + parent.string() + ": " + ec.message();
    return nullptr;
  }
  s->parent_fd = UniqueFd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!s->parent_fd.valid()) {
    error = "cannot open " + parent.string() + ": " + errno_text();
    return nullptr;
  }
  // Left-overs of builds that died (kill -9, power loss) before their rename; see build_temp_dirs.h.
  remove_stale_build_dirs(s->parent_fd.get(), s->name);
  std::string why;
  auto tmp = create_build_temp_dir(s->parent_fd.get(), s->name, why);
  if (!tmp) {
    error = "cannot create a temporary directory in " + parent.string() + ": " + why;
    return nullptr;
  }
  s->tmp = std::move(*tmp);
  s->shown = (parent / s->tmp.entry).string();
  return std::unique_ptr<StagedDirectory>(new StagedDirectory(std::move(s)));
}

StagedDirectory::~StagedDirectory() {
  if (!s_->published && !s_->failed) fail("not published");
}

std::optional<std::string> StagedDirectory::fail(std::string message) {
  if (s_->failed) return s_->failed;
  s_->written.clear();
  // Through the descriptor we hold: only the directory this build made is emptied.
  remove_contents(s_->tmp.dir.get());
  struct stat named {
  }, held{};
  if (fstatat(s_->parent_fd.get(), s_->tmp.entry.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
      fstat(s_->tmp.dir.get(), &held) == 0 && named.st_dev == held.st_dev && named.st_ino == held.st_ino)
    unlinkat(s_->parent_fd.get(), s_->tmp.entry.c_str(), AT_REMOVEDIR);
  s_->failed = std::move(message);
  return s_->failed;
}

std::optional<std::string> StagedDirectory::write(const Artifacts& files) {
  if (s_->failed) return s_->failed;
  for (const auto& [file, bytes] : files) {
    if (!s_->done.insert(file).second) continue;
    if (auto err = write_file_below(s_->tmp.dir.get(), file, bytes, s_->written))
      return fail(*err + " (in " + s_->shown + ")");
    if (s_->written.size() >= kBatch)
      if (auto err = sync_all(s_->written)) return fail(*err + " (in " + s_->shown + ")");
  }
  return std::nullopt;
}

std::optional<std::string> StagedDirectory::sync() {
  if (s_->failed) return s_->failed;
  if (auto err = sync_all(s_->written)) return fail(*err + " (in " + s_->shown + ")");
  return std::nullopt;
}

std::optional<std::string> StagedDirectory::publish(const Artifacts& files) {
  if (auto err = write(files)) return err;
  if (auto err = sync()) return err;
  const int parent = s_->parent_fd.get();
  const char* entry = s_->tmp.entry.c_str();
  // The directory named on the command line must still be the one held: were it moved while the
  // build ran, the output would appear somewhere else than where polc says it wrote it.
  struct stat held {
  }, named{};
  if (fstat(parent, &held) != 0 || stat(s_->parent.c_str(), &named) != 0 || held.st_dev != named.st_dev ||
      held.st_ino != named.st_ino)
    return fail(s_->parent.string() + " was moved or replaced during the build");
  struct stat st {};
  if (fstatat(parent, s_->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISDIR(st.st_mode)) return fail(s_->target.string() + " exists and is not a directory");
    // Swap the two directories in one step, then delete the old output (now at the temporary name).
    if (renameat2(parent, entry, parent, s_->name.c_str(), RENAME_EXCHANGE) != 0)
      return fail("cannot replace " + s_->target.string() + ": " + errno_text());
    s_->published = true;
    remove_tree_at(parent, s_->tmp.entry);
    return std::nullopt;
  }
  if (renameat2(parent, entry, parent, s_->name.c_str(), RENAME_NOREPLACE) != 0)
    return fail("cannot create " + s_->target.string() + ": " + errno_text());
  s_->published = true;
  return std::nullopt;
}

std::optional<std::string> write_directory_atomically(const std::string& dir, const Artifacts& files) {
  std::string error;
  const std::unique_ptr<StagedDirectory> staged = StagedDirectory::open(dir, error);
  if (!staged) return error;
  return staged->publish(files);
}

}  // namespace polc::driver
