// Stage: launcher. Opening Landlock rule paths without following a link the sandbox could have
// planted.
//
// A rule grants its rights on whatever object the launcher's descriptor names. A payload that may
// create links somewhere (make_sym or refer on a grant, or make_dir to move in a directory holding
// one) can swap a directory there for a symbolic
// link to anywhere, and keep swapping (renameat2 RENAME_EXCHANGE) while a later launch opens its
// rule paths: any check on path text (lstat, then open) is a race it can win. So each path is
// walked one component at a time from "/", every component opened with O_PATH | O_NOFOLLOW
// relative to the directory descriptor already held, and each symbolic link met is decided on
// those descriptors: a link in a directory that lies (as walked) beneath a directory granted
// make_sym, refer or make_dir, identified by device and inode, could have been planted and refuses
// the launch; so does a link another user made in a directory others may write (/tmp); any other
// link is the host's own layout (/lib -> usr/lib) and is followed by reading it
// through its own descriptor. Nothing is ever resolved again by name afterwards.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/landlock_policy.h"

namespace polc::launcher {

using InodeId = std::pair<dev_t, ino_t>;

// A rule path as walked.
struct WalkedPath {
  // The object, O_PATH | O_CLOEXEC; -1 when the path names nothing (a component is missing, or is
  // not a directory where one was needed): then `chain` holds the directories that did exist.
  UniqueFd fd;
  bool is_directory = false;
  // The directories walked through, from "/" down, and the object itself last when it exists:
  // what the path is beneath on this host, as descriptors identified it.
  std::vector<InodeId> chain;
  std::string resolved;  // the same as text (links replaced by their targets), for messages
  bool exists() const { return fd.get() >= 0; }
};

// Walks rule paths. `writable` are the rules whose directories the sandbox may create links in, or
// move directories holding links into.
class RulePathWalker {
 public:
  // Finds the directories granted make_sym, refer or make_dir among `rules` (walking them with this same
  // walker until the set no longer grows, so a writable grant reached through another one is
  // known before anything is decided). Throws Failure(ApplyFailed) as walk() does.
  explicit RulePathWalker(const std::vector<FsRule>& rules);

  // Opens `path` (absolute). Throws Failure(ApplyFailed) when it passes through a link the
  // sandbox could have planted, through more than 40 links, or on any error other than a missing
  // component. `what` names the path in messages ("the rule for", "the deny of").
  WalkedPath walk(const std::string& path, const std::string& what) const;

 private:
  // (device, inode) of each directory granted make_sym, refer or make_dir, and the rule path that granted it.
  std::map<InodeId, std::string> writable_;
};

// Rights with which the sandbox can put a link into a directory: make_sym creates one, refer
// moves one in from another such directory, make_dir lets a directory holding one be renamed in.
uint64_t fs_link_planting_rights();

}  // namespace polc::launcher
