// Stage: report. The text layout of `polc inspect`'s review report, for a terminal (see inspect_report.h).
#include "compiler/report/inspect_report.h"

#include "compiler/report/inspect_wording.h"

namespace polc::report {

namespace {

using namespace inspect;

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
  return out + "  proxy endpoint: " + n.proxy->endpoint + "  (" + n.proxy->source.at + ": " +
         n.proxy->source.statement + ")\n";
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

std::string text_os(const OsLayer& os) {
  std::string out = section("OS layer (os.json: namespaces, limits, mounts, workspaces)");
  if (!os.in_bundle) out += "  os.json is not in this bundle: no launcher applies what follows\n";
  std::vector<std::string> names;
  for (const OsNamespace& n : os.namespaces) names.push_back(namespace_text(n));
  out += names.empty() ? "  namespaces: none besides the network one (its section and the launcher decide it)\n"
                       : wrapped("namespaces: ", names, 2);
  std::vector<std::vector<std::string>> rows;
  for (const OsLimit& l : os.limits) rows.push_back({limit_text(l), limit_source(l)});
  out += "  limits:\n" + table(rows, 4);
  rows.clear();
  for (const OsMount& m : os.mounts) rows.push_back({mount_text(m), mount_source(m)});
  out += "  mounts in the payload's mount namespace:\n" + (rows.empty() ? "    none\n" : table(rows, 4));
  out += "  workspaces:\n";
  if (os.workspaces.empty()) out += "    none\n";
  for (const OsWorkspace& w : os.workspaces) out += "    " + workspace_text(w) + "\n      at " + where(w.source) + "\n";
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

}  // namespace

std::string inspect_text(const InspectInput& in) {
  const Model m = build_model(in);
  std::string out = text_header(m);
  out +=
      section("Grants") + text_syscalls_grants(m.syscalls) + text_fs_grants(m.filesystem) + text_net_grants(m.network);
  out += text_denies(m) + text_os(m.os) + text_coverage(m) + text_verification(m.verification) + text_signers(m) +
         text_files(m);
  return out;
}

}  // namespace polc::report
