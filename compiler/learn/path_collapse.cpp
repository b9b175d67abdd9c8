// Stage: learn. Path collapse; the rules are in path_collapse.h.
#include "compiler/learn/path_collapse.h"

#include <algorithm>
#include <vector>

#include "compiler/ir/landlock_names.h"
#include "compiler/ir/vocab.h"
#include "compiler/learn/path_text.h"
#include "compiler/learn/sensitive_paths.h"

namespace polc::learn {
namespace {

constexpr size_t kSiblingThreshold = 3;

bool beneath(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

size_t depth(const std::string& path) { return path == "/" ? 0 : std::count(path.begin(), path.end(), '/'); }

// "/usr/lib/x86_64-linux-gnu" for a path beneath a multiarch library directory.
std::optional<std::string> library_dir(const std::string& path) {
  const std::string prefix = "/usr/lib/";
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  size_t end = path.find('/', prefix.size());
  std::string name = path.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
  if (name.find("-linux-") == std::string::npos) return std::nullopt;
  return prefix + name;
}

}  // namespace

bool created_target_ok(const std::string& dir) {
  if (dir == "/" || dir == "/root" || (depth(dir) == 2 && beneath(dir, "/home"))) return false;
  for (const char* system : {"/proc", "/sys", "/dev", "/etc", "/usr"})
    if (beneath(dir, system)) return false;
  return !sensitive_path(dir);
}

bool collapse_forbidden(const std::string& dir) {
  if (depth(dir) <= 1) return true;  // "/" and every top-level directory
  if (dir == "/root" || (depth(dir) == 2 && beneath(dir, "/home"))) return true;
  for (const char* kernel : {"/proc", "/sys", "/dev"})
    if (beneath(dir, kernel)) return true;
  return sensitive_path(dir);
}

PathRights collapse_paths(const PathRights& observed, const std::set<std::string>& sensitive,
                          const std::set<std::string>& created) {
  constexpr uint64_t kRead = ir::fs_right::kReadFile | ir::fs_right::kReadDir;
  auto above_sensitive = [&](const std::string& dir) {
    for (const std::string& s : sensitive)
      if (beneath(s, dir)) return true;
    return false;
  };
  auto allowed_target = [&](const std::string& dir) { return !collapse_forbidden(dir) && !above_sensitive(dir); };

  // Rule 0: created entries go to the directory they were created in.
  PathRights moved;
  for (const auto& [path, rights] : observed) {
    std::string target = path;
    for (std::string p = path; p != "/"; p = parent_dir(p))
      if (created.count(p) && created_target_ok(parent_dir(p)) && !above_sensitive(parent_dir(p))) target = parent_dir(p);
    moved[target] |= rights;
  }

  PathRights rules;
  // Rule 1: libraries.
  for (const auto& [path, rights] : moved) {
    auto lib = library_dir(path);
    if (lib && (rights & kRead) && allowed_target(*lib)) {
      rules[*lib] |= rights & kRead;
      if (rights & ~kRead) rules[path] |= rights & ~kRead;
    } else {
      rules[path] |= rights;
    }
  }

  // Rule 2: siblings, per right, repeated upwards until nothing changes.
  for (const ir::LandlockName& right : ir::kFsRightNames) {
    for (bool changed = true; changed;) {
      changed = false;
      std::map<std::string, std::vector<std::string>> by_parent;
      for (const auto& [path, rights] : rules)
        if ((rights & right.bit) && path != "/") by_parent[parent_dir(path)].push_back(path);
      for (const auto& [dir, entries] : by_parent) {
        if (entries.size() < kSiblingThreshold || !allowed_target(dir)) continue;
        for (const std::string& e : entries) rules[e] &= ~right.bit;
        rules[dir] |= right.bit;
        changed = true;
      }
    }
  }

  return drop_covered(std::move(rules));
}

PathRights drop_covered(PathRights rules) {
  for (auto& [path, rights] : rules) {
    for (std::string dir = path; dir != "/";) {
      dir = parent_dir(dir);
      auto it = rules.find(dir);
      if (it != rules.end()) rights &= ~it->second;
    }
  }
  std::erase_if(rules, [](const auto& entry) { return entry.second == 0; });
  return rules;
}

}  // namespace polc::learn
