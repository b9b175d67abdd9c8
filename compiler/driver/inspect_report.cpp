// Stage: driver. The three layouts of `polc inspect`'s review report (see inspect_report.h): text
// for a terminal, Markdown for a pull request or a review ticket, JSON for tools. They lay out one
// inspect::Model, so every format states the same facts in the same order.
#include "compiler/driver/inspect_report.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "compiler/driver/inspect_model.h"

namespace polc::driver {

namespace {

using namespace inspect;

constexpr size_t kShortHash = 12;  // hex digits of a SHA-256 or key id in text and Markdown
constexpr size_t kWidth = 100;     // text lines wrap here

// ---- wording shared by text and Markdown ----

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string plural(size_t n, const std::string& word, const std::string& words = "") {
  return std::to_string(n) + " " + (n == 1 ? word : words.empty() ? word + "s" : words);
}

std::string queries(uint64_t n) { return plural(n, "solver query", "solver queries"); }

std::string short_hash(const std::string& hex) { return hex.substr(0, kShortHash); }

std::string rebuild_text(const Header& h) {
  switch (h.rebuild) {
    case RebuildStatus::Identical: return "artifacts are byte-identical to a rebuild from the bundled sources";
    case RebuildStatus::Differs:
      return "MISMATCH: differs from a rebuild from the bundled sources: " + join(h.mismatched);
    case RebuildStatus::NotCompared: return "built by another polc version: not compared";
  }
  return "";
}

const char* rebuild_key(RebuildStatus s) {
  switch (s) {
    case RebuildStatus::Identical: return "identical";
    case RebuildStatus::Differs: return "differs";
    case RebuildStatus::NotCompared: return "not_compared";
  }
  return "";
}

std::string expires_text(const Header& h) { return h.expires ? "expires " + *h.expires : "never expires"; }

std::string integrity_text(const Header& h) {
  return h.integrity.empty() ? "every file matches the manifest" : "DAMAGED: " + plural(h.integrity.size(), "problem");
}

size_t count_result(const Verification& v, const std::string& result) {
  return static_cast<size_t>(std::count_if(v.assertions.begin(), v.assertions.end(),
                                           [&](const AssertionVerdict& a) { return a.result == result; }));
}

size_t programs_equivalent(const Verification& v) {
  return static_cast<size_t>(std::count_if(v.programs.begin(), v.programs.end(),
                                           [](const ProgramVerdict& p) { return p.result == "equivalent"; }));
}

std::string verification_summary(const Verification& v) {
  if (!v.present) return "NONE: the manifest records no verdicts";
  const bool failed = count_result(v, "proved") != v.assertions.size() || v.tests_failed != 0 ||
                      programs_equivalent(v) != v.programs.size();
  return std::string(failed ? "FAILED: " : "") + std::to_string(count_result(v, "proved")) + " of " +
         plural(v.assertions.size(), "assertion") + " proved; " + plural(v.tests_passed, "expectation") + " passed, " +
         std::to_string(v.tests_failed) + " failed; " + std::to_string(programs_equivalent(v)) + " of " +
         plural(v.programs.size(), "program") + " proved equivalent";
}

std::string signers_summary(const Signers& s) {
  if (!s.checked)
    return "NOT CHECKED: signatures were not checked against a trust file (" +
           plural(s.signatures_present, "signature") + " present, unverified)";
  return std::string(s.accepted ? "accepted" : "REJECTED") + ": " + std::to_string(s.valid_signers) + " of " +
         std::to_string(s.threshold) + " required trusted signers (" + s.trust_file + ")";
}

std::string default_text(const Syscalls& s) {
  if (!s.default_written) return s.default_action + " (implicit: the policy writes no `default`)";
  return s.default_action;
}

std::string allowed_count_text(const Syscalls& s) {
  std::vector<std::string> parts;
  for (const auto& [arch, n] : s.allowed_count) parts.push_back(arch + ": " + plural(n, "syscall"));
  return join(parts);
}

std::string where(const StatementRef& r) {
  if (r.at.empty()) return "(implicit)";
  return r.module.empty() ? r.at : r.at + " [" + r.module + "]";
}

// The syscalls one target brings, as a reviewer reads them: names, or "@group: names", or for a
// condition, the names and the condition as written.
std::string target_head(const SyscallTarget& t) {
  if (t.conditional) return "when " + t.target + ": ";
  if (!t.target.empty() && t.target.front() == '@') return t.target + ": ";
  return "";
}

// "connect tcp 443", "bind udp 53", "any traffic": what a rule admits, before its hosts.
std::string endpoint_head(const NetEntry& e) {
  std::vector<std::string> words;
  if (e.direction != "any") words.push_back(e.direction);
  if (e.proto != "any") words.push_back(e.proto);
  if (!e.ports.empty()) words.push_back((e.proto == "any" ? "port " : "") + join(e.ports));
  return words.empty() ? "any traffic" : join(words, " ");
}

// The hosts after "to": `hosts` picks addresses or domains for rules that name both. A bind has
// no destination.
std::vector<std::string> endpoint_hosts(const NetEntry& e, const std::vector<std::string>& hosts) {
  if (!hosts.empty()) return hosts;
  if (e.direction == "bind") return {};
  return {"any host"};
}

std::vector<std::string> all_hosts(const NetEntry& e) {
  std::vector<std::string> hosts = e.addresses;
  hosts.insert(hosts.end(), e.domains.begin(), e.domains.end());
  return hosts;
}

// "connect tcp 443 to pypi.org, files.pythonhosted.org".
std::string endpoint_text(const NetEntry& e, const std::vector<std::string>& hosts) {
  const auto to = endpoint_hosts(e, hosts);
  return endpoint_head(e) + (to.empty() ? "" : " to " + join(to));
}

// polc adds it to every policy; sema leaves out the endpoints the policy allows explicitly.
const char* kImplicitDeny = "implicit: added by polc (cloud metadata)";

std::string enforcer_text(const Enforcer& e) {
  if (e.full && e.part.empty()) return e.artifact;
  std::string qualifier = e.full ? "" : "partly";
  if (!e.part.empty()) qualifier += (qualifier.empty() ? "" : ", ") + e.part;
  return e.artifact + " (" + qualifier + ")";
}

std::vector<std::string> enforcers(const CoverageRow& row) {
  std::vector<std::string> out;
  for (const Enforcer& e : row.enforced_by) {
    const std::string t = enforcer_text(e);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

// The implicit metadata deny has no statement: its `at` says what it is.
std::string coverage_line(const CoverageRow& row) {
  if (row.source.statement.empty()) return row.source.at.empty() ? "(implicit)" : row.source.at + " (added by polc)";
  return where(row.source) + ": " + row.source.statement;
}

std::string min_version_text(const Signers& s, const Header& h) {
  if (!s.min_version) return "no minimum version for " + h.policy_name;
  return "minimum version " + std::to_string(*s.min_version) + " for " + h.policy_name +
         " (this bundle: " + std::to_string(h.policy_version) + ")";
}

std::string file_kind(const FileRow& f) {
  if (!f.source) return "artifact";
  std::string kind = "source";
  if (!f.role.empty()) kind += " (" + f.role + (f.module.empty() ? "" : " " + f.module) + ")";
  return kind;
}

// ---- text ----

// `items` joined by ", " after `head`, wrapped at kWidth with continuation lines at `indent`.
std::string wrapped(const std::string& head, const std::vector<std::string>& items, size_t indent) {
  std::string out = std::string(indent, ' ') + head;
  size_t col = out.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string piece = items[i] + (i + 1 < items.size() ? "," : "");
    if (col + 1 + piece.size() > kWidth && col > indent + head.size()) {
      out += "\n" + std::string(indent + 2, ' ');
      col = indent + 2;
    } else if (i > 0) {
      out += ' ';
      ++col;
    }
    out += piece;
    col += piece.size();
  }
  return out + "\n";
}

// Rows of cells, each column padded to its widest cell (the last one is not padded).
std::string table(const std::vector<std::vector<std::string>>& rows, size_t indent) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line(indent, ' ');
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string section(const std::string& title) { return "\n" + title + "\n" + std::string(title.size(), '=') + "\n"; }

std::string text_header(const Model& m) {
  const Header& h = m.header;
  std::vector<std::vector<std::string>> rows = {
      {"compiler", h.compiler},
      {"expiry", expires_text(h)},
      {"manifest", "sha256 " + h.manifest_sha256},
      {"targets", join(h.targets)},
  };
  if (!h.backends.empty()) rows.push_back({"backends", join(h.backends)});
  rows.push_back({"rebuild", rebuild_text(h)});
  rows.push_back({"integrity", integrity_text(h)});
  rows.push_back({"verification", verification_summary(m.verification)});
  rows.push_back({"signatures", signers_summary(m.signers)});
  std::string out = "polc inspect: " + h.policy_name + " version " + std::to_string(h.policy_version) + "\n\n";
  out += table(rows, 2);
  for (const std::string& p : h.integrity) out += "    - " + p + "\n";
  return out;
}

// `action`: also name the statement's action (denies, where it differs from statement to statement).
std::string text_statement(const SyscallStatement& s, bool action) {
  std::string out =
      "  " + s.source.statement + "\n    at " + where(s.source) + (action ? "  -> " + s.action : "") + "\n";
  for (const SyscallTarget& t : s.targets) {
    if (!t.common.empty()) out += wrapped(target_head(t), t.common, 4);
    for (const auto& [arch, names] : t.only) out += wrapped(target_head(t) + "on " + arch + " only: ", names, 4);
  }
  return out;
}

std::string text_statements(const std::string& title, const std::vector<SyscallStatement>& list, bool action) {
  if (list.empty()) return "";
  std::string out = "\n" + title + "\n";
  for (const SyscallStatement& s : list) out += text_statement(s, action);
  return out;
}

std::string text_syscalls_grants(const Syscalls& s) {
  std::string out = "\nSyscalls\n  default: " + default_text(s);
  if (s.default_written) out += "  (" + s.default_source.at + ": " + s.default_source.statement + ")";
  out += "\n  calls from any other architecture or ABI: kill_process\n";
  out += "  allowed: " + allowed_count_text(s) + "; conditions as written in each statement\n";
  out += text_statements("Syscalls allowed, by statement", s.allowed, false);
  out +=
      text_statements("Syscalls that run under supervision (log, trace, user_notif), by statement", s.supervised, true);
  return out;
}

std::string text_fs_entries(const std::vector<FsEntry>& entries) {
  std::string out;
  for (const FsEntry& e : entries) {
    std::vector<std::string> at;
    for (const StatementRef& r : e.sources) at.push_back(where(r));
    out += "  " + e.path + "  (" + join(at, "; ") + ")\n";
    out += wrapped("", e.rights, 6);
  }
  return out;
}

std::string text_fs_grants(const Filesystem& fs) {
  std::string out = "\nFilesystem\n";
  if (!fs.present) return out + "  no filesystem section: Landlock is not applied, paths are not restricted\n";
  out += "  Landlock ABI >= " + std::to_string(fs.min_abi) + "  (" + fs.abi_source.at + ": " + fs.abi_source.statement +
         ")\n";
  out += wrapped("denied wherever no rule grants them: ", fs.handled, 2);
  if (!fs.scopes.empty()) out += "  scopes: " + join(fs.scopes) + "\n";
  if (!fs.best_effort.empty())
    out += "  best effort (applied where the kernel has them): " + join(fs.best_effort) + "\n";
  if (fs.granted.empty()) return out + "  no path is granted\n";
  return out + "\nPaths granted, with their rights\n" + text_fs_entries(fs.granted);
}

// The allow rules' address part (or every host), or their domain part: a rule naming both is
// enforced in two places and is listed in both.
struct NetGrant {
  const NetEntry* entry;
  std::vector<std::string> hosts;
};

std::vector<NetGrant> net_grants(const std::vector<NetEntry>& list, bool domains) {
  std::vector<NetGrant> out;
  for (const NetEntry& e : list) {
    if (domains && !e.domains.empty()) out.push_back({&e, e.domains});
    if (!domains && (!e.addresses.empty() || e.any_host)) out.push_back({&e, e.addresses});
  }
  return out;
}

std::string text_net_entry(const NetEntry& e, const std::vector<std::string>& hosts, const std::string& prefix,
                           size_t indent) {
  const auto to = endpoint_hosts(e, hosts);
  const std::string head = prefix + endpoint_head(e);
  std::string out = to.empty() ? std::string(indent, ' ') + head + "\n" : wrapped(head + " to ", to, indent);
  return out + std::string(indent + 2, ' ') + (e.implicit ? std::string(kImplicitDeny) : "at " + where(e.source)) +
         "\n";
}

std::string text_net_grants(const Network& n) {
  std::string out = "\nNetwork\n";
  if (!n.present) return out + "  no network section: every connection and bind is allowed\n";
  for (bool domains : {false, true}) {
    out += domains ? "  domains allowed (through the proxy):\n" : "  endpoints allowed (addresses):\n";
    const auto grants = net_grants(n.allowed, domains);
    if (grants.empty()) out += "    none\n";
    for (const NetGrant& g : grants) out += text_net_entry(*g.entry, g.hosts, "", 4);
  }
  if (!n.proxy) return out + "  proxy endpoint: none\n";
  return out + "  proxy endpoint: " + n.proxy->endpoint + "  (" + n.proxy->source.at + ": " + n.proxy->source.statement +
         ")\n";
}

std::string text_denies(const Model& m) {
  std::string out = section("Explicit denies");
  out += m.syscalls.denied.empty() ? "\nSyscalls: no deny, kill, trap or errno rule\n"
                                   : text_statements("Syscalls denied, by statement", m.syscalls.denied, true);
  out += "\nFilesystem denies\n" + (m.filesystem.denied.empty() ? "  none\n" : text_fs_entries(m.filesystem.denied));
  out += "\nNetwork denies (they beat every allow)\n";
  if (m.network.denied.empty()) out += "  none\n";
  for (const NetEntry& e : m.network.denied) out += text_net_entry(e, all_hosts(e), "deny ", 2);
  return out;
}

std::string text_coverage(const Model& m) {
  std::string out = section("Coverage: the artifacts that enforce each statement");
  for (const CoverageRow& row : m.coverage) {
    out += "  " + coverage_line(row) + "\n";
    const auto by = enforcers(row);
    out += by.empty() ? "      ENFORCED BY NOTHING\n" : wrapped("", by, 6);
  }
  return out;
}

std::string text_verification(const Verification& v) {
  std::string out = section("Verification");
  if (!v.present) return out + "  the manifest records no verdicts\n";
  out += "  solver: " + v.solver + "\n  assertions: " + std::to_string(count_result(v, "proved")) + " proved, " +
         std::to_string(v.assertions.size() - count_result(v, "proved")) + " not proved\n";
  std::vector<std::vector<std::string>> rows;
  for (const AssertionVerdict& a : v.assertions) rows.push_back({a.result, a.source.at, a.source.statement});
  out += table(rows, 4);
  for (const AssertionVerdict& a : v.assertions)
    if (!a.counterexample.empty()) out += "    counterexample to " + a.source.at + ": " + a.counterexample + "\n";
  out +=
      "  tests: " + plural(v.tests_passed, "expectation") + " passed, " + std::to_string(v.tests_failed) + " failed\n";
  out += "  lint warnings: " + std::to_string(v.warnings) + "  (" + queries(v.queries) + ")\n";
  out += "  translation validation (each seccomp program against the policy):\n";
  rows.clear();
  for (const ProgramVerdict& p : v.programs) rows.push_back({p.artifact, p.result, queries(p.queries)});
  return out + (rows.empty() ? "    no seccomp program\n" : table(rows, 4));
}

std::string text_signers(const Model& m) {
  const Signers& s = m.signers;
  std::string out = section("Signers");
  if (!s.checked)
    return out + "  signatures were not checked against a trust file (" + plural(s.signatures_present, "signature") +
           " in signatures.json, unverified)\n";
  out += "  trust file: " + s.trust_file + "\n  threshold: " + std::to_string(s.threshold) +
         " distinct trusted signers; valid: " + std::to_string(s.valid_signers) + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const Signer& k : s.signers)
    rows.push_back({k.name.empty() ? "(unnamed)" : k.name, short_hash(k.key_id),
                    k.state == "signed" ? k.state : "NOT SIGNED: " + k.state});
  out += table(rows, 4);
  std::vector<std::string> unknown;
  for (const std::string& id : s.unknown_signers) unknown.push_back(short_hash(id));
  out += "  unknown signers: " + (unknown.empty() ? std::string("none") : join(unknown)) + "\n";
  out += "  " + min_version_text(s, m.header) + "\n";
  out += "  verdict: " + std::string(s.accepted ? "accepted" : "REJECTED") + "\n";
  for (const std::string& p : s.problems) out += "    - " + p + "\n";
  return out;
}

std::string text_files(const Model& m) {
  size_t width = 0;  // sizes are right-aligned
  for (const FileRow& f : m.files) width = std::max(width, std::to_string(f.size).size());
  std::vector<std::vector<std::string>> rows;
  for (const FileRow& f : m.files) {
    const std::string size = std::to_string(f.size);
    rows.push_back({f.path, std::string(width - size.size(), ' ') + size + " B", short_hash(f.sha256), file_kind(f)});
  }
  return section("Files (SHA-256 prefixes; full digests in the JSON report)") + table(rows, 2);
}

// ---- Markdown ----

// Text in a table cell or a paragraph: Markdown's own characters escaped.
std::string md(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// Source text as code; a pipe still ends a table cell inside a code span unless escaped.
std::string code(const std::string& s) {
  if (s.empty()) return "";
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  const bool tick = s.find('`') != std::string::npos;
  return tick ? "`` " + out + " ``" : "`" + out + "`";
}

std::string md_where(const StatementRef& r) {
  if (r.at.empty()) return "implicit";
  return r.module.empty() ? md(r.at) : md(r.at) + " (" + md(r.module) + ")";
}

std::string md_table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows) {
  std::string out = "|";
  for (const std::string& h : head) out += " " + h + " |";
  out += "\n|";
  for (size_t i = 0; i < head.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const std::string& cell : row) out += " " + cell + " |";
    out += "\n";
  }
  return out + "\n";
}

std::string md_header(const Model& m) {
  const Header& h = m.header;
  std::string out = "## polc inspect: `" + h.policy_name + "` version " + std::to_string(h.policy_version) + "\n\n";
  std::vector<std::vector<std::string>> rows = {
      {"compiler", md(h.compiler)},
      {"expiry", md(expires_text(h))},
      {"manifest SHA-256", code(h.manifest_sha256)},
      {"targets", md(join(h.targets))},
  };
  if (!h.backends.empty()) rows.push_back({"backends", md(join(h.backends))});
  rows.push_back({"rebuild", (h.rebuild == RebuildStatus::Identical ? "" : "⚠ ") + md(rebuild_text(h))});
  std::string integrity = md(integrity_text(h));
  for (const std::string& p : h.integrity) integrity += "<br>" + md(p);
  rows.push_back({"integrity", integrity});
  rows.push_back({"verification", md(verification_summary(m.verification))});
  rows.push_back({"signatures", md(signers_summary(m.signers))});
  return out + md_table({"", ""}, rows);
}

std::string md_syscalls_cell(const SyscallStatement& s) {
  std::vector<std::string> lines;
  for (const SyscallTarget& t : s.targets) {
    std::string head = t.conditional                                    ? "when " + code(t.target) + ": "
                       : (!t.target.empty() && t.target.front() == '@') ? "**" + md(t.target) + "**: "
                                                                        : "";
    if (!t.common.empty()) lines.push_back(head + md(join(t.common)));
    for (const auto& [arch, names] : t.only) lines.push_back(head + "*on " + arch + " only:* " + md(join(names)));
  }
  return join(lines, "<br>");
}

std::string md_statements(const std::string& title, const std::vector<SyscallStatement>& list, bool action) {
  if (list.empty()) return "";
  std::vector<std::vector<std::string>> rows;
  for (const SyscallStatement& s : list) {
    std::vector<std::string> row = {code(s.source.statement), md_where(s.source)};
    if (action) row.push_back(code(s.action));
    row.push_back(md_syscalls_cell(s));
    rows.push_back(std::move(row));
  }
  std::vector<std::string> head = {"statement", "at"};
  if (action) head.push_back("action");
  head.push_back("syscalls");
  return "**" + title + "**\n\n" + md_table(head, rows);
}

std::string md_fs_table(const std::vector<FsEntry>& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const FsEntry& e : entries) {
    std::vector<std::string> at;
    for (const StatementRef& r : e.sources) at.push_back(md_where(r));
    rows.push_back({code(e.path), md(join(e.rights)), join(at, "<br>")});
  }
  return md_table({"path", "rights", "at"}, rows);
}

std::string md_syscalls_grants(const Syscalls& s) {
  std::string out = "#### Syscalls\n\n- default: " + code(default_text(s));
  if (s.default_written) out += " (" + md(s.default_source.at) + ": " + code(s.default_source.statement) + ")";
  out += "\n- calls from any other architecture or ABI: `kill_process`\n";
  out += "- allowed: " + md(allowed_count_text(s)) + "\n\n";
  out += md_statements("Allowed, by statement", s.allowed, false);
  return out + md_statements("Runs under supervision (log, trace, user_notif), by statement", s.supervised, true);
}

std::string md_fs_grants(const Filesystem& fs) {
  std::string out = "#### Filesystem\n\n";
  if (!fs.present) return out + "No filesystem section: Landlock is not applied, paths are not restricted.\n\n";
  out += "- Landlock ABI >= " + std::to_string(fs.min_abi) + " (" + md(fs.abi_source.at) + ": " +
         code(fs.abi_source.statement) + ")\n";
  out += "- denied wherever no rule grants them: " + md(join(fs.handled)) + "\n";
  if (!fs.scopes.empty()) out += "- scopes: " + md(join(fs.scopes)) + "\n";
  if (!fs.best_effort.empty())
    out += "- best effort (applied where the kernel has them): " + md(join(fs.best_effort)) + "\n";
  return out + "\n" + (fs.granted.empty() ? std::string("No path is granted.\n\n") : md_fs_table(fs.granted));
}

std::string md_net_grants(const Network& n) {
  std::string out = "#### Network\n\n";
  if (!n.present) return out + "No network section: every connection and bind is allowed.\n\n";
  std::vector<std::vector<std::string>> rows;
  for (bool domains : {false, true})
    for (const NetGrant& g : net_grants(n.allowed, domains))
      rows.push_back({domains ? "domain, through the proxy" : "endpoint", md(endpoint_text(*g.entry, g.hosts)),
                      md_where(g.entry->source)});
  out += rows.empty() ? "No endpoint is allowed.\n\n" : md_table({"kind", "allowed", "at"}, rows);
  if (!n.proxy) return out + "Proxy endpoint: none\n\n";
  return out + "Proxy endpoint: " + code(n.proxy->endpoint) + " (" + md(n.proxy->source.at) + ": " +
         code(n.proxy->source.statement) + ")\n\n";
}

std::string md_grants(const Model& m) {
  return "### Grants\n\n" + md_syscalls_grants(m.syscalls) + md_fs_grants(m.filesystem) + md_net_grants(m.network);
}

std::string md_denies(const Model& m) {
  std::string out = "### Explicit denies\n\n";
  out += m.syscalls.denied.empty() ? "Syscalls: no deny, kill, trap or errno rule.\n\n"
                                   : md_statements("Syscalls", m.syscalls.denied, true);
  out += "**Filesystem**\n\n" +
         (m.filesystem.denied.empty() ? std::string("None.\n\n") : md_fs_table(m.filesystem.denied));
  std::vector<std::vector<std::string>> rows;
  for (const NetEntry& e : m.network.denied)
    rows.push_back({md("deny " + endpoint_text(e, all_hosts(e))),
                    e.implicit ? "**" + md(kImplicitDeny) + "**" : md_where(e.source)});
  out += "**Network** (denies beat every allow)\n\n" +
         (rows.empty() ? std::string("None.\n\n") : md_table({"denied", "at"}, rows));
  return out;
}

std::string md_coverage(const Model& m) {
  std::vector<std::vector<std::string>> rows;
  for (const CoverageRow& row : m.coverage) {
    const auto by = enforcers(row);
    if (row.source.statement.empty())
      rows.push_back(
          {md(row.source.at) + " (added by polc)", "implicit", by.empty() ? "⚠ **nothing**" : md(join(by, ", "))});
    else
      rows.push_back(
          {code(row.source.statement), md_where(row.source), by.empty() ? "⚠ **nothing**" : md(join(by, ", "))});
  }
  return "### Coverage\n\n" + md_table({"statement", "at", "enforced by"}, rows);
}

std::string md_verification(const Verification& v) {
  std::string out = "### Verification\n\n";
  if (!v.present) return out + "The manifest records no verdicts.\n\n";
  out += "- solver: " + md(v.solver) + "\n- tests: " + plural(v.tests_passed, "expectation") + " passed, " +
         std::to_string(v.tests_failed) + " failed\n- lint warnings: " + std::to_string(v.warnings) + " (" +
         queries(v.queries) + ")\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const AssertionVerdict& a : v.assertions)
    rows.push_back({code(a.source.statement), md(a.source.at),
                    a.result == "proved" ? "proved" : "⚠ **" + md(a.result) + "**", md(a.counterexample)});
  if (!rows.empty()) out += md_table({"assertion", "at", "result", "counterexample"}, rows);
  rows.clear();
  for (const ProgramVerdict& p : v.programs)
    rows.push_back({code(p.artifact), p.result == "equivalent" ? "equivalent" : "⚠ **" + md(p.result) + "**",
                    std::to_string(p.queries)});
  out += "**Translation validation** (each seccomp program against the policy)\n\n";
  return out + (rows.empty() ? "No seccomp program.\n\n" : md_table({"program", "result", "queries"}, rows));
}

std::string md_signers(const Model& m) {
  const Signers& s = m.signers;
  std::string out = "### Signers\n\n";
  if (!s.checked)
    return out + "⚠ Signatures were **not checked** against a trust file (" +
           plural(s.signatures_present, "signature") + " in signatures.json, unverified).\n\n";
  out += "- trust file: " + code(s.trust_file) + "\n- threshold: " + std::to_string(s.threshold) +
         " distinct trusted signers; valid: " + std::to_string(s.valid_signers) + "\n";
  std::vector<std::string> unknown;
  for (const std::string& id : s.unknown_signers) unknown.push_back(code(short_hash(id)));
  out += "- unknown signers: " + (unknown.empty() ? std::string("none") : join(unknown)) + "\n";
  out += "- " + md(min_version_text(s, m.header)) + "\n";
  out += "- verdict: " + std::string(s.accepted ? "**accepted**" : "⚠ **rejected**") + "\n";
  for (const std::string& p : s.problems) out += "  - " + md(p) + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const Signer& k : s.signers)
    rows.push_back({md(k.name.empty() ? "(unnamed)" : k.name), code(short_hash(k.key_id)),
                    k.state == "signed" ? "signed" : "⚠ **" + k.state + "**"});
  return out + "\n" + (rows.empty() ? "" : md_table({"trusted key", "id", "state"}, rows));
}

std::string md_files(const Model& m) {
  std::vector<std::vector<std::string>> rows;
  for (const FileRow& f : m.files)
    rows.push_back({code(f.path), md(file_kind(f)), std::to_string(f.size), code(short_hash(f.sha256))});
  return "### Files\n\n" + md_table({"file", "kind", "bytes", "SHA-256"}, rows);
}

// ---- JSON ----

using nlohmann::json;

json j_ref(const StatementRef& r) { return {{"at", r.at}, {"module", r.module}, {"statement", r.statement}}; }

json j_statements(const std::vector<SyscallStatement>& list) {
  json out = json::array();
  for (const SyscallStatement& s : list) {
    json targets = json::array();
    for (const SyscallTarget& t : s.targets) {
      json only = json::object();
      for (const auto& [arch, names] : t.only) only[arch] = names;
      targets.push_back(
          {{"target", t.target}, {"conditional", t.conditional}, {"syscalls", t.common}, {"only_on", only}});
    }
    json entry = j_ref(s.source);
    entry["action"] = s.action;
    entry["targets"] = targets;
    out.push_back(std::move(entry));
  }
  return out;
}

json j_header(const Header& h) {
  json integrity = {{"intact", h.integrity.empty()}, {"problems", h.integrity}};
  return {{"policy", {{"name", h.policy_name}, {"version", h.policy_version}}},
          {"compiler", h.compiler},
          {"expires", h.expires ? json(*h.expires) : json(nullptr)},
          {"manifest_sha256", h.manifest_sha256},
          {"targets", h.targets},
          {"backends", h.backends},
          {"rebuild", {{"status", rebuild_key(h.rebuild)}, {"mismatched", h.mismatched}, {"summary", rebuild_text(h)}}},
          {"integrity", integrity}};
}

json j_syscalls(const Syscalls& s) {
  json counts = json::object();
  for (const auto& [arch, n] : s.allowed_count) counts[arch] = n;
  json def = {{"action", s.default_action}, {"written", s.default_written}};
  if (s.default_written) def["source"] = j_ref(s.default_source);
  return {{"default", def},
          {"allowed_count", counts},
          {"allowed", j_statements(s.allowed)},
          {"supervised", j_statements(s.supervised)},
          {"denied", j_statements(s.denied)}};
}

json j_fs_entries(const std::vector<FsEntry>& entries) {
  json out = json::array();
  for (const FsEntry& e : entries) {
    json sources = json::array();
    for (const StatementRef& r : e.sources) sources.push_back(j_ref(r));
    out.push_back({{"path", e.path}, {"rights", e.rights}, {"sources", sources}});
  }
  return out;
}

json j_filesystem(const Filesystem& fs) {
  if (!fs.present) return {{"present", false}};
  json scope_sources = json::array();
  for (const StatementRef& r : fs.scope_sources) scope_sources.push_back(j_ref(r));
  return {{"present", true},
          {"landlock_abi", fs.min_abi},
          {"abi_source", j_ref(fs.abi_source)},
          {"handled", fs.handled},
          {"scopes", fs.scopes},
          {"scope_sources", scope_sources},
          {"best_effort", fs.best_effort},
          {"granted", j_fs_entries(fs.granted)},
          {"denied", j_fs_entries(fs.denied)}};
}

json j_net_entries(const std::vector<NetEntry>& list) {
  json out = json::array();
  for (const NetEntry& e : list)
    out.push_back({{"direction", e.direction},
                   {"proto", e.proto},
                   {"ports", e.ports},
                   {"addresses", e.addresses},
                   {"domains", e.domains},
                   {"any_host", e.any_host},
                   {"implicit", e.implicit},
                   {"source", j_ref(e.source)}});
  return out;
}

json j_network(const Network& n) {
  if (!n.present) return {{"present", false}};
  json proxy = nullptr;
  if (n.proxy) proxy = {{"endpoint", n.proxy->endpoint}, {"source", j_ref(n.proxy->source)}};
  return {
      {"present", true}, {"allowed", j_net_entries(n.allowed)}, {"denied", j_net_entries(n.denied)}, {"proxy", proxy}};
}

json j_coverage(const std::vector<CoverageRow>& rows) {
  json out = json::array();
  for (const CoverageRow& row : rows) {
    json by = json::array();
    for (const Enforcer& e : row.enforced_by)
      by.push_back(
          {{"artifact", e.artifact}, {"extent", e.full ? "full" : "partial"}, {"part", e.part}, {"how", e.how}});
    json entry = j_ref(row.source);
    entry["enforced_by"] = by;
    out.push_back(std::move(entry));
  }
  return out;
}

json j_verification(const Verification& v) {
  if (!v.present) return nullptr;
  json assertions = json::array();
  for (const AssertionVerdict& a : v.assertions) {
    json entry = {{"at", a.source.at}, {"statement", a.source.statement}, {"result", a.result}};
    if (!a.counterexample.empty()) entry["counterexample"] = a.counterexample;
    assertions.push_back(std::move(entry));
  }
  json programs = json::array();
  for (const ProgramVerdict& p : v.programs)
    programs.push_back({{"artifact", p.artifact}, {"result", p.result}, {"queries", p.queries}});
  return {{"solver", v.solver},
          {"assertions", assertions},
          {"tests", {{"passed", v.tests_passed}, {"failed", v.tests_failed}}},
          {"checks", {{"warnings", v.warnings}, {"queries", v.queries}}},
          {"translation_validation", programs}};
}

json j_signers(const Signers& s) {
  json out = {{"checked", s.checked}, {"signatures_present", s.signatures_present}};
  if (!s.checked) return out;
  json signers = json::array();
  for (const Signer& k : s.signers) signers.push_back({{"name", k.name}, {"key_id", k.key_id}, {"state", k.state}});
  out["trust_file"] = s.trust_file;
  out["threshold"] = s.threshold;
  out["valid_signers"] = s.valid_signers;
  out["signers"] = signers;
  out["unknown_signers"] = s.unknown_signers;
  out["min_version"] = s.min_version ? json(*s.min_version) : json(nullptr);
  out["accepted"] = s.accepted;
  out["problems"] = s.problems;
  return out;
}

json j_files(const std::vector<FileRow>& files) {
  json out = json::array();
  for (const FileRow& f : files) {
    json entry = {{"path", f.path}, {"kind", f.source ? "source" : "artifact"}, {"size", f.size}, {"sha256", f.sha256}};
    if (f.source) {
      entry["role"] = f.role;
      entry["module"] = f.module;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

std::string inspect_text(const InspectInput& in) {
  const Model m = build_model(in);
  std::string out = text_header(m);
  out +=
      section("Grants") + text_syscalls_grants(m.syscalls) + text_fs_grants(m.filesystem) + text_net_grants(m.network);
  out += text_denies(m) + text_coverage(m) + text_verification(m.verification) + text_signers(m) + text_files(m);
  return out;
}

std::string inspect_markdown(const InspectInput& in) {
  const Model m = build_model(in);
  return md_header(m) + md_grants(m) + md_denies(m) + md_coverage(m) + md_verification(m.verification) + md_signers(m) +
         md_files(m);
}

std::string inspect_json(const InspectInput& in) {
  const Model m = build_model(in);
  json doc = j_header(m.header);
  doc["syscalls"] = j_syscalls(m.syscalls);
  doc["filesystem"] = j_filesystem(m.filesystem);
  doc["network"] = j_network(m.network);
  doc["coverage"] = j_coverage(m.coverage);
  doc["verification"] = j_verification(m.verification);
  doc["signers"] = j_signers(m.signers);
  doc["files"] = j_files(m.files);
  return doc.dump(2) + "\n";
}

}  // namespace polc::driver
