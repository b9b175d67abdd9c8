// Stage: report. The JSON layout of `polc inspect`'s review report, for tools (see inspect_report.h).
#include "compiler/report/inspect_report.h"

#include <nlohmann/json.hpp>

#include "compiler/report/inspect_wording.h"

namespace polc::report {

namespace {

using namespace inspect;

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

json j_os(const OsLayer& os) {
  json namespaces = json::array(), limits = json::array(), mounts = json::array(), workspaces = json::array();
  for (const OsNamespace& n : os.namespaces)
    namespaces.push_back({{"name", n.name}, {"implied", n.implied}, {"source", j_ref(n.source)}});
  for (const OsLimit& l : os.limits)
    limits.push_back({{"name", l.name}, {"value", l.value}, {"source", j_ref(l.source)}});
  for (const OsMount& m : os.mounts) {
    json sources = json::array();
    for (const StatementRef& r : m.sources) sources.push_back(j_ref(r));
    mounts.push_back(
        {{"kind", m.kind}, {"path", m.path}, {"size", m.size}, {"masks_deny", m.masks_deny}, {"sources", sources}});
  }
  for (const OsWorkspace& w : os.workspaces)
    workspaces.push_back({{"path", w.path},
                          {"discard_on", w.discard_on},
                          {"refusal_layers", w.refusal_layers},
                          {"source", j_ref(w.source)}});
  return {{"in_bundle", os.in_bundle},
          {"namespaces", namespaces},
          {"limits", limits},
          {"mounts", mounts},
          {"workspaces", workspaces}};
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

std::string inspect_json(const InspectInput& in) {
  const Model m = build_model(in);
  json doc = j_header(m.header);
  doc["syscalls"] = j_syscalls(m.syscalls);
  doc["filesystem"] = j_filesystem(m.filesystem);
  doc["network"] = j_network(m.network);
  doc["os"] = j_os(m.os);
  doc["coverage"] = j_coverage(m.coverage);
  doc["verification"] = j_verification(m.verification);
  doc["signers"] = j_signers(m.signers);
  doc["files"] = j_files(m.files);
  return doc.dump(2) + "\n";
}

}  // namespace polc::report
