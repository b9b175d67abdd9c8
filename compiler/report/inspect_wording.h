// Stage: report. Wording shared by the layouts of `polc inspect` (an internal header of
// inspect_text.cpp, inspect_markdown.cpp and inspect_json.cpp): how a rebuild, a verdict, an
// endpoint or a signer is said, so that every layout says it the same way.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "compiler/report/inspect_model.h"

namespace polc::report::inspect {

inline constexpr size_t kShortHash = 12;  // hex digits of a SHA-256 or key id in text and Markdown
inline constexpr size_t kWidth = 100;     // text lines wrap here

// ---- wording shared by text and Markdown ----

inline std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

inline std::string plural(size_t n, const std::string& word, const std::string& words = "") {
  return std::to_string(n) + " " + (n == 1 ? word : words.empty() ? word + "s" : words);
}

inline std::string queries(uint64_t n) { return plural(n, "solver query", "solver queries"); }

inline std::string short_hash(const std::string& hex) { return hex.substr(0, kShortHash); }

inline std::string rebuild_text(const Header& h) {
  switch (h.rebuild) {
    case RebuildStatus::Identical: return "artifacts are byte-identical to a rebuild from the bundled sources";
    case RebuildStatus::Differs:
      return "MISMATCH: differs from a rebuild from the bundled sources: " + join(h.mismatched);
    case RebuildStatus::NotCompared: return "built by another polc version: not compared";
  }
  return "";
}

inline const char* rebuild_key(RebuildStatus s) {
  switch (s) {
    case RebuildStatus::Identical: return "identical";
    case RebuildStatus::Differs: return "differs";
    case RebuildStatus::NotCompared: return "not_compared";
  }
  return "";
}

inline std::string expires_text(const Header& h) { return h.expires ? "expires " + *h.expires : "never expires"; }

inline std::string integrity_text(const Header& h) {
  return h.integrity.empty() ? "every file matches the manifest" : "DAMAGED: " + plural(h.integrity.size(), "problem");
}

inline size_t count_result(const Verification& v, const std::string& result) {
  return static_cast<size_t>(std::count_if(v.assertions.begin(), v.assertions.end(),
                                           [&](const AssertionVerdict& a) { return a.result == result; }));
}

inline size_t programs_equivalent(const Verification& v) {
  return static_cast<size_t>(std::count_if(v.programs.begin(), v.programs.end(),
                                           [](const ProgramVerdict& p) { return p.result == "equivalent"; }));
}

inline std::string verification_summary(const Verification& v) {
  if (!v.present) return "NONE: the manifest records no verdicts";
  const bool failed = count_result(v, "proved") != v.assertions.size() || v.tests_failed != 0 ||
                      programs_equivalent(v) != v.programs.size();
  return std::string(failed ? "FAILED: " : "") + std::to_string(count_result(v, "proved")) + " of " +
         plural(v.assertions.size(), "assertion") + " proved; " + plural(v.tests_passed, "expectation") + " passed, " +
         std::to_string(v.tests_failed) + " failed; " + std::to_string(programs_equivalent(v)) + " of " +
         plural(v.programs.size(), "program") + " proved equivalent";
}

inline std::string signers_summary(const Signers& s) {
  if (!s.checked)
    return "NOT CHECKED: signatures were not checked against a trust file (" +
           plural(s.signatures_present, "signature") + " present, unverified)";
  return std::string(s.accepted ? "accepted" : "REJECTED") + ": " + std::to_string(s.valid_signers) + " of " +
         std::to_string(s.threshold) + " required trusted signers (" + s.trust_file + ")";
}

inline std::string default_text(const Syscalls& s) {
  if (!s.default_written) return s.default_action + " (implicit: the policy writes no `default`)";
  return s.default_action;
}

inline std::string allowed_count_text(const Syscalls& s) {
  std::vector<std::string> parts;
  for (const auto& [arch, n] : s.allowed_count) parts.push_back(arch + ": " + plural(n, "syscall"));
  return join(parts);
}

inline std::string where(const StatementRef& r) {
  if (r.at.empty()) return "(implicit)";
  return r.module.empty() ? r.at : r.at + " [" + r.module + "]";
}

// A namespace as a reviewer reads it: "pid", "mount (implied by p.sbx:12)".
inline std::string namespace_text(const OsNamespace& n) {
  return n.implied ? n.name + " (implied by " + where(n.source) + ")" : n.name;
}

// "memory 512MiB"; core dumps off without a statement say it is polc's default.
inline std::string limit_text(const OsLimit& l) { return l.name + " " + l.value; }
inline std::string limit_source(const OsLimit& l) { return l.source.at.empty() ? "polc's default" : where(l.source); }

// "tmpfs /tmp (64MiB)", "hide /home/u/.ssh".
inline std::string mount_text(const OsMount& m) {
  return m.kind + " " + m.path + (m.size.empty() ? "" : " (" + m.size + ")");
}
inline std::string mount_source(const OsMount& m) {
  std::vector<std::string> at;
  for (const StatementRef& r : m.sources) at.push_back(where(r));
  return (m.masks_deny ? "masks the deny at " : "") + join(at, "; ");
}

// "discarded on failure, kill, refusal (seccomp, landlock)".
inline std::string workspace_text(const OsWorkspace& w) {
  std::string out = w.path + ": committed when the run ends cleanly";
  if (w.discard_on.empty()) return out + ", whatever happens";
  out += "; discarded on " + join(w.discard_on);
  if (!w.refusal_layers.empty()) out += " (refusals of " + join(w.refusal_layers) + ")";
  return out;
}

// The syscalls one target brings, as a reviewer reads them: names, or "@group: names", or for a
// condition, the names and the condition as written.
inline std::string target_head(const SyscallTarget& t) {
  if (t.conditional) return "when " + t.target + ": ";
  if (!t.target.empty() && t.target.front() == '@') return t.target + ": ";
  return "";
}

// "connect tcp 443", "bind udp 53", "any traffic": what a rule admits, before its hosts.
inline std::string endpoint_head(const NetEntry& e) {
  std::vector<std::string> words;
  if (e.direction != "any") words.push_back(e.direction);
  if (e.proto != "any") words.push_back(e.proto);
  if (!e.ports.empty()) words.push_back((e.proto == "any" ? "port " : "") + join(e.ports));
  return words.empty() ? "any traffic" : join(words, " ");
}

// The hosts after "to": `hosts` picks addresses or domains for rules that name both. A bind has
// no destination.
inline std::vector<std::string> endpoint_hosts(const NetEntry& e, const std::vector<std::string>& hosts) {
  if (!hosts.empty()) return hosts;
  if (e.direction == "bind") return {};
  return {"any host"};
}

inline std::vector<std::string> all_hosts(const NetEntry& e) {
  std::vector<std::string> hosts = e.addresses;
  hosts.insert(hosts.end(), e.domains.begin(), e.domains.end());
  return hosts;
}

// "connect tcp 443 to pypi.org, files.pythonhosted.org".
inline std::string endpoint_text(const NetEntry& e, const std::vector<std::string>& hosts) {
  const auto to = endpoint_hosts(e, hosts);
  return endpoint_head(e) + (to.empty() ? "" : " to " + join(to));
}

// polc adds it to every policy; sema leaves out the endpoints the policy allows explicitly.
inline constexpr const char* kImplicitDeny = "implicit: added by polc (cloud metadata)";

inline std::string enforcer_text(const Enforcer& e) {
  if (e.full && e.part.empty()) return e.artifact;
  std::string qualifier = e.full ? "" : "partly";
  if (!e.part.empty()) qualifier += (qualifier.empty() ? "" : ", ") + e.part;
  return e.artifact + " (" + qualifier + ")";
}

inline std::vector<std::string> enforcers(const CoverageRow& row) {
  std::vector<std::string> out;
  for (const Enforcer& e : row.enforced_by) {
    const std::string t = enforcer_text(e);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

// The implicit metadata deny has no statement: its `at` says what it is.
inline std::string coverage_line(const CoverageRow& row) {
  if (row.source.statement.empty()) return row.source.at.empty() ? "(implicit)" : row.source.at + " (added by polc)";
  return where(row.source) + ": " + row.source.statement;
}

inline std::string min_version_text(const Signers& s, const Header& h) {
  if (!s.min_version) return "no minimum version for " + h.policy_name;
  return "minimum version " + std::to_string(*s.min_version) + " for " + h.policy_name +
         " (this bundle: " + std::to_string(h.policy_version) + ")";
}

inline std::string file_kind(const FileRow& f) {
  if (!f.source) return "artifact";
  std::string kind = "source";
  if (!f.role.empty()) kind += " (" + f.role + (f.module.empty() ? "" : " " + f.module) + ")";
  return kind;
}

// The allow rules' address part (or every host), or their domain part: a rule naming both is
// enforced in two places and is listed in both.
struct NetGrant {
  const NetEntry* entry;
  std::vector<std::string> hosts;
};

inline std::vector<NetGrant> net_grants(const std::vector<NetEntry>& list, bool domains) {
  std::vector<NetGrant> out;
  for (const NetEntry& e : list) {
    if (domains && !e.domains.empty()) out.push_back({&e, e.domains});
    if (!domains && (!e.addresses.empty() || e.any_host)) out.push_back({&e, e.addresses});
  }
  return out;
}

}  // namespace polc::report::inspect
