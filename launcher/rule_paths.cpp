// Stage: launcher. Rule paths walked component by component on descriptors (see rule_paths.h).
#include "launcher/rule_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

// As the kernel's own limit on links followed in one lookup.
constexpr int kMaxLinks = 40;

[[noreturn]] void walk_failed(const std::string& message) {
  throw Failure(ExitCode::ApplyFailed, "landlock: " + message);
}

// A component that does not exist, or a file where a directory was expected on the way: the
// path names nothing.
bool names_nothing(int err) { return err == ENOENT || err == ENOTDIR; }

void push_components(std::deque<std::string>& todo, const std::string& text) {
  std::deque<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t slash = text.find('/', start);
    if (slash == std::string::npos) slash = text.size();
    if (slash > start) parts.emplace_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

struct Step {
  UniqueFd fd;
  InodeId id;
  bool directory = false;
  std::string name;
  uid_t owner = 0;
  mode_t mode = 0;
};

// A directory in which users other than its owner may create entries (group- or world-writable,
// sticky or not: /tmp, a shared project directory).
bool others_may_write(const Step& dir) { return (dir.mode & (S_IWGRP | S_IWOTH)) != 0; }

std::string text_of(const std::vector<Step>& stack) {
  if (stack.size() <= 1) return "/";
  std::string text;
  for (size_t i = 1; i < stack.size(); ++i) text += "/" + stack[i].name;
  return text;
}

}  // namespace

// make_sym creates a link; refer moves one (or a directory holding one) in from another such
// directory; make_dir is what a rename of a directory into a directory needs (within one parent
// Landlock asks no refer): a payload with make_sym in W and make_dir and remove_dir in W's parent
// renames W, links and all, to W's sibling that a rule path goes through, and makes a new empty
// W. The topmost directory granted any of the three cannot itself be moved by the sandbox (that
// would need one of them on its parent), so its device and inode stay what the sandbox was
// granted, and every directory the sandbox could have put a link in lies beneath one recorded.
uint64_t fs_link_planting_rights() {
  return (uint64_t{1} << 7) | (uint64_t{1} << 12) | (uint64_t{1} << 13);  // make_dir, make_sym, refer
}

RulePathWalker::RulePathWalker(const std::vector<FsRule>& rules) {
  // Each pass walks every writable grant with the directories known so far. A grant reached
  // through another writable grant is only recognized once that one is known, so passes repeat
  // until the set stops growing (more writable directories can only refuse more links, never
  // resolve a path elsewhere, so it grows monotonically; one pass per grant at most).
  size_t writable_rules = 0;
  for (const FsRule& rule : rules) writable_rules += (rule.access & fs_link_planting_rights()) != 0;
  for (size_t pass = 0; pass <= writable_rules; ++pass) {
    std::map<InodeId, std::string> found;
    for (const FsRule& rule : rules) {
      if ((rule.access & fs_link_planting_rights()) == 0) continue;
      WalkedPath walked = walk(rule.path, "the rule for");
      if (walked.exists() && walked.is_directory) found.emplace(walked.chain.back(), rule.path);
    }
    if (found.size() == writable_.size()) return;
    writable_ = std::move(found);
  }
  walk_failed("the directories granted make_sym, refer or make_dir did not settle");  // unreachable: monotone
}

WalkedPath RulePathWalker::walk(const std::string& path, const std::string& what) const {
  WalkedPath result;
  std::vector<Step> stack;
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) walk_failed("cannot open /: " + errno_text(errno));
  struct stat st {};
  if (fstat(root, &st) != 0) {
    close(root);
    walk_failed("cannot stat /: " + errno_text(errno));
  }
  stack.push_back({UniqueFd(root), {st.st_dev, st.st_ino}, true, "", st.st_uid, st.st_mode});

  auto finish_missing = [&] {
    for (const Step& step : stack) result.chain.push_back(step.id);
    result.resolved = text_of(stack);
    return std::move(result);
  };

  std::deque<std::string> todo;
  push_components(todo, path);
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      // The parent as walked, on the descriptors held: never looked up again by name.
      if (!stack.back().directory) return finish_missing();
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    int fd = openat(stack.back().fd.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (names_nothing(err)) return finish_missing();
      walk_failed("cannot open " + text_of(stack) + (stack.size() > 1 ? "/" : "") + name + " (for " + path +
                  "): " + errno_text(err));
    }
    UniqueFd component(fd);
    if (fstat(fd, &st) != 0) walk_failed("cannot stat a component of " + path + ": " + errno_text(errno));
    if (S_ISLNK(st.st_mode)) {
      const std::string link = text_of(stack) + (stack.size() > 1 ? "/" : "") + name;
      // Decided on the directories held: is any of them one the sandbox may create links in?
      for (const Step& step : stack) {
        auto writable = writable_.find(step.id);
        if (writable != writable_.end())
          walk_failed(what + " " + path + " passes through the symbolic link " + link + ", inside " + writable->second +
                      " where the sandbox may create links or move directories: an earlier or concurrent run "
                      "could have planted it; remove the link or write the resolved path in the policy");
      }
      // A link in a directory others may write is someone else's choice of target unless root or
      // the directory's owner made it (the kernel's protected_symlinks rule, for group-writable
      // and non-sticky directories too; this walk reads links itself, so that sysctl never
      // applies): another user's link in /tmp would otherwise grant whatever it names. The owner
      // is the one of the very link read below. A second name of a link (st_nlink > 1) there is
      // refused whoever owns it: where fs.protected_hardlinks is off, another user can hard-link
      // root's link from elsewhere on the filesystem under the rule's name, and a relative target
      // then resolves from here.
      const Step& dir = stack.back();
      if (others_may_write(dir) && ((st.st_uid != 0 && st.st_uid != dir.owner) || st.st_nlink != 1))
        walk_failed(what + " " + path + " passes through the symbolic link " + link + ", owned by uid " +
                    std::to_string(st.st_uid) + " with " + std::to_string(st.st_nlink) +
                    " name(s), in a "
                    "directory others may write (" +
                    text_of(stack) +
                    "): another user could have planted it; "
                    "remove the link or write the resolved path in the policy");
      if (++links > kMaxLinks) walk_failed(path + ": too many levels of symbolic links");
      char target[PATH_MAX];
      // The link read through the descriptor that was just inspected, not by name again.
      ssize_t n = readlinkat(fd, "", target, sizeof target);
      if (n < 0) walk_failed("cannot read the link " + link + ": " + errno_text(errno));
      if (static_cast<size_t>(n) >= sizeof target) walk_failed("the link " + link + " is too long");
      const std::string text(target, static_cast<size_t>(n));
      if (!text.empty() && text[0] == '/') stack.resize(1);
      push_components(todo, text);
      continue;
    }
    stack.push_back(
        {std::move(component), {st.st_dev, st.st_ino}, S_ISDIR(st.st_mode) != 0, name, st.st_uid, st.st_mode});
  }
  // "/etc/passwd/" names nothing, as for the kernel: a trailing slash asks for a directory.
  if (!stack.back().directory && !path.empty() && path.back() == '/') return finish_missing();
  for (const Step& step : stack) result.chain.push_back(step.id);
  result.resolved = text_of(stack);
  result.is_directory = stack.back().directory;
  result.fd = std::move(stack.back().fd);
  return result;
}

}  // namespace polc::launcher
