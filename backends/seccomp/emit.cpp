// Stage: backends/seccomp. From the IR to the seccomp artifacts (see emit.h).
#include "backends/seccomp/emit.h"

#include <algorithm>
#include <map>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/bpf_listing.h"
#include "backends/seccomp/codegen.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/oci_profile.h"
#include "backends/seccomp/partition.h"
#include "compiler/diag/phase_trace.h"

namespace polc::backends::seccomp {

namespace {

diag::SourceRange where(const ir::SyscallRule* rule) {
  return rule && !rule->origins.empty() ? rule->origins.front().range : diag::SourceRange{};
}

void report_partition_errors(const ArchPartition& part, diag::Engine& engine) {
  const std::string arch_name(arch::name(part.arch));
  for (const PartitionError& e : part.errors) {
    const std::string syscall = e.rule ? e.rule->syscall : "?";
    if (e.kind == PartitionError::Kind::Multiplexed) {
      engine
          .report(diag::Code::ConditionNotExpressible, where(e.rule),
                  "the condition on `" + syscall + "` cannot be filtered on " + arch_name +
                      ": libseccomp handles it together with its multiplexer (socketcall or ipc), whose "
                      "arguments are in memory")
          .with_help("allow or deny `" + syscall + "` as a whole on " + arch_name + ", or remove " + arch_name +
                     " from the targets");
    } else if (e.kind == PartitionError::Kind::TooWide) {
      engine
          .report(diag::Code::ConditionNotExpressible, where(e.rule),
                  "the condition on `" + syscall + "` compares " + std::to_string(e.compared_bits) +
                      " bits of an argument, but the seccomp filter for " + arch_name + " compares only 32")
          .with_help("compare the low 32 bits (`arg & 0xffffffff`), or remove " + arch_name + " from the targets");
    } else {
      engine
          .report(diag::Code::FilterTooLarge, where(e.rule),
                  "the rules on `" + syscall + "` for " + arch_name + " need " +
                      (e.rules_needed > kMaxRulesPerSyscall ? "more than " + std::to_string(kMaxRulesPerSyscall)
                                                            : std::to_string(e.rules_needed)) +
                      " filter rules")
          .with_help("use sets or masks instead of ranges, or reduce overlapping rules with different actions");
    }
  }
}

std::map<uint32_t, std::string> syscall_names(const ir::Policy& policy, arch::Arch a) {
  std::map<uint32_t, std::string> names;
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a)
      for (const ir::SyscallRule& r : f.rules) names.emplace(static_cast<uint32_t>(r.nr), r.syscall);
  return names;
}

std::string title_of(const ir::Policy& policy, const std::vector<arch::Arch>& decides) {
  std::string t = "seccomp program for " + std::string(arch::name(decides.front())) + " of policy " + policy.name +
                  " version " + std::to_string(policy.version) + "\ndecides:";
  for (arch::Arch a : decides) t += " " + std::string(arch::name(a));
  t += "; every other architecture: kill_process\ndefault: " + ir::action_text(policy.syscalls.default_action);
  return t;
}

bool host_big_endian() {
  const uint16_t one = 1;
  return *reinterpret_cast<const uint8_t*>(&one) == 0;
}

// The arch's rules in the compact spelling (see Spelling), or nullopt when nothing changes or
// it cannot be partitioned either.
std::optional<ArchPartition> compact_partition(const ir::Policy& policy, arch::Arch a) {
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a) {
      ArchPartition compact = partition(f, policy.syscalls.default_action, Spelling::Compact);
      if (compact.errors.empty()) return compact;
    }
  return std::nullopt;
}

bool only_too_many_rules(const ArchPartition& part) {
  return std::all_of(part.errors.begin(), part.errors.end(),
                     [](const PartitionError& e) { return e.kind == PartitionError::Kind::TooManyRules; });
}

// The OCI profile, compiled and checked (last: it is only worth reporting on once every program
// is right); W0007 when no profile decides as the policy does.
void add_oci_profile(OciProfile oci, diag::Engine& engine, SeccompArtifacts& out) {
  if (oci.conflict) {
    const OciConflict& c = *oci.conflict;
    engine
        .report(diag::Code::OciProfileSkipped, where(c.rule),
                "seccomp.oci.json is not written: no single OCI profile decides " +
                    (c.syscall.empty() ? std::string("every call") : "`" + c.syscall + "`") + " on " +
                    std::string(arch::name(c.arch)) + " as the policy does")
        .note({}, "the profile as runc compiles it: " + c.detail)
        .with_help("build targets whose rules differ from separate policies to get an OCI profile for each");
  }
  out.oci_json = std::move(oci.json);
}

ListingContext listing_context(const ir::Policy& policy, const ProgramArtifact& p,
                               const std::map<uint32_t, std::string>& names) {
  ListingContext ctx;
  ctx.title = title_of(policy, p.decides);
  ctx.audit_arch = arch::audit_arch(p.arch);
  ctx.syscall_names = p.decides.size() == 1 ? &names : nullptr;
  ctx.big_endian = arch::big_endian(p.arch);
  return ctx;
}

void report_too_wide(const ir::SyscallRule* rule, unsigned bits, arch::Arch a, diag::Engine& engine) {
  const std::string arch_name(arch::name(a));
  const std::string syscall = rule ? rule->syscall : "?";
  engine
      .report(diag::Code::ConditionNotExpressible, where(rule),
              "the condition on `" + syscall + "` compares " + std::to_string(bits) +
                  " bits of an argument, but the seccomp filter for " + arch_name + " compares only 32")
      .with_help("compare the low 32 bits (`arg & 0xffffffff`), or remove " + arch_name + " from the targets");
}

// E0602 from polc's generator: how long the program is and which syscalls' conditions took the
// instructions, costliest first.
void report_too_large(const ir::Policy& policy, arch::Arch a, const gen::Failure& f, diag::Engine& engine) {
  std::string costs;
  const ir::SyscallRule* costliest = nullptr;
  for (size_t i = 0; i < f.costs.size() && i < 3; ++i)
    costs += (i == 0 ? "" : ", ") + std::string("about ") + std::to_string(f.costs[i].second) + " instructions for " +
             f.costs[i].first;
  if (!f.costs.empty())
    for (const ir::ArchFilter& af : policy.syscalls.arches)
      for (const ir::SyscallRule& r : af.rules)
        if (costliest == nullptr &&
            f.costs.front().first.rfind("`" + r.syscall + "` on " + std::string(arch::name(af.arch)), 0) == 0)
          costliest = &r;
  auto& d = engine.report(diag::Code::FilterTooLarge, where(costliest),
                          "the seccomp program for " + std::string(arch::name(a)) + " has " + std::to_string(f.length) +
                              " instructions; the kernel loads at most 4096");
  if (!costs.empty()) d.note({}, "the argument tests take " + costs);
  d.with_help(
      "reduce the conditions of the costliest syscalls: values in ranges of consecutive numbers cost one "
      "comparison per range, scattered values one each, and conditions on several arguments multiply");
}

// The family's partitions for the OCI profile, or why runc's libseccomp cannot compile one.
std::optional<OciConflict> oci_partitions(const ir::Policy& policy, std::vector<ArchPartition>& parts) {
  for (const ir::ArchFilter& f : policy.syscalls.arches) {
    parts.push_back(partition(f, policy.syscalls.default_action));
    if (!parts.back().errors.empty() && only_too_many_rules(parts.back()))
      if (auto compact = compact_partition(policy, f.arch)) parts.back() = std::move(*compact);
    if (parts.back().errors.empty()) continue;
    const PartitionError& e = parts.back().errors.front();
    OciConflict c{f.arch, e.rule ? e.rule->syscall : "", "", e.rule};
    if (e.kind == PartitionError::Kind::Multiplexed)
      c.detail = "libseccomp cannot test the arguments of `" + c.syscall + "` on " + std::string(arch::name(f.arch)) +
                 ": it filters the call together with its multiplexer (socketcall or ipc)";
    else if (e.kind == PartitionError::Kind::TooManyRules)
      c.detail =
          "libseccomp would need more than " + std::to_string(kMaxRulesPerSyscall) + " rules for `" + c.syscall + "`";
    else c.detail = "libseccomp cannot compare the condition on `" + c.syscall + "` exactly";
    return c;
  }
  return std::nullopt;
}

// Validates a program and checks it against the policy; nullopt after reporting an error.
bool check_generated(const ProgramArtifact& p, const Probes& probes, diag::Engine& engine) {
  const std::string arch_name(arch::name(p.arch));
  if (auto invalid = validate(p.insns)) {
    engine.report(diag::Code::FilterMismatch, {},
                  "polc's code generator produced an invalid program for " + arch_name + ": " + *invalid);
    return false;
  }
  if (auto mismatch = probes.check(p.insns, arch::big_endian(p.arch), p.decides)) {
    engine.report(diag::Code::FilterMismatch, {},
                  "the seccomp program for " + arch_name + " disagrees with the policy: " + mismatch->describe());
    return false;
  }
  return true;
}

std::optional<SeccompArtifacts> emit_polc(const ir::Policy& policy, diag::Engine& engine, const CodegenChoice& choice,
                                          const ProgramReady& ready) {
  SeccompArtifacts out;
  const Probes probes(policy, probe_audits());  // one set of probes for every program, the OCI profile's too
  trace_phase("seccomp: probes");
  // libseccomp compiles the OCI profile in the isolation worker's children while polc generates
  // its own programs; the profile is checked (and reported on) after them.
  std::vector<ArchPartition> parts;
  const std::optional<OciConflict> conflict = oci_partitions(policy, parts);
  std::optional<PendingOciProfile> oci;
  if (!conflict) oci.emplace(policy, parts, &probes);
  bool ok = true;
  for (const ir::ArchFilter& f : policy.syscalls.arches) {
    ProgramArtifact p;
    p.arch = f.arch;
    p.file = "seccomp." + std::string(arch::name(f.arch)) + ".bpf";
    p.decides = arch::family_targets(f.arch, policy.targets);
    gen::Result generated = gen::generate(policy, p.decides, choice.options);
    if (!generated.failures.empty()) {
      for (const gen::Failure& failure : generated.failures) {
        // A comparison too wide is reported for the arch whose rule it is, once.
        if (failure.kind == gen::Failure::Kind::TooWide) {
          if (failure.rule != nullptr && &f.rules.front() <= failure.rule && failure.rule <= &f.rules.back())
            report_too_wide(failure.rule, failure.compared_bits, f.arch, engine);
        } else {
          report_too_large(policy, f.arch, failure, engine);
        }
      }
      ok = false;
      continue;
    }
    p.insns = std::move(generated.insns);
    if (!check_generated(p, probes, engine)) return std::nullopt;
    const auto names = syscall_names(policy, f.arch);
    p.listing = listing(p.insns, listing_context(policy, p, names));
    p.raw = encode(p.insns, arch::big_endian(f.arch));
    out.programs.push_back(std::move(p));
    if (ready) ready(out.programs.back());
    trace_phase(("seccomp: " + out.programs.back().file + " generated and checked").c_str());
  }
  if (!ok) return std::nullopt;
  if (conflict) {
    engine
        .report(diag::Code::OciProfileSkipped, where(conflict->rule),
                "seccomp.oci.json is not written: no single OCI profile decides `" + conflict->syscall + "` on " +
                    std::string(arch::name(conflict->arch)) + " as the policy does")
        .note({}, "the profile as runc compiles it: " + conflict->detail)
        .with_help("build targets whose rules differ from separate policies to get an OCI profile for each");
    return out;
  }
  add_oci_profile(oci->finish(), engine, out);
  trace_phase("seccomp: OCI profile compiled and checked");
  return out;
}

std::optional<SeccompArtifacts> emit_libseccomp(const ir::Policy& policy, diag::Engine& engine,
                                                const ProgramReady& ready) {
  std::vector<ArchPartition> parts;
  bool ok = true;
  for (const ir::ArchFilter& f : policy.syscalls.arches) {
    parts.push_back(partition(f, policy.syscalls.default_action));
    // Masked equalities only, where rules test several arguments, can need more rules than any
    // program holds: the compact spelling then gets its chance.
    if (!parts.back().errors.empty() && only_too_many_rules(parts.back()))
      if (auto compact = compact_partition(policy, f.arch)) parts.back() = std::move(*compact);
    report_partition_errors(parts.back(), engine);
    ok = ok && parts.back().errors.empty();
  }
  if (!ok) return std::nullopt;

  SeccompArtifacts out;
  const Probes probes(policy, probe_audits());  // one set of probes for every program, the OCI profile's too
  // Every program's libseccomp child starts before the first is checked: they are independent,
  // and on a large policy each takes a good part of a second.
  const auto members_of = [&](const std::vector<arch::Arch>& decides, std::vector<size_t>* indexes) {
    std::vector<const ArchPartition*> members;
    for (arch::Arch a : decides)
      for (size_t i = 0; i < parts.size(); ++i)
        if (parts[i].arch == a) {
          members.push_back(&parts[i]);
          if (indexes != nullptr) indexes->push_back(i);
        }
    return members;
  };
  std::vector<IsolatedJob> started;
  for (const ArchPartition& part : parts)
    started.push_back(start_generate(members_of(arch::family_targets(part.arch, policy.targets), nullptr),
                                     policy.syscalls.default_action));
  bool respelled = false;  // a program was remade in the compact spelling: later jobs used the old parts
  for (size_t index = 0; index < parts.size(); ++index) {
    const arch::Arch part_arch = parts[index].arch;
    ProgramArtifact p;
    p.arch = part_arch;
    p.file = "seccomp." + std::string(arch::name(part_arch)) + ".bpf";
    p.decides = arch::family_targets(part_arch, policy.targets);
    std::vector<size_t> member_index;
    const std::vector<const ArchPartition*> members = members_of(p.decides, &member_index);
    std::string error;
    std::optional<GeneratedProgram> generated;
    if (respelled) {
      generated = generate(members, policy.syscalls.default_action, &error);
    } else if (auto raw = started[index].finish(&error)) {
      generated = GeneratedProgram{std::move(*raw)};
    }
    const bool big = arch::big_endian(part_arch);
    std::optional<std::vector<Insn>> insns;
    if (generated) insns = decode(generated->raw, big, &error);
    if (!insns) {
      engine.report(diag::Code::FilterMismatch, {},
                    "generating the seccomp program for " + std::string(arch::name(part_arch)) + " failed: " + error);
      return std::nullopt;
    }
    if (insns && insns->size() > 4096) {
      // Too long with masked spellings: the same family in the compact spelling, kept if shorter
      // (every partition of the family is replaced, so the OCI profile below spells it the same).
      std::vector<ArchPartition> compact;
      for (const ArchPartition* m : members)
        if (auto c = compact_partition(policy, m->arch)) compact.push_back(std::move(*c));
      if (compact.size() == members.size()) {
        std::vector<const ArchPartition*> compact_members;
        for (const ArchPartition& c : compact) compact_members.push_back(&c);
        std::string compact_error;
        auto regenerated = generate(compact_members, policy.syscalls.default_action, &compact_error);
        std::optional<std::vector<Insn>> shorter;
        if (regenerated) shorter = decode(regenerated->raw, big, &compact_error);
        if (shorter && shorter->size() < insns->size()) {
          generated = std::move(regenerated);
          insns = std::move(shorter);
          for (size_t i = 0; i < members.size(); ++i) parts[member_index[i]] = std::move(compact[i]);
          respelled = true;
        }
      }
    }
    if (insns->size() > 4096) {
      engine
          .report(diag::Code::FilterTooLarge, {},
                  "the seccomp program for " + std::string(arch::name(part_arch)) + " has " +
                      std::to_string(insns->size()) + " instructions; the kernel loads at most 4096")
          .with_help(
              "reduce argument conditions: sets and masks need fewer instructions than ranges, and "
              "overlapping rules with different actions on one syscall multiply them");
      return std::nullopt;
    }
    if (auto invalid = validate(*insns)) {
      engine.report(
          diag::Code::FilterMismatch, {},
          "libseccomp produced an invalid program for " + std::string(arch::name(part_arch)) + ": " + *invalid);
      return std::nullopt;
    }
    if (auto mismatch = probes.check(*insns, big, p.decides)) {
      auto& d = engine.report(diag::Code::FilterMismatch, {},
                              "the seccomp program for " + std::string(arch::name(part_arch)) +
                                  " disagrees with the policy: " + mismatch->describe());
      if (big != host_big_endian())
        d.note(
            "libseccomp 2.5 mis-encodes some instructions of programs for an arch whose byte order differs "
            "from the host's; build " +
            std::string(arch::name(part_arch)) + " targets on a " + (big ? "big" : "little") + "-endian host");
      const bool multiplexer = mismatch->data.nr == 102 || mismatch->data.nr == 117;  // socketcall, ipc
      if ((part_arch == arch::Arch::x86 || part_arch == arch::Arch::s390x) && multiplexer &&
          mismatch->data.arch == arch::audit_arch(part_arch))
        d.note(
            "on x86 and s390x, libseccomp also applies each socket and IPC call's rule to the multiplexer "
            "(socketcall or ipc): give the multiplexer the same action as those calls");
      return std::nullopt;
    }
    const auto names = syscall_names(policy, part_arch);
    ListingContext ctx;
    ctx.title = title_of(policy, p.decides);
    ctx.audit_arch = arch::audit_arch(part_arch);
    ctx.syscall_names = p.decides.size() == 1 ? &names : nullptr;
    ctx.big_endian = big;
    p.listing = listing(*insns, ctx);
    p.insns = std::move(*insns);
    p.raw = std::move(generated->raw);
    out.programs.push_back(std::move(p));
    if (ready) ready(out.programs.back());
  }
  add_oci_profile(oci_profile(policy, parts, &probes), engine, out);
  return out;
}

CodegenChoice g_choice{Generator::Polc, {}};

}  // namespace

void set_codegen(CodegenChoice choice) { g_choice = std::move(choice); }
const CodegenChoice& codegen() { return g_choice; }

std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine, const ProgramReady& ready) {
  return emit(policy, engine, g_choice, ready);
}

std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine, const CodegenChoice& choice,
                                     const ProgramReady& ready) {
  if (choice.generator == Generator::Polc) return emit_polc(policy, engine, choice, ready);
  return emit_libseccomp(policy, engine, ready);
}

}  // namespace polc::backends::seccomp
