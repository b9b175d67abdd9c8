// Stage: bundle. The coverage map and E0605.
#include "compiler/bundle/coverage.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace polc::bundle {

namespace {

// A statement is identified by where it starts. Syscall rules are the exception: their origins
// point at the target that produced them (one of `kill @a, @b`), so they are grouped by line; a
// line can hold several syscall statements, but seccomp enforces all of them or (unselected) none.
using Key = std::tuple<std::string, uint32_t, uint32_t, uint32_t, std::string>;  // module, file, line, offset, where

Key key_of(const ir::Origin& o, const diag::SourceManager& sources, bool syscall = false) {
  const uint32_t line = o.range.valid() ? sources.line_col(o.range.file, o.range.begin).line : 0;
  return {o.module, o.range.file, line, syscall ? 0 : o.range.begin + 1, o.where};
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

void add_origin(std::map<Key, CoverageEntry>& map, const ir::Origin& o, const diag::SourceManager& sources,
                bool syscall = false) {
  auto [it, inserted] = map.try_emplace(key_of(o, sources, syscall));
  if (inserted) {
    it->second.origin = o;
    it->second.statement = statement_text(o, sources, syscall);
  }
}

}  // namespace

Coverage build_coverage(const ir::Policy& policy, const diag::SourceManager& sources,
                        const backends::Enforcements& claims, bool other_sockets_refused) {
  std::map<Key, CoverageEntry> map;
  // A filesystem section denies every right its minimum ABI handles unless a rule grants it:
  // the `landlock abi` statement stands for that, and needs an enforcer even with no rules.
  if (policy.filesystem.present && policy.filesystem.min_abi > 0)
    add_origin(map, policy.filesystem.abi_origin, sources);
  for (const ir::FsRule& r : policy.filesystem.rules)
    for (const ir::Origin& o : r.origins) add_origin(map, o, sources);
  for (const ir::Origin& o : policy.filesystem.scope_origins) add_origin(map, o, sources);
  for (const ir::NetRule& r : policy.network.rules) {
    add_origin(map, r.origin, sources);
    const bool domains =
        std::any_of(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) { return h.kind == ir::HostKind::Domain; });
    const bool addresses =
        std::any_of(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) { return h.kind != ir::HostKind::Domain; });
    if (domains && addresses)
      map.at(key_of(r.origin, sources)).parts = {backends::kPartAddresses, backends::kPartDomains};
  }
  if (policy.network.proxy) add_origin(map, policy.network.proxy->origin, sources);
  for (const ir::ArchFilter& af : policy.syscalls.arches)
    for (const ir::SyscallRule& r : af.rules)
      for (const ir::Origin& o : r.origins) add_origin(map, o, sources, true);
  if (policy.syscalls.default_written) add_origin(map, policy.syscalls.default_origin, sources);
  // The OS layer: each `namespaces` statement (an implied namespace is its needing statement's),
  // limit, mount rule and workspace.
  for (const ir::NamespaceRule& n : policy.os.namespaces)
    if (!n.implied) add_origin(map, n.origin, sources);
  for (const ir::Limit& l : policy.os.limits) add_origin(map, l.origin, sources);
  for (const ir::MountRule& m : policy.os.mounts) add_origin(map, m.origin, sources);
  for (const ir::Workspace& w : policy.os.workspaces) add_origin(map, w.origin, sources);

  // Landlock's TCP rules see TCP sockets only; they enforce a network rule in full only because
  // the seccomp programs are proved to refuse every other socket (E0407). With no such program
  // in the bundle nothing refuses an MPTCP, SCTP or raw socket, which binds and connects anywhere.
  for (backends::Enforcement en : claims) {
    auto it = map.find(key_of(en.origin, sources, en.whole_line));
    if (it == map.end()) continue;
    if (!other_sockets_refused && en.tcp_sockets_only && en.extent == backends::Extent::Full) {
      en.extent = backends::Extent::Partial;
      en.how += " (TCP sockets only: no seccomp program refuses MPTCP, SCTP or raw sockets)";
    }
    it->second.enforced_by.push_back(en);
  }

  Coverage out;
  for (auto& [k, e] : map) {
    std::stable_sort(e.enforced_by.begin(), e.enforced_by.end(),
                     [](const auto& a, const auto& b) { return a.artifact < b.artifact; });
    // One statement over several programs' rules of the same arch family repeats lines: keep one.
    e.enforced_by.erase(
        std::unique(e.enforced_by.begin(), e.enforced_by.end(),
                    [](const auto& a, const auto& b) { return a.artifact == b.artifact && a.how == b.how; }),
        e.enforced_by.end());
    out.entries.push_back(std::move(e));
  }
  return out;
}

size_t report_unenforced(const Coverage& coverage, diag::Engine& engine) {
  size_t reported = 0;
  for (const CoverageEntry& e : coverage.entries) {
    auto full = [&](const std::string& part) {
      return std::any_of(e.enforced_by.begin(), e.enforced_by.end(),
                         [&](const auto& en) { return en.extent == backends::Extent::Full && en.part == part; });
    };
    if (full("")) continue;
    if (!e.parts.empty() && std::all_of(e.parts.begin(), e.parts.end(), full)) continue;
    const std::string what = e.statement.empty() ? e.origin.where : "`" + e.statement + "`";
    auto& d = engine.report(diag::Code::NotEnforced, e.origin.range,
                            e.enforced_by.empty() ? "no selected backend enforces " + what
                                                  : what + " is only partly enforced by the selected backends");
    if (!e.origin.range.valid()) d.note("polc adds this deny to every policy; nftables.nft enforces it");
    for (const auto& en : e.enforced_by)
      if (en.extent == backends::Extent::Partial || !en.part.empty()) d.note(en.artifact + " " + en.how + " (partly)");
    d.with_help("select a backend that enforces it in full (`--backends`), or remove the statement");
    ++reported;
  }
  return reported;
}

std::string statement_text(const ir::Origin& o, const diag::SourceManager& sources, bool syscall) {
  if (!o.range.valid()) return "";
  const auto first = sources.line_col(o.range.file, o.range.begin);
  const auto last = sources.line_col(o.range.file, o.range.end > o.range.begin ? o.range.end - 1 : o.range.begin);
  if (!syscall && last.line == first.line)
    return trim(sources.contents(o.range.file).substr(o.range.begin, o.range.end - o.range.begin));
  std::string text = trim(sources.line_text(o.range.file, first.line));
  if (auto hash = text.find(" #"); hash != std::string::npos) text = trim(text.substr(0, hash));
  if (last.line != first.line) text += " ...";
  return text;
}

std::vector<ManifestStatement> manifest_coverage(const Coverage& coverage) {
  std::vector<ManifestStatement> out;
  for (const CoverageEntry& e : coverage.entries) {
    ManifestStatement s{e.statement, e.origin.where, e.origin.module, {}};
    for (const auto& en : e.enforced_by)
      s.enforced_by.push_back({en.artifact, en.extent == backends::Extent::Full, en.part, en.how});
    out.push_back(std::move(s));
  }
  return out;
}

std::string coverage_text(const Coverage& coverage) {
  std::string out;
  for (const CoverageEntry& e : coverage.entries) {
    out += e.origin.where + (e.statement.empty() ? "" : ": " + e.statement) + "\n";
    if (e.enforced_by.empty()) out += "    (enforced by nothing)\n";
    for (const auto& en : e.enforced_by)
      out += "    " + en.artifact + (en.extent == backends::Extent::Full && en.part.empty() ? "" : " (partly)") + ": " +
             en.how + "\n";
  }
  return out;
}

}  // namespace polc::bundle
