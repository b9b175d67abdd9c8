// Stage: launcher. The exec preflight (exec_preflight.h).
#include "launcher/exec_preflight.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string_view>

#include "compiler/posix/unique_fd.h"
#include "launcher/exec_headers.h"
#include "launcher/landlock_explain.h"
#include "launcher/rule_paths.h"

namespace polc::launcher {

namespace {

constexpr uint64_t kExecute = uint64_t{1} << 0;   // LANDLOCK_ACCESS_FS_EXECUTE
constexpr uint64_t kReadFile = uint64_t{1} << 2;  // LANDLOCK_ACCESS_FS_READ_FILE

// A path a policy's string literal holds byte for byte: printable ASCII without `"` and `\`.
bool pasteable(std::string_view path) {
  return !path.empty() && std::all_of(path.begin(), path.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\';
  });
}

// Rules listed in an explanation before "and N more".
constexpr size_t kRulesListed = 4;

// A rule as this host resolves it: its rights hold on the object `id` and everything beneath.
struct Grant {
  InodeId id;
  uint64_t access = 0;
  const FsRule* rule = nullptr;
};

std::vector<std::string> split_path_env(std::string_view text) {
  std::vector<std::string> dirs;
  size_t start = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    dirs.emplace_back(text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) return dirs;
    start = colon + 1;
  }
}

class Preflight {
 public:
  Preflight(const FsLayer* fs, const std::optional<bundle::Attribution>& attribution)
      : fs_(fs), attribution_(attribution) {
    char buf[PATH_MAX];
    cwd_ = getcwd(buf, sizeof buf) ? buf : "/";
    try {
      walker_.emplace(fs ? fs->rules : std::vector<FsRule>{});
      if (!fs) return;
      for (const FsRule& rule : fs->rules) {
        WalkedPath walked = walker_->walk(rule.path, "the rule for");
        if (!walked.exists()) continue;
        grants_.push_back(
            {walked.chain.back(), walked.is_directory ? rule.access : rule.access & fs_file_rights(), &rule});
      }
    } catch (const Failure& failure) {
      // The launch itself refuses on the same walk; nothing to explain about rights then.
      rules_unwalkable_ = failure.what();
    }
  }

  ExecPreflight run(const std::vector<std::string>& command, const char* path_env) {
    ExecPreflight out;
    if (!rules_unwalkable_.empty()) {
      out.notes.push_back("the rule paths could not be walked: " + rules_unwalkable_);
      return out;
    }
    const std::string& name = command.empty() ? std::string() : command[0];
    if (name.empty()) {
      set_problem(out, "the command is empty", ExitCode::NotFound);
      return out;
    }
    if (name.find('/') != std::string::npos) {
      follow(name, "the command", "", 0, out);
      return out;
    }
    // As execvp: each PATH entry in turn (an empty one is the working directory); a candidate the
    // kernel refuses (EACCES) lets the search go on, and the first refusal is what it reports.
    const std::string search = path_env ? path_env : "/bin:/usr/bin";
    std::optional<ExecPreflight> first;
    for (const std::string& dir : split_path_env(search)) {
      const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (!names_a_file(candidate)) continue;
      ExecPreflight attempt;
      shell_fallback_ = false;
      follow(candidate, "the command", "", 0, attempt);
      if (!attempt.problem) return attempt;
      if (!first) first = std::move(attempt);
    }
    if (first) return std::move(*first);
    set_problem(out, "the command " + printable(name) + " is not found in PATH (" + printable(search) + ")",
                ExitCode::NotFound);
    return out;
  }

 private:
  std::string absolute(const std::string& path) const {
    if (!path.empty() && path[0] == '/') return path;
    return cwd_ + "/" + path;
  }

  bool names_a_file(const std::string& path) const {
    try {
      const WalkedPath walked = walker_->walk(absolute(path), "the command");
      return walked.exists() && !walked.is_directory;
    } catch (const Failure&) {
      return true;  // examined (and noted) by follow
    }
  }

  static void set_problem(ExecPreflight& out, const std::string& problem, ExitCode code) {
    if (out.problem) return;
    out.problem = problem;
    out.code = code;
  }

  static std::string named(const ExecFile& file) {
    std::string text = file.role + " " + printable(file.path);
    std::vector<std::string> notes;
    if (!file.of.empty()) notes.push_back("of " + printable(file.of));
    if (!file.resolved.empty() && file.resolved != file.path)
      notes.push_back(printable(file.resolved) + " on this host");
    if (!notes.empty()) text += " (" + join(notes, ", ") + ")";
    return text;
  }

  // "execute only on /usr/bin/python3 (sources/p.sbx:9), /usr/lib/git-core; ..." for `right`.
  std::string granted_elsewhere(uint64_t right) const {
    std::vector<std::string> where;
    for (const FsRule& rule : fs_->rules) {
      if ((rule.access & right) == 0) continue;
      const std::string at = rule_locations(attribution_, rule.path);
      where.push_back(printable(rule.path) + (at.empty() ? "" : " (" + at + ")"));
    }
    const std::string name = fs_access_names(right).front();
    if (where.empty()) return "the policy grants " + name + " nowhere";
    std::string text = "the policy grants " + name + " only on ";
    for (size_t i = 0; i < where.size() && i < kRulesListed; ++i) text += (i ? ", " : "") + where[i];
    if (where.size() > kRulesListed) text += " and " + std::to_string(where.size() - kRulesListed) + " more";
    return text;
  }

  std::string rights_problem(const ExecFile& file, const std::vector<InodeId>& chain, uint64_t missing) const {
    const std::vector<std::string> names = fs_access_names(missing);
    std::string text = named(file) + " lacks the " + join(names, " and ") + (names.size() == 1 ? " right" : " rights");
    std::vector<std::string> context;
    for (const uint64_t right : {kExecute, kReadFile})
      if (missing & right) context.push_back(granted_elsewhere(right));
    // The rules that do cover it, with the rights they stop at.
    std::vector<std::string> covering;
    for (const Grant& grant : grants_) {
      bool covers = false;
      for (const InodeId& id : chain) covers = covers || id == grant.id;
      if (!covers) continue;
      const std::string at = rule_locations(attribution_, grant.rule->path);
      covering.push_back(printable(grant.rule->path) + " (" + join(fs_access_names(grant.access), ", ") +
                         (at.empty() ? "" : "; " + at) + ")");
    }
    if (!covering.empty()) context.push_back("it is covered by " + join(covering, ", "));
    text += " (" + join(context, "; ") + ")";
    // The fix as a statement to paste, only where the path can be written as it is: a name the
    // payload chose could otherwise close the string and smuggle in statements of its own
    // (`/work/a" write "/etc`), and \xNN is not an escape of the policy language.
    if (!pasteable(file.resolved)) return text + "; its name cannot be written in a policy as it is";
    // In the policy language: `read` grants read_file (and read_dir, which a file ignores).
    text += "; add: ";
    if ((missing & kReadFile) && (missing & kExecute)) text += "read, execute";
    else text += (missing & kExecute) ? "execute" : "read";
    text += " \"" + file.resolved + "\"";
    return text;
  }

  // Walks `name` and checks the rights an exec needs on it. False when the chain stops here.
  bool check(const std::string& name, const std::string& role, const std::string& of, ExecPreflight& out,
             WalkedPath& walked) const {
    try {
      walked = walker_->walk(absolute(name), role);
    } catch (const Failure& failure) {
      // The walk's message quotes paths the payload may have named: escaped like every other.
      out.notes.push_back(role + " " + printable(name) + " was not examined: " + printable(failure.what()));
      return false;
    }
    ExecFile file{role, name, of, walked.resolved, 0};
    if (!walked.exists()) {
      file.resolved.clear();
      out.files.push_back(file);
      set_problem(out, named(file) + " does not exist", ExitCode::NotFound);
      return false;
    }
    for (const Grant& grant : grants_)
      for (const InodeId& id : walked.chain)
        if (id == grant.id) file.granted |= grant.access;
    out.files.push_back(file);
    if (walked.is_directory) {
      set_problem(out, named(file) + " is a directory", ExitCode::CannotExecute);
      return false;
    }
    if (fs_) {
      const uint64_t missing = kExecRights & fs_->handled & ~file.granted;
      if (missing) {
        set_problem(out, rights_problem(file, walked.chain, missing), ExitCode::CannotExecute);
        return false;
      }
    }
    return true;
  }

  // A descriptor to read the walked file's first bytes with, or invalid (with a note or a
  // problem said). Only a regular file is opened, through the descriptor the walk inspected.
  UniqueFd open_for_reading(const WalkedPath& walked, const ExecFile& file, ExecPreflight& out) const {
    struct stat st {};
    if (fstat(walked.fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      set_problem(out, named(file) + " is not a regular file", ExitCode::CannotExecute);
      return UniqueFd();
    }
    const std::string proc = "/proc/self/fd/" + std::to_string(walked.fd.get());
    UniqueFd fd(open(proc.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    struct stat again {};
    if (!fd.valid() || fstat(fd.get(), &again) != 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino) {
      out.notes.push_back(named(file) + " could not be read: " + errno_text(errno));
      return UniqueFd();
    }
    return fd;
  }

  void fallback_to_shell(const std::string& why, ExecPreflight& out) {
    // execvp runs a file the kernel refuses as not executable (ENOEXEC) with /bin/sh, once.
    if (shell_fallback_) return;
    shell_fallback_ = true;
    out.notes.push_back(why + "; execvp then runs the command with /bin/sh");
    follow("/bin/sh", "the shell execvp runs it with", "", 1, out);
  }

  void follow(const std::string& name, const std::string& role, const std::string& of, int depth, ExecPreflight& out) {
    WalkedPath walked;
    if (!check(name, role, of, out, walked)) return;
    const ExecFile file = out.files.back();
    const UniqueFd fd = open_for_reading(walked, file, out);
    if (!fd.valid()) return;
    const ReadAt read_at = [&](uint64_t offset, void* into, size_t size) -> long {
      if (offset > static_cast<uint64_t>(LONG_MAX)) return -1;
      ssize_t n;
      do n = pread(fd.get(), into, size, static_cast<off_t>(offset));
      while (n < 0 && errno == EINTR);
      return static_cast<long>(n);
    };
    std::string head(kExecHeaderBytes, '\0');
    const long n = read_at(0, head.data(), head.size());
    head.resize(n > 0 ? static_cast<size_t>(n) : 0);
    // The command's own interpreters are "its"; deeper ones say whose they are.
    const std::string its = depth == 0 ? "its" : "the";
    const std::string whose = depth == 0 ? "" : name;
    const Shebang shebang = parse_shebang(head);
    if (shebang.kind == Shebang::Kind::Script) {
      if (depth >= kMaxInterpreterDepth) {
        set_problem(out,
                    named(file) + " is a script too: the kernel follows at most " +
                        std::to_string(kMaxInterpreterDepth) + " #! interpreters in one exec (ELOOP)",
                    ExitCode::CannotExecute);
        return;
      }
      if (shebang.interpreter.empty()) {
        // The kernel opens the empty path (ENOENT) rather than refusing the format.
        set_problem(out, named(file) + " has a #! line with an empty interpreter name", ExitCode::NotFound);
        return;
      }
      follow(shebang.interpreter, its + " #! interpreter", whose, depth + 1, out);
      return;
    }
    if (shebang.kind == Shebang::Kind::Malformed) {
      fallback_to_shell(named(file) + ": the kernel cannot execute it (" + shebang.problem + ")", out);
      return;
    }
    const ElfInterp elf = parse_elf_interp(read_at);
    switch (elf.kind) {
      case ElfInterp::Kind::Static: return;
      case ElfInterp::Kind::Dynamic: {
        // The loader is opened like the file itself, but the kernel reads no header of its.
        WalkedPath loader;
        check(elf.interpreter, its + " ELF interpreter", whose, out, loader);
        return;
      }
      case ElfInterp::Kind::Malformed:
        fallback_to_shell(named(file) + ": the kernel cannot execute it (" + elf.problem + ")", out);
        return;
      case ElfInterp::Kind::NotElf:
        fallback_to_shell(named(file) + " has neither a #! line nor an ELF header", out);
        return;
    }
  }

  const FsLayer* fs_;
  const std::optional<bundle::Attribution>& attribution_;
  std::string cwd_;
  std::optional<RulePathWalker> walker_;
  std::vector<Grant> grants_;
  std::string rules_unwalkable_;
  bool shell_fallback_ = false;
};

}  // namespace

ExecPreflight preflight_exec(const std::vector<std::string>& command, const char* path_env, const FsLayer* fs,
                             const std::optional<bundle::Attribution>& attribution) {
  try {
    return Preflight(fs, attribution).run(command, path_env);
  } catch (const std::exception& e) {
    // An explanation is never worth a launch: whatever went wrong here, the kernel still decides.
    ExecPreflight out;
    out.notes.push_back(std::string("the preflight failed: ") + e.what());
    return out;
  }
}

std::string exec_failure_text(const std::string& command, int err, const ExecPreflight& preflight) {
  std::string text = "cannot execute " + printable(command);
  const bool explained =
      err == EACCES || err == EPERM || err == ENOENT || err == ENOEXEC || err == ELOOP || err == ENOTDIR;
  if (preflight.problem && explained) return text + " (" + errno_text(err) + "): " + *preflight.problem;
  return text + ": " + errno_text(err);
}

}  // namespace polc::launcher
