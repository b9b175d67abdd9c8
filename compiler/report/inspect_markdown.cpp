// Stage: report. The Markdown layout of `polc inspect`'s review report, for a pull request or a review
// ticket (see inspect_report.h).
#include "compiler/report/inspect_report.h"

#include "compiler/report/inspect_wording.h"

namespace polc::report {

namespace {

using namespace inspect;

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

std::string md_os(const OsLayer& os) {
  std::string out = "### OS layer\n\n";
  if (!os.in_bundle) out += "⚠ `os.json` is **not in this bundle**: no launcher applies what follows.\n\n";
  std::vector<std::string> names;
  for (const OsNamespace& n : os.namespaces) names.push_back(md(namespace_text(n)));
  out += "- namespaces: " + (names.empty() ? std::string("none besides the network one") : join(names)) + "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const OsLimit& l : os.limits) rows.push_back({code(limit_text(l)), md(limit_source(l))});
  out += md_table({"limit", "at"}, rows);
  rows.clear();
  for (const OsMount& m : os.mounts) rows.push_back({code(mount_text(m)), md(mount_source(m))});
  out += "**Mounts** (in the payload's mount namespace)\n\n" +
         (rows.empty() ? std::string("None.\n\n") : md_table({"mount", "at"}, rows));
  rows.clear();
  for (const OsWorkspace& w : os.workspaces) rows.push_back({md(workspace_text(w)), md_where(w.source)});
  return out + "**Workspaces**\n\n" + (rows.empty() ? std::string("None.\n\n") : md_table({"workspace", "at"}, rows));
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

}  // namespace

std::string inspect_markdown(const InspectInput& in) {
  const Model m = build_model(in);
  return md_header(m) + md_grants(m) + md_denies(m) + md_os(m.os) + md_coverage(m) + md_verification(m.verification) +
         md_signers(m) + md_files(m);
}

}  // namespace polc::report
