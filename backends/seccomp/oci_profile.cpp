// Stage: backends/seccomp. OCI seccomp profile generation (see oci_profile.h).
#include "backends/seccomp/oci_profile.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <tuple>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/oci_compile.h"

namespace polc::backends::seccomp {

namespace {

using Cmps = std::vector<std::pair<uint8_t, Atom>>;
using RuleKey = std::tuple<uint8_t, uint16_t, Cmps>;  // action kind, data, comparisons

const char* action_token(ir::ActionKind k) {
  switch (k) {
    case ir::ActionKind::KillProcess: return "SCMP_ACT_KILL_PROCESS";
    case ir::ActionKind::KillThread: return "SCMP_ACT_KILL_THREAD";
    case ir::ActionKind::Trap: return "SCMP_ACT_TRAP";
    case ir::ActionKind::Errno: return "SCMP_ACT_ERRNO";
    case ir::ActionKind::UserNotif: return "SCMP_ACT_NOTIFY";
    case ir::ActionKind::Trace: return "SCMP_ACT_TRACE";
    case ir::ActionKind::Log: return "SCMP_ACT_LOG";
    case ir::ActionKind::Allow: return "SCMP_ACT_ALLOW";
  }
  return "SCMP_ACT_KILL_PROCESS";
}

bool has_data(ir::ActionKind k) { return k == ir::ActionKind::Errno || k == ir::ActionKind::Trace; }

const char* op_token(AtomOp op) {
  switch (op) {
    case AtomOp::Eq: return "SCMP_CMP_EQ";
    case AtomOp::Ne: return "SCMP_CMP_NE";
    case AtomOp::Lt: return "SCMP_CMP_LT";
    case AtomOp::Le: return "SCMP_CMP_LE";
    case AtomOp::Gt: return "SCMP_CMP_GT";
    case AtomOp::Ge: return "SCMP_CMP_GE";
    case AtomOp::MaskedEq: return "SCMP_CMP_MASKED_EQ";
  }
  return "SCMP_CMP_EQ";
}

const char* arch_token(arch::Arch a) {
  switch (a) {
    case arch::Arch::x86_64: return "SCMP_ARCH_X86_64";
    case arch::Arch::x86: return "SCMP_ARCH_X86";
    case arch::Arch::x32: return "SCMP_ARCH_X32";
    case arch::Arch::aarch64: return "SCMP_ARCH_AARCH64";
    case arch::Arch::arm: return "SCMP_ARCH_ARM";
    case arch::Arch::riscv64: return "SCMP_ARCH_RISCV64";
    case arch::Arch::s390x: return "SCMP_ARCH_S390X";
  }
  return "";
}

// The profile's entries: each syscall gets the rules of the first target that has rules for it,
// trying targets whose filters compare 64 bits first (a masked 32-bit comparison written for them
// also means the right thing where libseccomp compares only the low word; the reverse is false).
nlohmann::json build_profile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions) {
  std::vector<const ArchPartition*> preferred;
  for (unsigned bits : {64u, 32u})
    for (const ArchPartition& p : partitions)
      if (compare_space(p.arch).bits == bits) preferred.push_back(&p);
  std::map<std::string, std::vector<RuleKey>> by_name;
  for (const ArchPartition* part : preferred) {
    std::map<std::string, std::vector<RuleKey>> mine;
    for (const LoweredRule& r : part->rules)
      mine[r.syscall].emplace_back(static_cast<uint8_t>(r.action.kind), r.action.data, r.cmps);
    for (auto& [name, rules] : mine) by_name.emplace(name, std::move(rules));
  }
  // Entries: one per (action, comparisons), listing every syscall that has exactly that rule.
  std::map<RuleKey, std::vector<std::string>> entries;
  for (const auto& [name, rules] : by_name)
    for (const RuleKey& k : rules) entries[k].push_back(name);

  nlohmann::json doc;
  const ir::Action& def = policy.syscalls.default_action;
  doc["defaultAction"] = action_token(def.kind);
  if (has_data(def.kind)) doc["defaultErrnoRet"] = def.data;
  doc["architectures"] = nlohmann::json::array();
  for (const ArchPartition& part : partitions) doc["architectures"].push_back(arch_token(part.arch));
  doc["syscalls"] = nlohmann::json::array();
  for (const auto& [key, names] : entries) {
    const auto& [kind, data, cmps] = key;
    nlohmann::json e;
    e["names"] = names;
    e["action"] = action_token(static_cast<ir::ActionKind>(kind));
    if (has_data(static_cast<ir::ActionKind>(kind))) e["errnoRet"] = data;
    if (!cmps.empty()) {
      e["args"] = nlohmann::json::array();
      for (const auto& [arg, atom] : cmps) {
        const bool masked = atom.op == AtomOp::MaskedEq;
        e["args"].push_back({{"index", arg},
                             {"value", masked ? atom.mask : atom.value},
                             {"valueTwo", masked ? atom.value : 0},
                             {"op", op_token(atom.op)}});
      }
    }
    doc["syscalls"].push_back(std::move(e));
  }
  return doc;
}

// The same syscall section, statement origins included (the IR's own structs have no ==).
bool same_syscalls(const ir::Syscalls& a, const ir::Syscalls& b) {
  auto same_rule = [](const ir::SyscallRule& x, const ir::SyscallRule& y) {
    return x.syscall == y.syscall && x.nr == y.nr && x.action == y.action && x.when == y.when && x.origins == y.origins;
  };
  auto same_filter = [&](const ir::ArchFilter& x, const ir::ArchFilter& y) {
    return x.arch == y.arch && std::equal(x.rules.begin(), x.rules.end(), y.rules.begin(), y.rules.end(), same_rule);
  };
  return a.default_action == b.default_action && a.default_written == b.default_written &&
         a.default_origin == b.default_origin &&
         std::equal(a.arches.begin(), a.arches.end(), b.arches.begin(), b.arches.end(), same_filter);
}

// A profile that was compiled and checked, and what its compile and check read.
struct ProfileMemo {
  std::string text;
  std::vector<arch::Arch> targets;
  ir::Syscalls syscalls;
};

const ir::SyscallRule* rule_for(const ir::Policy& policy, arch::Arch a, int nr) {
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a)
      for (const ir::SyscallRule& r : f.rules)
        if (r.nr == nr) return &r;
  return nullptr;
}

}  // namespace

namespace {

std::mutex profile_memo_lock;
std::optional<ProfileMemo> profile_memo;  // the last profile that was compiled and checked

}  // namespace

struct PendingOciProfile::Compiles {
  struct Family {
    arch::Arch arch;
    std::vector<arch::Arch> family;
    IsolatedJob job;
  };
  std::vector<Family> families;
  std::optional<Probes> own_probes;
};

PendingOciProfile::PendingOciProfile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions,
                                     const Probes* probes)
    : policy_(policy), probes_(probes) {
  const nlohmann::json doc = build_profile(policy, partitions);
  text_ = doc.dump(2) + "\n";
  {
    const std::lock_guard lock(profile_memo_lock);
    if (profile_memo && profile_memo->text == text_ && profile_memo->targets == policy.targets &&
        same_syscalls(profile_memo->syscalls, policy.syscalls))
      return;  // compiled and checked already: finish() gives the text at once
  }
  compiles_ = std::make_unique<Compiles>();
  if (!probes_) probes_ = &compiles_->own_probes.emplace(policy, probe_audits());
  // One check per arch family: that is what one runtime on one host compiles. Every family's
  // compile starts now; finish() checks them in turn: they are independent children.
  std::vector<arch::Arch> done;
  for (const ArchPartition& part : partitions) {
    if (std::find(done.begin(), done.end(), part.arch) != done.end()) continue;
    std::vector<arch::Arch> family = arch::family_targets(part.arch, policy.targets);
    done.insert(done.end(), family.begin(), family.end());
    IsolatedJob job = start_oci_compile(doc, family);
    compiles_->families.push_back({part.arch, std::move(family), std::move(job)});
  }
}

PendingOciProfile::PendingOciProfile(PendingOciProfile&&) noexcept = default;
PendingOciProfile::~PendingOciProfile() = default;

OciProfile PendingOciProfile::finish() {
  // Twice, or on a moved-from object, the text is gone: an empty profile must never look like one.
  if (text_.empty()) throw std::logic_error("PendingOciProfile::finish called twice");
  OciProfile out;
  if (!compiles_) {
    out.json = std::exchange(text_, {});
    return out;
  }
  for (Compiles::Family& compile : compiles_->families) {
    const std::vector<arch::Arch>& family = compile.family;
    std::string error;
    auto raw = compile.job.finish(&error);
    std::optional<std::vector<Insn>> insns;
    if (raw) insns = decode(*raw, arch::big_endian(compile.arch), &error);
    if (insns)
      if (auto invalid = validate(*insns)) {
        error = "the result is not a loadable program: " + *invalid;
        insns.reset();
      }
    if (!insns) {
      out.conflict = OciConflict{compile.arch, "", "runc's compile of it fails: " + error, nullptr};
      return out;
    }
    if (auto m = probes_->check(*insns, arch::big_endian(compile.arch), family)) {
      OciConflict c{compile.arch, "", m->describe(), nullptr};
      if (auto target = arch::from_audit_arch(m->data.arch, m->data.nr))
        if ((c.rule = rule_for(policy_, *target, m->data.nr))) c.syscall = c.rule->syscall;
      out.conflict = std::move(c);
      return out;
    }
  }
  const std::lock_guard lock(profile_memo_lock);
  profile_memo = ProfileMemo{text_, policy_.targets, policy_.syscalls};
  out.json = std::exchange(text_, {});
  return out;
}

OciProfile oci_profile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions, const Probes* probes) {
  return PendingOciProfile(policy, partitions, probes).finish();
}

}  // namespace polc::backends::seccomp
