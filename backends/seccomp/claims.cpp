// Stage: backends/seccomp. The seccomp files' claims (see claims.h).
#include "backends/seccomp/claims.h"

#include <map>
#include <tuple>

namespace polc::backends::seccomp {

namespace {

// A syscall statement is its line: rule origins point at the target that produced them (one of
// `kill @a, @b`), and the coverage map groups them by line the same way.
using LineKey = std::tuple<std::string, uint32_t, uint32_t, std::string>;  // module, file, line, where

LineKey line_of(const ir::Origin& o, const diag::SourceManager& sources) {
  const uint32_t line = o.range.valid() ? sources.line_col(o.range.file, o.range.begin).line : 0;
  return {o.module, o.range.file, line, o.where};
}

// "allow read, write, close and 12 more" for the syscall rules one statement produced on one arch.
std::string syscall_summary(const std::string& action, const std::vector<std::string>& names) {
  constexpr size_t kShown = 6;
  std::string out = action + " ";
  for (size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out;
}

}  // namespace

Enforcements claims(const ir::Policy& policy, const diag::SourceManager& sources,
                    const std::vector<std::pair<arch::Arch, std::string>>& programs, const std::string& oci_file) {
  Enforcements out;
  for (const ir::ArchFilter& af : policy.syscalls.arches) {
    std::vector<std::string> files;  // every program that decides this arch's calls
    for (const auto& [a, f] : programs)
      if (a == af.arch) files.push_back(f);
    struct Group {
      ir::Origin origin;  // the first target of the statement seen
      std::vector<std::string> names;
    };
    std::map<std::pair<LineKey, std::string>, Group> groups;  // (statement, action) -> syscalls
    for (const ir::SyscallRule& r : af.rules)
      for (const ir::Origin& o : r.origins) {
        auto [it, inserted] = groups.try_emplace({line_of(o, sources), ir::action_text(r.action)});
        if (inserted) it->second.origin = o;
        auto& list = it->second.names;
        if (list.empty() || list.back() != r.syscall) list.push_back(r.syscall);
      }
    for (const auto& [key, group] : groups) {
      const std::string how = syscall_summary(key.second, group.names) + " on " + std::string(arch::name(af.arch));
      const ir::Origin& origin = group.origin;  // clang 14 captures no structured binding
      auto claim = [&](const std::string& file) {
        Enforcement e{origin, file, Extent::Full, how};
        e.whole_line = true;
        out.push_back(std::move(e));
      };
      for (const std::string& file : files) claim(file);
      if (!oci_file.empty() && !files.empty()) claim(oci_file);
    }
  }
  // The default decides every call no rule matches, in every program.
  if (policy.syscalls.default_written) {
    const ir::Origin& o = policy.syscalls.default_origin;
    const std::string how = "decides every call no rule matches: " + ir::action_text(policy.syscalls.default_action);
    for (const auto& [a, file] : programs) out.push_back({o, file, Extent::Full, how});
    if (!oci_file.empty()) out.push_back({o, oci_file, Extent::Full, how});
  }
  return out;
}

}  // namespace polc::backends::seccomp
