// Stage: report. Extraction of the review report's facts (see inspect_model.h).
#include "compiler/report/inspect_model.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "backends/os/emit.h"
#include "compiler/bundle/coverage.h"
#include "compiler/bundle/json_fields.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/landlock_names.h"
#include "compiler/verify/net_text.h"

namespace polc::report::inspect {

namespace {

StatementRef ref_of(const ir::Origin& o, const diag::SourceManager& sources, bool syscall = false) {
  return {o.where, o.module, bundle::statement_text(o, sources, syscall)};
}

// ---- header ----

Header header_of(const InspectInput& in) {
  const bundle::BundleContents& b = in.bundle;
  Header h;
  const bundle::Manifest& m = b.manifest;
  h.policy_name = m.policy_name.empty() ? in.policy.name : m.policy_name;
  h.policy_version = m.policy_name.empty() ? static_cast<int64_t>(in.policy.version) : m.policy_version;
  h.compiler = m.compiler;
  h.expires = m.expires;
  h.manifest_sha256 = b.manifest_sha256;
  for (arch::Arch a : in.policy.targets) h.targets.emplace_back(arch::name(a));
  h.backends = m.backends;
  if (!in.rebuild.same_compiler) h.rebuild = RebuildStatus::NotCompared;
  else if (!in.rebuild.mismatched.empty()) h.rebuild = RebuildStatus::Differs;
  else h.rebuild = RebuildStatus::Identical;
  h.mismatched = in.rebuild.mismatched;
  std::sort(h.mismatched.begin(), h.mismatched.end());
  for (const bundle::Problem& p : b.problems) h.integrity.push_back(p.file + ": " + p.message);
  return h;
}

// ---- syscalls ----

enum class Kind : uint8_t { Allowed, Supervised, Denied };

Kind kind_of(ir::ActionKind k) {
  switch (k) {
    case ir::ActionKind::Allow: return Kind::Allowed;
    case ir::ActionKind::Log:
    case ir::ActionKind::Trace:
    case ir::ActionKind::UserNotif: return Kind::Supervised;
    default: return Kind::Denied;
  }
}

struct TargetAcc {
  std::string text;
  bool conditional = false;
  std::map<arch::Arch, std::set<std::string>> names;
};

struct StatementAcc {
  ir::Origin first;  // the first target seen: its line is the statement's
  Kind kind = Kind::Allowed;
  std::string action;
  // Plain names (`read, write, fork?`) read best as one list; groups and targets with a written
  // condition are listed each on their own, by the target's offset (source order).
  TargetAcc plain;
  std::map<uint32_t, std::string> plain_texts;
  std::map<uint32_t, TargetAcc> targets;
};

// The target a rule came from, in its statement's accumulator.
TargetAcc& target_acc(StatementAcc& s, const ir::Origin& o, const diag::SourceManager& sources) {
  const std::string text = sources.one_line(o.range);
  const bool group = !text.empty() && text.front() == '@';
  const bool condition = text.find('(') != std::string::npos;
  if (!group && !condition) {
    s.plain_texts.emplace(o.range.begin, text);
    return s.plain;
  }
  TargetAcc& t = s.targets[o.range.begin];
  t.text = text;
  t.conditional = condition;
  return t;
}

// A syscall statement is its line (as in the coverage map) and its action: origins point at one
// target each, and one line's targets share the statement. Policy first, then modules by name.
using StatementKey = std::tuple<std::string, uint32_t, uint32_t, ir::ActionKind, uint16_t>;

SyscallTarget target_of(const TargetAcc& acc, const std::vector<arch::Arch>& targets) {
  SyscallTarget t{acc.text, acc.conditional, {}, {}};
  std::set<std::string> common;
  bool first = true;
  for (arch::Arch a : targets) {
    auto it = acc.names.find(a);
    const std::set<std::string> here = it == acc.names.end() ? std::set<std::string>{} : it->second;
    if (first) common = here;
    else std::erase_if(common, [&](const std::string& n) { return here.count(n) == 0; });
    first = false;
  }
  t.common.assign(common.begin(), common.end());
  for (arch::Arch a : targets) {
    auto it = acc.names.find(a);
    if (it == acc.names.end()) continue;
    std::vector<std::string> extra;
    for (const std::string& n : it->second)
      if (common.count(n) == 0) extra.push_back(n);
    if (!extra.empty()) t.only.emplace_back(arch::name(a), std::move(extra));
  }
  return t;
}

Syscalls syscalls_of(const ir::Policy& policy, const diag::SourceManager& sources) {
  Syscalls out;
  out.default_action = ir::action_text(policy.syscalls.default_action);
  out.default_written = policy.syscalls.default_written;
  if (out.default_written) out.default_source = ref_of(policy.syscalls.default_origin, sources);

  std::map<StatementKey, StatementAcc> statements;
  for (const ir::ArchFilter& af : policy.syscalls.arches) {
    std::set<std::string> allowed;
    for (const ir::SyscallRule& r : af.rules) {
      if (r.action.kind == ir::ActionKind::Allow) allowed.insert(r.syscall);
      for (const ir::Origin& o : r.origins) {
        const uint32_t line = o.range.valid() ? sources.line_col(o.range.file, o.range.begin).line : 0;
        const StatementKey key{o.module, o.range.file, line, r.action.kind, r.action.data};
        auto [it, inserted] = statements.try_emplace(key);
        StatementAcc& s = it->second;
        if (inserted) {
          s.first = o;
          s.kind = kind_of(r.action.kind);
          s.action = ir::action_text(r.action);
        }
        target_acc(s, o, sources).names[af.arch].insert(r.syscall);
      }
    }
    out.allowed_count.emplace_back(arch::name(af.arch), allowed.size());
  }
  for (const auto& [key, acc] : statements) {
    SyscallStatement s{ref_of(acc.first, sources, true), acc.action, {}};
    if (!acc.plain_texts.empty()) {
      TargetAcc plain = acc.plain;
      for (const auto& [offset, text] : acc.plain_texts) plain.text += (plain.text.empty() ? "" : ", ") + text;
      s.targets.push_back(target_of(plain, policy.targets));
    }
    for (const auto& [offset, t] : acc.targets) s.targets.push_back(target_of(t, policy.targets));
    auto& list = acc.kind == Kind::Allowed ? out.allowed : acc.kind == Kind::Supervised ? out.supervised : out.denied;
    list.push_back(std::move(s));
  }
  return out;
}

// ---- filesystem ----

std::vector<std::string> right_names(uint64_t bits) {
  std::vector<std::string> out;
  for (unsigned i = 0; i < 64; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    if ((bits & bit) == 0) continue;
    const std::string_view name = ir::fs_right_name(bit);
    out.push_back(name.empty() ? "right_" + std::to_string(i) : std::string(name));
  }
  return out;
}

Filesystem filesystem_of(const ir::Filesystem& fs, const diag::SourceManager& sources) {
  Filesystem out;
  out.present = fs.present;
  if (!fs.present) return out;
  out.min_abi = fs.min_abi;
  out.abi_source = ref_of(fs.abi_origin, sources);
  out.handled = right_names(fs.handled);
  out.scopes = ir::scope_names(fs.scopes);
  for (const ir::Origin& o : fs.scope_origins) out.scope_sources.push_back(ref_of(o, sources));
  if (fs.best_effort & ir::layer::kNetwork) out.best_effort.push_back("network (Landlock ABI 4)");
  if (fs.best_effort & ir::layer::kScope) out.best_effort.push_back("scope (Landlock ABI 6)");
  for (const ir::FsRule& r : fs.rules) {
    FsEntry e{r.path, right_names(r.rights), {}};
    for (const ir::Origin& o : r.origins) e.sources.push_back(ref_of(o, sources));
    (r.deny ? out.denied : out.granted).push_back(std::move(e));
  }
  return out;
}

// ---- the OS layer ----

OsLayer os_of(const ir::Policy& policy, const InspectInput& in) {
  OsLayer out;
  for (const bundle::BundleFile& f : in.bundle.files) out.in_bundle = out.in_bundle || f.path == backends::os::kOsFile;
  // os.json's view (backends/os): the namespaces it lists, with the statement behind each.
  const backends::os::OsLayer layer = backends::os::os_layer(policy);
  for (ir::Namespace ns : layer.namespaces) {
    OsNamespace n{std::string(backends::os::namespace_name(ns)), true, {}};
    auto rule = std::find_if(policy.os.namespaces.begin(), policy.os.namespaces.end(),
                             [&](const ir::NamespaceRule& r) { return r.ns == ns; });
    if (rule != policy.os.namespaces.end()) {
      n.implied = rule->implied;
      n.source = ref_of(rule->origin, in.sources);
    } else {
      for (const backends::os::OsMount& m : layer.mounts)  // the mount namespace of a masked deny
        if (m.masks_deny && n.source.at.empty()) n.source = ref_of(m.origins.front(), in.sources);
    }
    out.namespaces.push_back(std::move(n));
  }
  bool core_dumps_written = false;
  for (const ir::Limit& l : policy.os.limits) {
    core_dumps_written = core_dumps_written || l.kind == ir::LimitKind::CoreDumps;
    out.limits.push_back({std::string(backends::os::limit_name(l.kind)),
                          backends::os::limit_value_text(l.kind, l.value), ref_of(l.origin, in.sources)});
  }
  if (!core_dumps_written) out.limits.push_back({"core_dumps", "off", {}});
  for (const backends::os::OsMount& m : layer.mounts) {
    OsMount row{std::string(backends::os::mount_kind_name(m.kind)),
                m.path,
                m.kind == backends::os::MountKind::Tmpfs && m.size != 0 ? backends::os::bytes_text(m.size) : "",
                m.masks_deny,
                {}};
    for (const ir::Origin& o : m.origins) row.sources.push_back(ref_of(o, in.sources));
    out.mounts.push_back(std::move(row));
  }
  for (const ir::Workspace& w : policy.os.workspaces) {
    OsWorkspace row{w.path, {}, w.refusal_layers, ref_of(w.origin, in.sources)};
    if (w.discard_on & ir::kDiscardOnFailure) row.discard_on.push_back("failure");
    if (w.discard_on & ir::kDiscardOnKill) row.discard_on.push_back("kill");
    if (w.discard_on & ir::kDiscardOnRefusal) row.discard_on.push_back("refusal");
    out.workspaces.push_back(std::move(row));
  }
  return out;
}

// ---- network ----

std::string port_text(const ir::PortRange& p) {
  return p.low == p.high ? std::to_string(p.low) : std::to_string(p.low) + "-" + std::to_string(p.high);
}

NetEntry entry_of(const ir::NetRule& r, const diag::SourceManager& sources) {
  NetEntry e;
  e.direction = ir::direction_name(r.direction);
  e.proto = ir::proto_name(r.proto);
  for (const ir::PortRange& p : r.ports) e.ports.push_back(port_text(p));
  e.any_host = r.hosts.empty();
  for (const ir::Host& h : r.hosts) {
    if (h.kind == ir::HostKind::Domain) e.domains.push_back(ir::host_to_string(h));
    else if (h.kind == ir::HostKind::Any) e.any_host = true;
    else e.addresses.push_back(ir::host_to_string(h));
  }
  e.implicit = r.implicit;
  // The implicit deny has no statement; its `where` names it as the coverage map does.
  e.source = r.implicit ? StatementRef{r.origin.where, "", ""} : ref_of(r.origin, sources);
  return e;
}

Network network_of(const ir::Network& net, const diag::SourceManager& sources) {
  Network out;
  out.present = net.present;
  for (const ir::NetRule& r : net.rules) (r.deny ? out.denied : out.allowed).push_back(entry_of(r, sources));
  if (net.proxy) {
    const std::string address = ir::host_to_string(net.proxy->address);
    const bool v6 = net.proxy->address.kind == ir::HostKind::V6;
    out.proxy = Proxy{(v6 ? "[" + address + "]" : address) + ":" + std::to_string(net.proxy->port),
                      ref_of(net.proxy->origin, sources)};
  }
  return out;
}

// ---- manifest: coverage and verification ----

std::vector<CoverageRow> coverage_of(const bundle::Manifest& manifest) {
  std::vector<CoverageRow> out;
  for (const bundle::ManifestStatement& e : manifest.coverage) {
    CoverageRow row{{e.at, e.module, e.statement}, {}};
    for (const bundle::ManifestClaim& by : e.enforced_by)
      row.enforced_by.push_back({by.artifact, by.full, by.part, by.how});
    out.push_back(std::move(row));
  }
  return out;
}

Verification verification_of(const bundle::Manifest& manifest) {
  Verification out;
  out.present = manifest.verification.has_value();
  if (!out.present) return out;
  const bundle::ManifestVerification& v = *manifest.verification;
  out.solver = v.solver;
  for (const bundle::ManifestAssertion& a : v.assertions)
    out.assertions.push_back({{a.at, "", a.statement}, a.result, a.counterexample.value_or("")});
  out.tests_passed = v.tests_passed;
  out.tests_failed = v.tests_failed;
  out.warnings = v.check_warnings;
  out.queries = v.check_queries;
  for (const bundle::ManifestProgram& p : v.programs) out.programs.push_back({p.artifact, p.result, p.queries});
  return out;
}

// ---- signers ----

const char* state_name(bundle::SignerStatus::State s) {
  switch (s) {
    case bundle::SignerStatus::State::Signed: return "signed";
    case bundle::SignerStatus::State::Missing: return "missing";
    case bundle::SignerStatus::State::Invalid: return "invalid";
  }
  return "?";
}

// Entries in signatures.json, counted without verifying them (no trust file says whose count).
size_t signatures_present(const bundle::BundleContents& b) {
  if (!b.signatures_bytes) return 0;
  // Read as strictly as every other document (json_fields.h): a "signatures" written twice, or
  // a document that does not parse, counts nothing rather than whichever copy a parser keeps.
  bundle::Problems ignored;
  const bundle::JsonDocument reader{bundle::ProblemKind::MalformedSignatures, "signatures.json", "", ignored};
  const auto doc = reader.parse_object(*b.signatures_bytes);
  if (!doc) return 0;
  const auto list = doc->find("signatures");
  return list != doc->end() && list->is_array() ? list->size() : 0;
}

Signers signers_of(const InspectInput& in) {
  Signers out;
  out.signatures_present = signatures_present(in.bundle);
  if (in.trust == nullptr) return out;
  const bundle::TrustReport& t = *in.trust;
  out.checked = true;
  out.trust_file = t.trust_file;
  out.threshold = t.threshold;
  out.valid_signers = t.valid_signers;
  for (const bundle::SignerStatus& s : t.signers) out.signers.push_back({s.name, s.key_id, state_name(s.state)});
  out.unknown_signers = t.unknown_signers;
  out.min_version = t.min_version;
  out.accepted = t.accepted();
  for (const bundle::Problem& p : t.problems) out.problems.push_back((p.file.empty() ? "" : p.file + ": ") + p.message);
  return out;
}

// ---- files ----

std::vector<FileRow> files_of(const bundle::BundleContents& b) {
  std::map<std::string, const bundle::ManifestSource*> listed;  // sources as the manifest lists them, by path
  for (const bundle::ManifestSource& s : b.manifest.sources) listed[s.path] = &s;
  std::vector<FileRow> out;
  for (const bundle::BundleFile& f : b.files) {
    FileRow row{f.path, f.source, "", "", f.size, f.sha256};
    if (auto it = listed.find(f.path); f.source && it != listed.end()) {
      row.role = it->second->role;
      row.module = it->second->module;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Model build_model(const InspectInput& in) {
  Model m;
  m.header = header_of(in);
  m.syscalls = syscalls_of(in.policy, in.sources);
  m.filesystem = filesystem_of(in.policy.filesystem, in.sources);
  m.network = network_of(in.policy.network, in.sources);
  m.os = os_of(in.policy, in);
  m.coverage = coverage_of(in.bundle.manifest);
  m.verification = verification_of(in.bundle.manifest);
  m.signers = signers_of(in);
  m.files = files_of(in.bundle);
  return m;
}

}  // namespace polc::report::inspect
