// Stage: backends/seccomp. OCI seccomp profile generation (see oci_profile.h).
#include "backends/seccomp/oci_profile.h"

#include <seccomp.h>

#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

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

}  // namespace

OciProfile oci_profile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions) {
  OciProfile out;
  // Per syscall name, per arch: the sorted rules (empty: decided by the default there).
  std::map<std::string, std::map<arch::Arch, std::vector<RuleKey>>> by_name;
  std::map<std::string, const ir::SyscallRule*> a_rule;
  for (const ArchPartition& part : partitions)
    for (const LoweredRule& r : part.rules)
      by_name[r.syscall][part.arch].emplace_back(static_cast<uint8_t>(r.action.kind), r.action.data, r.cmps);
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    for (const ir::SyscallRule& r : f.rules) a_rule.emplace(r.syscall, &r);

  for (auto& [name, per_arch] : by_name) {
    for (auto& [a, rules] : per_arch) std::sort(rules.begin(), rules.end());
    // Every target where the name exists must get exactly the same rules.
    const std::vector<RuleKey>* reference = nullptr;
    arch::Arch reference_arch{};
    for (const ArchPartition& part : partitions) {
      // libseccomp answers a negative pseudo number for a name the arch lacks (open on aarch64).
      auto it = per_arch.find(part.arch);
      if (it == per_arch.end() && seccomp_syscall_resolve_name_arch(arch::scmp_token(part.arch), name.c_str()) < 0)
        continue;
      static const std::vector<RuleKey> kNone;
      const std::vector<RuleKey>& rules = it == per_arch.end() ? kNone : it->second;
      if (!reference) {
        reference = &rules;
        reference_arch = part.arch;
      } else if (rules != *reference) {
        out.conflicts.push_back({name, reference_arch, part.arch, a_rule[name]});
        break;
      }
    }
  }
  if (!out.conflicts.empty()) return out;

  // Entries: one per (action, comparisons), listing every syscall that has exactly that rule.
  std::map<RuleKey, std::vector<std::string>> entries;
  for (const auto& [name, per_arch] : by_name) {
    const auto& rules = per_arch.begin()->second;
    for (const RuleKey& k : rules) entries[k].push_back(name);
  }
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
  out.json = doc.dump(2) + "\n";
  return out;
}

}  // namespace polc::backends::seccomp
