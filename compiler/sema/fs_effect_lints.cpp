// Stage: sema. Warnings for filesystem grants that cannot take effect as written (W0014..W0016).
//
// Landlock attaches a rule to the inode its path names when the launcher adds it, just before the
// payload starts; a path that does not exist then is skipped and grants nothing, and a file
// created later under that name (or a file replaced by a rename) is not covered. These lints
// find grants where the policy itself says that will happen:
//   W0014  only directory rights on a path that names a file (the kernel takes none of them);
//   W0015  a grant beneath a `mount tmpfs` path, which is empty when the rules are added;
//   W0016  writing to a file whose directory is not granted: the payload can neither create the
//          file nor replace it, so the grant works only while the file already exists.
// "Names a file" is read from the path's last component: a dotted name whose extension has a
// letter ("result.json", "ld.so.cache"), never a hidden name (".venv"). A lint, not a proof:
// it stays silent where it cannot tell.
#include <bit>
#include <string_view>

#include "compiler/ir/landlock_names.h"
#include "compiler/sema/context.h"
#include "compiler/sema/fs_values.h"

namespace polc::sema {

using diag::Code;

namespace {

// The rights Landlock accepts on a rule for a file; every other right applies only beneath a
// directory (landlock_add_rule refuses it on a file with EINVAL).
constexpr uint64_t kFileRights = ir::fs_right::kExecute | ir::fs_right::kWriteFile | ir::fs_right::kReadFile |
                                 ir::fs_right::kTruncate | ir::fs_right::kIoctlDev;
constexpr uint64_t kWritesFile = ir::fs_right::kWriteFile | ir::fs_right::kTruncate;

std::string_view last_component(std::string_view path) { return path.substr(path.rfind('/') + 1); }

std::string_view parent_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

// "result.json", "ld.so.cache", "key.pem": a name with a stem and an extension of up to eight
// letters, digits, '_' or '-', at least one a letter. Not ".venv", "python3.11", "lib".
bool names_a_file(std::string_view path) {
  const std::string_view name = last_component(path);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name[0] == '.') return false;
  const std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > 8) return false;
  bool letter = false;
  for (char c : ext) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(c >= '0' && c <= '9') && c != '_' && c != '-') return false;
    letter = letter || alpha;
  }
  return letter;
}

// `path` is `dir` or lies beneath it.
bool lint_at_or_beneath(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

std::string lint_quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

void lint_fs_effects(Context& ctx) {
  const ir::Filesystem& fs = ctx.policy.filesystem;
  for (const ir::FsRule& rule : fs.rules) {
    if (rule.deny || rule.origins.empty()) continue;
    const ir::Origin& at = rule.origins.front();

    if (names_a_file(rule.path) && (rule.rights & kFileRights) == 0) {
      ctx.diags
          .report(Code::DirectoryRightsOnFile, at.range,
                  lint_quoted(rule.path) + " names a file, and " + rights_to_string(rule.rights) +
                      (std::popcount(rule.rights) == 1 ? " is a directory right" : " are directory rights") +
                      ": Landlock takes none of them on a file, so this grant gives nothing")
          .with_help("grant them on the directory that holds it, " + lint_quoted(parent_of(rule.path)) +
                     " (the rights then apply to everything beneath it)");
      continue;
    }

    for (const ir::MountRule& m : ctx.policy.os.mounts) {
      if (m.kind != ir::MountKind::Tmpfs || rule.path == m.path || !lint_at_or_beneath(rule.path, m.path)) continue;
      ctx.diags
          .report(Code::GrantBeneathEmptyMount, at.range,
                  "nothing exists beneath " + lint_quoted(m.path) +
                      " when Landlock's rules are added (a new tmpfs is " + "mounted there first), so this grant on " +
                      lint_quoted(rule.path) + " gives nothing")
          .note(m.origin.range, lint_quoted(m.path) + " is an empty tmpfs here")
          .with_help("grant the rights on " + lint_quoted(m.path) +
                     " itself; they then apply to whatever is created beneath it");
      break;
    }

    if (names_a_file(rule.path) && (rule.rights & kWritesFile) != 0) {
      bool creatable = false;
      for (const ir::FsRule& other : fs.rules)
        if (!other.deny && (other.rights & ir::fs_right::kMakeReg) != 0 && other.path != rule.path &&
            lint_at_or_beneath(rule.path, other.path))
          creatable = true;
      if (creatable) continue;
      const std::string dir(parent_of(rule.path));
      ctx.diags
          .report(Code::FileGrantWithoutDirectory, at.range,
                  "this grant writes " + lint_quoted(rule.path) + ", but nothing grants creating files in " +
                      lint_quoted(dir) +
                      ": Landlock attaches the rule to the file that exists when the sandbox starts, so if it does " +
                      "not exist yet, or is replaced by a new file (written elsewhere and renamed), the rule grants " +
                      "nothing for it")
          .with_help("grant the directory instead, e.g. `read, write " + lint_quoted(dir) +
                     "`, or make sure the file exists before the sandbox starts and is written in place");
    }
  }
}

}  // namespace polc::sema
