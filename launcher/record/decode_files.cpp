// Stage: launcher (learning). File accesses and execs of a call (decode_files.h).
#include "launcher/record/decode_files.h"

#include <sys/stat.h>

#include <cerrno>

#include "launcher/record/exec_image.h"
#include "launcher/record/tracee_paths.h"

namespace polc::record {

namespace {

using learn::FileAccess;
using Kind = FileAccess::Kind;

// Open flags of every arch polc targets (asm-generic values; arm and arm64 differ in O_NOFOLLOW).
constexpr uint64_t kAccessMode = 03;
constexpr uint64_t kCreate = 0100;
constexpr uint64_t kExclusive = 0200;
constexpr uint64_t kTruncate = 01000;
constexpr uint64_t kPathOnly = 010000000;
uint64_t no_follow_flag(arch::Arch a) { return arch::family(a) == arch::kArmFamily ? 0100000 : 0400000; }

constexpr int kAtSymlinkNofollow = 0x100;
constexpr int kAtRemoveDir = 0x200;
constexpr int kAtSymlinkFollow = 0x400;
constexpr int kAtEmptyPath = 0x1000;
constexpr uint64_t kRenameExchange = 2;
// Interpreters of interpreters: the kernel stops at this depth too (binfmt's recursion limit).
constexpr int kMaxInterpreterDepth = 4;

void add(std::vector<learn::Event>& out, const std::string& path, const char* right, Kind kind) {
  out.push_back(FileAccess{path, right, kind});
}

// The path argument `path_index` of the call relative to dirfd argument `dirfd_index` (-1: none).
std::optional<std::string> path_of(const CallContext& c, int dirfd_index, unsigned path_index, bool follow_last) {
  const auto path = c.path_arg(path_index);
  if (!path) {
    c.undecidable = true;
    return std::nullopt;
  }
  const int dirfd = dirfd_index < 0 ? kAtFdcwd : c.int_arg(static_cast<unsigned>(dirfd_index));
  // An empty path names the dirfd itself only with AT_EMPTY_PATH (handled by its callers); the
  // kernel refuses it otherwise.
  if (path->empty()) return std::nullopt;
  bool not_path = false;
  auto resolved = resolve_path(c.pid, dirfd, *path, follow_last, &not_path);
  if (!resolved && !not_path) c.undecidable = true;
  return resolved;
}

const char* make_right(const std::string& existing) {
  struct stat st{};
  if (lstat(existing.c_str(), &st) != 0) return "make_reg";
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: return "make_dir";
    case S_IFLNK: return "make_sym";
    case S_IFIFO: return "make_fifo";
    case S_IFSOCK: return "make_sock";
    case S_IFCHR: return "make_char";
    case S_IFBLK: return "make_block";
    default: return "make_reg";
  }
}

const char* remove_right(Kind kind) { return kind == Kind::Directory ? "remove_dir" : "remove_file"; }

void open_access(const CallContext& c, int dirfd_index, unsigned path_index, uint64_t flags,
                 std::vector<learn::Event>& out) {
  if (flags & kPathOnly) return;
  const bool follow = !(flags & no_follow_flag(c.arch)) && (flags & (kCreate | kExclusive)) != (kCreate | kExclusive);
  const auto path = path_of(c, dirfd_index, path_index, follow);
  if (!path) return;
  const Kind kind = kind_of(*path, follow);
  const uint64_t mode = flags & kAccessMode;
  if (mode == 0 || mode == 2) add(out, *path, kind == Kind::Directory ? "read_dir" : "read_file", kind);
  if (mode == 1 || mode == 2) add(out, *path, "write_file", kind);
  if ((flags & kTruncate) && kind != Kind::Missing) add(out, *path, "truncate", kind);
  if ((flags & kCreate) && kind == Kind::Missing) add(out, *path, "make_reg", kind);
}

void executed(const std::string& path, std::vector<learn::Event>& out) {
  add(out, path, "execute", Kind::File);
  add(out, path, "read_file", Kind::File);
}

void exec_access(const CallContext& c, int dirfd_index, unsigned path_index, int flags, std::vector<learn::Event>& out) {
  const auto raw = c.path_arg(path_index);
  if (!raw) {
    c.undecidable = true;
    return;
  }
  std::optional<std::string> path;
  if (raw->empty() && dirfd_index >= 0 && (flags & kAtEmptyPath))
    path = descriptor_path(c.pid, c.int_arg(static_cast<unsigned>(dirfd_index)), &c.undecidable);
  else
    path = path_of(c, dirfd_index, path_index, !(flags & kAtSymlinkNofollow));
  if (!path) return;
  const Kind kind = kind_of(*path, true);
  // A missing file is not executed (execvp tries each PATH entry): only the attempt is kept.
  if (kind != Kind::Missing) out.push_back(learn::Exec{*path});
  add(out, *path, "execute", kind);
  add(out, *path, "read_file", kind);
  std::string current = *path;
  for (int depth = 0; depth < kMaxInterpreterDepth && kind_of(current, true) == Kind::File; ++depth) {
    const auto interpreter = interpreter_of(current, &c.undecidable);
    if (!interpreter) break;
    const auto resolved = resolve_path(c.pid, kAtFdcwd, interpreter->path, true);
    if (!resolved) {
      c.undecidable = true;
      break;
    }
    if (interpreter->kind == InterpreterKind::Script) out.push_back(learn::Exec{*resolved});
    executed(*resolved, out);
    if (interpreter->kind == InterpreterKind::Elf) break;
    current = *resolved;
  }
}

void entry_access(const CallContext& c, int dirfd_index, unsigned path_index, const char* right,
                  std::vector<learn::Event>& out) {
  if (const auto path = path_of(c, dirfd_index, path_index, false)) add(out, *path, right, kind_of(*path, false));
}

void remove_access(const CallContext& c, int dirfd_index, unsigned path_index, bool directory,
                   std::vector<learn::Event>& out) {
  entry_access(c, dirfd_index, path_index, directory ? "remove_dir" : "remove_file", out);
}

void rename_access(const CallContext& c, int old_dirfd, unsigned old_index, int new_dirfd, unsigned new_index,
                   uint64_t flags, std::vector<learn::Event>& out) {
  const auto from = path_of(c, old_dirfd, old_index, false);
  const auto to = path_of(c, new_dirfd, new_index, false);
  if (!from || !to) return;
  const Kind from_kind = kind_of(*from, false), to_kind = kind_of(*to, false);
  add(out, *from, remove_right(from_kind), from_kind);
  add(out, *to, make_right(*from), to_kind);
  if (flags & kRenameExchange) {
    add(out, *to, remove_right(to_kind), to_kind);
    add(out, *from, make_right(*to), from_kind);
  } else if (to_kind != Kind::Missing) {
    add(out, *to, remove_right(to_kind), to_kind);  // the entry replaced is removed
  }
  if (parent_of(*from) != parent_of(*to)) {
    add(out, *from, "refer", from_kind);
    add(out, *to, "refer", to_kind);
  }
}

void link_access(const CallContext& c, int old_dirfd, unsigned old_index, int new_dirfd, unsigned new_index,
                 int flags, std::vector<learn::Event>& out) {
  const auto raw = c.path_arg(old_index);
  const auto from = raw && raw->empty() && (flags & kAtEmptyPath)
                        ? descriptor_path(c.pid, c.int_arg(static_cast<unsigned>(old_dirfd)), &c.undecidable)
                        : path_of(c, old_dirfd, old_index, (flags & kAtSymlinkFollow) != 0);
  const auto to = path_of(c, new_dirfd, new_index, false);
  if (!from || !to) return;
  const Kind to_kind = kind_of(*to, false);
  add(out, *to, make_right(*from), to_kind);
  if (parent_of(*from) != parent_of(*to)) {
    add(out, *from, "refer", kind_of(*from, false));
    add(out, *to, "refer", to_kind);
  }
}

void mknod_access(const CallContext& c, int dirfd_index, unsigned path_index, uint64_t mode,
                  std::vector<learn::Event>& out) {
  const char* right = "make_reg";
  switch (mode & S_IFMT) {
    case S_IFIFO: right = "make_fifo"; break;
    case S_IFSOCK: right = "make_sock"; break;
    case S_IFCHR: right = "make_char"; break;
    case S_IFBLK: right = "make_block"; break;
    default: break;
  }
  entry_access(c, dirfd_index, path_index, right, out);
}

// Landlock allows these on any descriptor (they act on the descriptor, not the device).
bool always_allowed_ioctl(uint32_t request) {
  return request == 0x5450 /* FIONCLEX */ || request == 0x5451 /* FIOCLEX */ || request == 0x5421 /* FIONBIO */ ||
         request == 0x5452 /* FIOASYNC */;
}

void ioctl_access(const CallContext& c, std::vector<learn::Event>& out) {
  if (always_allowed_ioctl(static_cast<uint32_t>(c.arg(1)))) return;
  struct stat st{};
  const std::string link = "/proc/" + std::to_string(c.pid) + "/fd/" + std::to_string(c.int_arg(0));
  if (stat(link.c_str(), &st) != 0) {
    if (errno != ENOENT) c.undecidable = true;  // ENOENT: not open, the call fails with EBADF
    return;
  }
  if (!(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) return;
  if (const auto path = descriptor_path(c.pid, c.int_arg(0), &c.undecidable)) add(out, *path, "ioctl_dev", Kind::Other);
}

}  // namespace

void decode_files(Decoder decoder, const CallContext& c, std::vector<learn::Event>& out) {
  switch (decoder) {
    case Decoder::Open: return open_access(c, -1, 0, c.arg(1), out);
    case Decoder::Openat: return open_access(c, 0, 1, c.arg(2), out);
    case Decoder::Openat2: {
      uint64_t flags = 0;  // struct open_how starts with the flags
      if (c.memory.read(c.arg(2), &flags, sizeof flags))
        open_access(c, 0, 1, flags, out);
      else
        c.undecidable = true;
      return;
    }
    case Decoder::Creat: return open_access(c, -1, 0, kCreate | 1 | kTruncate, out);
    case Decoder::Execve: return exec_access(c, -1, 0, 0, out);
    case Decoder::Execveat: return exec_access(c, 0, 1, c.int_arg(4), out);
    case Decoder::Mkdir: return entry_access(c, -1, 0, "make_dir", out);
    case Decoder::Mkdirat: return entry_access(c, 0, 1, "make_dir", out);
    case Decoder::Unlink: return remove_access(c, -1, 0, false, out);
    case Decoder::Unlinkat: return remove_access(c, 0, 1, (c.int_arg(2) & kAtRemoveDir) != 0, out);
    case Decoder::Rmdir: return remove_access(c, -1, 0, true, out);
    case Decoder::Rename: return rename_access(c, -1, 0, -1, 1, 0, out);
    case Decoder::Renameat: return rename_access(c, 0, 1, 2, 3, 0, out);
    case Decoder::Renameat2: return rename_access(c, 0, 1, 2, 3, c.arg(4), out);
    case Decoder::Link: return link_access(c, -1, 0, -1, 1, 0, out);
    case Decoder::Linkat: return link_access(c, 0, 1, 2, 3, c.int_arg(4), out);
    case Decoder::Symlink: return entry_access(c, -1, 1, "make_sym", out);
    case Decoder::Symlinkat: return entry_access(c, 1, 2, "make_sym", out);
    case Decoder::Mknod: return mknod_access(c, -1, 0, c.arg(1), out);
    case Decoder::Mknodat: return mknod_access(c, 0, 1, c.arg(2), out);
    case Decoder::Truncate:
      if (const auto path = path_of(c, -1, 0, true)) add(out, *path, "truncate", kind_of(*path, true));
      return;
    case Decoder::Ftruncate:
      if (const auto path = descriptor_path(c.pid, c.int_arg(0), &c.undecidable); path && kind_of(*path, true) == Kind::File)
        add(out, *path, "truncate", Kind::File);
      return;
    case Decoder::Ioctl: return ioctl_access(c, out);
    default: return;
  }
}

}  // namespace polc::record
