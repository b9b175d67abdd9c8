// Stage: launcher. The dry-run report.
#include "launcher/dry_run.h"

#include <sys/stat.h>

#include <cstdlib>

#include <nlohmann/json.hpp>
#include <sstream>

#include "launcher/exec_preflight.h"
#include "launcher/landlock_apply.h"
#include "launcher/network.h"
#include "launcher/os/os_json.h"
#include "launcher/os_layer.h"
#include "launcher/trust_check.h"

namespace polc::launcher {

namespace {

std::string ports_text(const std::vector<std::pair<uint16_t, uint16_t>>& ports) {
  std::vector<std::string> parts;
  for (auto [low, high] : ports)
    parts.push_back(low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high));
  return parts.empty() ? "(none)" : join(parts, ", ");
}

std::string quoted(const std::vector<std::string>& words) {
  return nlohmann::json(words).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string trust_report(const TrustDecision& t) {
  std::ostringstream out;
  if (t.mode == TrustDecision::Mode::InsecureDevUnsigned) {
    out << "trust: NONE (--insecure-dev-unsigned): the bundle's signatures are not checked\n";
    return out.str();
  }
  out << "trust: " << t.decision.value_or("?") << " by " << t.file << " (sha256 " << t.sha256.value_or("?") << ")\n";
  out << "  threshold: " << t.threshold.value_or(0) << " of the trusted keys; valid signatures by " << t.signers.size()
      << "\n";
  for (const TrustDecision::Signer& s : t.signers)
    out << "  signed by: " << (s.name.empty() ? "(no name)" : s.name) << " " << s.key_id << "\n";
  if (t.min_version) out << "  min_version: " << *t.min_version << "\n";
  return out.str();
}

std::string bytes_text(uint64_t n) { return std::to_string(n) + " bytes"; }

// Thousandths of a core as the policy writes them: 1500 -> "1.5", 2000 -> "2".
std::string cores_text(uint64_t thousandths) {
  std::string text = std::to_string(thousandths / 1000);
  if (const uint64_t rest = thousandths % 1000) {
    std::string digits = std::to_string(1000 + rest).substr(1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text;
}

// The OS layer as the bundle asks for it (os.json): the same on every machine.
std::string os_layer_report(const OsPlan& plan) {
  const os::OsSpec& s = plan.spec;
  const os::Limits& l = s.limits;
  std::ostringstream out;
  out << "os layer (os.json):\n";
  std::vector<std::string> names;
  for (const std::string& n : namespace_names(plan))
    if (n != "user" || !plan.user_ns_implied) names.push_back(n);
  out << "  namespaces: " << (names.empty() ? "none" : join(names, ", "))
      << (s.uts_ns ? std::string(" (hostname \"") + kSandboxHostname + "\")" : "") << "\n";
  std::vector<std::string> limits;
  if (l.memory) limits.push_back("memory " + bytes_text(*l.memory) + " (memory.max)");
  if (l.memory_swap) limits.push_back("memory_swap " + bytes_text(*l.memory_swap) + " (memory plus swap)");
  if (l.tasks) limits.push_back("tasks " + std::to_string(*l.tasks) + " (pids.max)");
  if (l.cpu)
    limits.push_back("cpu " + cores_text(*l.cpu) + " cores (cpu.max " + std::to_string(*l.cpu * 100) + " 100000)");
  if (l.time_ms) limits.push_back("time " + std::to_string(*l.time_ms) + " ms (the supervisor kills the run)");
  out << "  cgroup limits: " << (limits.empty() ? "none" : join(limits, "; ")) << "\n";
  std::vector<std::string> rlimits;
  if (l.open_files) rlimits.push_back("RLIMIT_NOFILE " + std::to_string(*l.open_files));
  if (l.file_size) rlimits.push_back("RLIMIT_FSIZE " + std::to_string(*l.file_size));
  rlimits.push_back(l.core_dumps ? "core dumps allowed" : "RLIMIT_CORE 0");
  out << "  rlimits: " << join(rlimits, ", ") << "\n";
  out << "  mounts:" << (s.mounts.empty() ? " none" : "") << "\n";
  for (const os::Mount& m : s.mounts)
    out << "    " << os::mount_kind_name(m.kind) << " " << m.path
        << (m.kind == os::MountKind::Tmpfs && m.size ? " size " + bytes_text(m.size) : "") << "\n";
  out << "  workspaces:" << (s.workspaces.empty() ? " none" : "") << "\n";
  for (const os::Workspace& w : s.workspaces) {
    std::vector<std::string> on;
    if (w.discard_on_failure) on.push_back("failure");
    if (w.discard_on_kill) on.push_back("kill");
    if (w.discard_on_refusal)
      on.push_back("refusal" + (w.refusal_layers.empty() ? std::string() : "(" + join(w.refusal_layers, ", ") + ")"));
    out << "    " << w.path << ": an overlay, committed at a clean end; discarded on "
        << (on.empty() ? "nothing" : join(on, ", ")) << "\n";
  }
  return out.str();
}

// What this machine makes of it.
std::string os_machine_report(const OsPlan& plan) {
  std::ostringstream out;
  if (plan.user_ns_implied)
    out << "  user namespace: yes (sbx-exec is not root; the payload's ids mapped to themselves)\n";
  for (const CgroupPlan::Controller& c : plan.cgroup.controllers)
    out << "  cgroup controller " << c.name << ": " << c.hierarchy << " at " << c.mount << "\n";
  return out.str();
}

}  // namespace

std::string dry_run_report(const Options& options, const Prepared& p, int& exit_code) {
  const bundle::BundleContents& b = p.bundle.contents;
  const LandlockPolicy& ll = p.landlock;
  std::ostringstream out;
  out << "sbx-exec --dry-run: nothing is applied or executed\n";
  out << "bundle: " << b.dir << "\n";
  out << "policy: " << b.manifest.policy_name << "\n";
  out << "version: " << b.manifest.policy_version << "\n";
  out << "compiler: " << (b.manifest.compiler.empty() ? "(not recorded)" : b.manifest.compiler) << "\n";
  out << "manifest: " << bundle::kBundleFormat << ", sha256 " << b.manifest_sha256 << ", " << p.bundle.artifact_count()
      << " artifacts and " << b.files.size() - p.bundle.artifact_count() << " sources verified, no unlisted file\n";
  if (b.manifest.expires) out << "expires: " << *b.manifest.expires << "\n";
  out << trust_report(p.trust);

  if (options.exec_in_place) {
    out << "order: descriptors, network, proxy environment, user, no_new_privs, landlock, " << (p.os ? "rlimits, " : "")
        << "seccomp, audit line, exec\n";
    out << "supervisor: none (--exec-in-place): the payload replaces sbx-exec; no telemetry, no signal relay, no cleanup\n";
  } else if (p.os && p.os->needs_supervisor()) {
    out << "order: descriptors, network, telemetry, cgroup (limits), workspaces staged, clone into the namespaces, "
        << (p.os->user_ns ? "user namespace maps, " : "") << "cgroup placement; in the payload's process: session"
        << (p.os->spec.cgroup_ns ? ", cgroup namespace" : "")
        << (p.os->spec.pid_ns ? ", init (PID 1) forks the payload (PID 2)" : "")
        << (p.os->spec.uts_ns ? ", hostname" : "")
        << ", mounts (private, masks, read-only, tmpfs, minimal /dev, workspaces)"
        << (p.os->spec.pid_ns ? ", /proc" : "")
        << ", proxy environment, user, no_new_privs, landlock, supervisor guard, rlimits, seccomp, audit line, exec; "
           "at the end: limits' events, workspaces committed or discarded\n";
    out << "supervisor: sbx-exec stays outside the sandbox: relays signals, reports refusals ("
        << (options.events ? "--events " + *options.events : std::string("a summary on stderr"))
        << "), kills what is left of the payload's processes at the end\n";
  } else {
    out << "order: descriptors, network, telemetry, fork; in the payload's process: session, proxy environment, user, "
           "no_new_privs, landlock, supervisor guard, "
        << (p.os ? "rlimits, " : "") << "seccomp, audit line, exec\n";
    out << "supervisor: sbx-exec stays outside the sandbox: relays signals, reports refusals ("
        << (options.events ? "--events " + *options.events : std::string("a summary on stderr"))
        << "), kills what is left of the payload's processes at the end\n";
  }
  std::vector<std::string> kept;
  for (int fd : options.keep_fds) kept.push_back(std::to_string(fd));
  out << "descriptors: 0, 1, 2" << (kept.empty() ? "" : ", --keep-fd " + join(kept, ", "))
      << " inherited; every other one closed on exec\n";
  out << "network: " << network_mode_name(*options.network);
  switch (*options.network) {
    case NetworkMode::NewNamespace: out << " (new network namespace, loopback up, nft -f nftables.nft in it)\n"; break;
    case NetworkMode::JoinNamespace:
      out << " (/run/netns/" << options.netns_name << ", nft -f nftables.nft in it)\n";
      break;
    case NetworkMode::EnforcedExternally:
      out << " (NOT applied by sbx-exec: the caller vouches nftables.nft governs the payload's namespace)\n";
      break;
  }
  out << "  nftables.nft: " << p.nftables.size << " bytes, sha256 " << p.nftables.sha256 << "\n";
  if (p.proxy && *options.network == NetworkMode::NewNamespace)
    out << "  note: a new namespace has only its own loopback; the proxy " << p.proxy->address << ":" << p.proxy->port
        << " must be reachable from inside it\n";
  if (p.proxy) {
    out << "proxy environment (egress.json):\n";
    for (const auto& [name, value] : p.env) out << "  " << name << "=" << value << "\n";
  } else {
    out << "proxy environment: none (" << (p.bundle.find("egress.json") ? "egress.json has no proxy" : "no egress.json")
        << ")\n";
  }
  if (options.user)
    out << "user: " << *options.user
        << " (no supplementary groups; every capability set emptied and the securebits locked)\n";
  else out << "user: the caller's, with the caller's capabilities (no --user)\n";
  out << "no_new_privs: set\n";

  out << "landlock: min_abi " << ll.min_abi << "\n";
  if (ll.fs) {
    out << "  fs: handled " << join(fs_access_names(ll.fs->handled), ", ") << "\n";
    for (const FsRule& rule : ll.fs->rules)
      out << "    " << rule.path << ": " << join(fs_access_names(rule.access), ", ") << "\n";
  } else {
    out << "  fs: none\n";
  }
  if (ll.net) {
    out << "  net: abi " << ll.net->abi << (ll.net->best_effort ? ", best effort" : ", required") << "; handled "
        << join(net_access_names(ll.net->handled), ", ") << "\n";
    size_t rules = 0;
    for (const NetRule& rule : ll.net->rules) {
      out << "    " << join(net_access_names(rule.access), ", ") << ": tcp ports " << ports_text(rule.ports) << "\n";
      for (auto [low, high] : rule.ports) rules += static_cast<size_t>(high - low) + 1;
    }
    out << "    (" << rules << " Landlock port rules)\n";
  } else {
    out << "  net: none\n";
  }
  if (ll.scope) {
    out << "  scope: abi " << ll.scope->abi << (ll.scope->best_effort ? ", best effort" : ", required") << "; "
        << join(scope_names(ll.scope->scoped), ", ") << "\n";
  } else {
    out << "  scope: none\n";
  }
  out << "seccomp: " << p.seccomp.file << ", " << p.seccomp.instructions << " instructions\n";
  if (p.os) out << os_layer_report(*p.os);
  out << "command: " << quoted(options.command) << "\n";

  // Everything below depends on the machine.
  std::optional<PathCheck> path_check;
  out << "this machine:\n";
  out << "  architecture: " << native_arch() << "\n";
  out << "  landlock abi: " << p.kernel_abi << "\n";
  if (!p.kernel_refusal) {
    std::vector<std::string> layers;
    if (p.plan.fs) layers.push_back("fs");
    if (p.plan.net) layers.push_back("net");
    if (p.plan.scope) layers.push_back("scope");
    out << "  landlock layers: " << (layers.empty() ? "none" : join(layers, ", ")) << " (abi used " << p.plan.abi_used
        << ")\n";
    for (const DroppedLayer& d : p.plan.dropped)
      out << "  dropped (best effort): " << d.layer << ": " << d.reason << "\n";
    if (p.plan.fs) {
      // The walks a run makes (as the caller, though: a run with --user walks as that user).
      path_check = check_rule_paths(*ll.fs);
      for (const std::string& path : path_check->missing) out << "  path rule skipped (missing): " << path << "\n";
      for (const std::string& path : path_check->only_dir_rights)
        out << "  path rule skipped (not a directory, only directory rights): " << path << "\n";
    }
  }
  out << "  seccomp filters: " << (p.seccomp_supported ? "supported" : "unavailable") << "\n";
  if (*options.network != NetworkMode::EnforcedExternally) {
    std::string nft = nft_binary();
    out << "  nft: " << (nft.empty() ? "not found" : nft) << "\n";
    out << "  CAP_SYS_ADMIN: " << (has_cap_sys_admin() ? "yes" : "no") << "\n";
  }
  if (*options.network == NetworkMode::JoinNamespace) {
    struct stat st {};
    std::string path = "/run/netns/" + options.netns_name;
    out << "  " << path << ": " << (stat(path.c_str(), &st) == 0 ? "exists" : "missing") << "\n";
  }
  if (p.os) out << os_machine_report(*p.os);
  std::optional<Failure> strict;
  if (options.strict_paths && path_check && !path_check->refusal && !path_check->skipped.empty())
    strict = strict_paths_refusal(path_check->skipped, p.attribution);
  // The files the exec would open and the rights the policy grants on them (as the caller, in the
  // caller's mount namespace, with the caller's PATH: a run may differ by its --user and mounts).
  const LandlockPolicy& policy = p.landlock;
  const bool fs_applied = !p.kernel_refusal && p.plan.fs && policy.fs;
  const ExecPreflight preflight =
      preflight_exec(options.command, getenv("PATH"), fs_applied ? &*policy.fs : nullptr, p.attribution);
  for (const ExecFile& file : preflight.files) {
    out << "  exec: " << file.role << " " << printable(file.path);
    if (!file.resolved.empty() && file.resolved != file.path) out << " -> " << printable(file.resolved);
    if (fs_applied) {
      const std::vector<std::string> rights = fs_access_names(file.granted & kExecRights);
      out << ": " << (rights.empty() ? "neither execute nor read_file" : join(rights, ", ")) << " granted";
    }
    out << "\n";
  }
  for (const std::string& note : preflight.notes) out << "  exec note: " << note << "\n";
  const Failure* refusal = p.kernel_refusal                    ? &*p.kernel_refusal
                           : p.os && p.os->refusal             ? &*p.os->refusal
                           : path_check && path_check->refusal ? &*path_check->refusal
                           : strict                            ? &*strict
                                                               : nullptr;
  exit_code = refusal ? static_cast<int>(refusal->code()) : 0;
  if (refusal) {
    out << "result: a run would refuse (exit " << exit_code << "): " << refusal->what() << "\n";
  } else if (preflight.problem) {
    exit_code = static_cast<int>(preflight.code);
    out << "result: a run would apply the above, and the exec would fail (exit " << exit_code << "): cannot execute "
        << printable(options.command.front()) << ": " << *preflight.problem << "\n";
  } else {
    out << "result: a run would apply the above and exec the command\n";
  }
  return out.str();
}

}  // namespace polc::launcher
