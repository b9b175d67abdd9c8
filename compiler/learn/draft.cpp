// Stage: learn. Assembling a draft policy from a recording (see draft.h for where each choice is
// documented). The assembly itself:
// - Left out before drafting, each with its reason: what the boundary (`within`) refuses; calls
//   without a syscall name (or a name polc's table does not give that number); paths the language cannot express;
//   credential paths; per-process /proc/PID paths (the PID differs on every run); paths only probed while missing
//   (ENOENT is not Landlock's, and a rule needs its path to exist); port-0 and unparsable endpoints; the cloud metadata
//   endpoints (a draft never opens them).
// - targets: the arches the calls were made on (x86_64 when there were none).
// - imports: the chosen std modules (module_choice.h), then std.hardening unless disabled.
// - syscalls: `default errno(EPERM)`, so that a call the runs did not make fails softly; one
//   `allow` per syscall the imports do not already allow for every observed form, with the
//   conditions of call_conditions.h, `name?` where a target lacks the syscall, and a comment
//   "# N calls, runs 1,2".
// - filesystem: `landlock abi >= N`, the lowest ABI with every right used; the observations the
//   imports do not already grant, collapsed (path_collapse.h), one statement per path, rights
//   merged, each with a comment counting the accesses behind it; `execute` on each target's
//   dynamic loader (Debian's multiarch path) when the workload executed programs, since the
//   kernel executes the loader inside the program's execve and no observation names it (not
//   when the boundary refuses it); then `deny RIGHT "PATH"` for each
//   credential path observed (one a grant overlaps is masked by os.json; E0606 without os).
// - network: `connect PROTO PORTS to ADDRESS` per address, `bind PROTO PORTS`; names looked up
//   are listed in a comment, not granted: a domain rule needs an egress proxy the workload did
//   not use, and the addresses it connected to are granted already.
// - assertions and tests (draft_tests.h).
// - The refusal loop: the text is formatted and compiled, and every kept observation is replayed
//   through the IR evaluator; a `deny` that overlaps a grant (E0606) is dropped, and so are the
//   credential assertions if the grants reach a credential (E0504; said in left_out); what the
//   draft still refuses (std.hardening kills ptrace and answers
//   clone3 with ENOSYS, whatever the draft allows) is left out with the reason, and the draft is
//   made again (at most 6 times). Within a boundary, the draft is then diffed against it (polc
//   diff's engine); if a collapsed directory reaches past it, the draft is made again with every
//   path as observed, and whatever still goes beyond is reported.
#include "compiler/learn/draft.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "compiler/fmt/format.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/landlock_names.h"
#include "compiler/learn/call_conditions.h"
#include "compiler/learn/compile_text.h"
#include "compiler/learn/draft_tests.h"
#include "compiler/learn/module_choice.h"
#include "compiler/learn/path_collapse.h"
#include "compiler/learn/path_text.h"
#include "compiler/learn/replay.h"
#include "compiler/learn/rule_text.h"
#include "compiler/learn/sensitive_paths.h"
#include "compiler/sema/syscall_table.h"
#include "compiler/syntax/parse.h"
#include "compiler/verify/fs_diff.h"
#include "compiler/verify/net_diff.h"
#include "compiler/verify/syscall_diff.h"

namespace polc::learn {
namespace {

constexpr int kMaxRounds = 6;

bool on_parent(std::string_view right) {
  return right.substr(0, 5) == "make_" || right.substr(0, 7) == "remove_" || right == "refer";
}

// A /proc/PID path: the PID is another on the next run.
bool per_process_proc(std::string_view path) {
  if (path.substr(0, 6) != "/proc/") return false;
  size_t i = 6, start = i;
  while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
  return i > start && (i == path.size() || path[i] == '/');
}

bool metadata_address(const std::string& a) {
  return a == "169.254.169.254" || a == "fd00:ec2::254" || a == "100.100.100.200" || a == "168.63.129.16";
}

const ir::LandlockName* fs_right(std::string_view name) {
  for (const ir::LandlockName& r : ir::kFsRightNames)
    if (r.name == name) return &r;
  return nullptr;
}

// Why an observation is left out whatever the draft says, or nullopt.
// Paths the workload only probed: accessed (not created) while they did not exist, and not
// created by the workload either (then a later access found them). Opening a missing file fails
// with ENOENT before Landlock is asked, so a draft need not, and Landlock cannot (a rule needs the
// path to exist when the sandbox starts), grant them.
std::set<std::string> probed_missing(const Recording& rec) {
  std::set<std::string> created, missing;
  for (const auto& [e, seen] : rec.events) {
    const auto* a = std::get_if<FileAccess>(&e);
    if (a == nullptr) continue;
    if (a->right.rfind("make_", 0) == 0) created.insert(a->path);
    else if (a->kind == FileAccess::Kind::Missing && !on_parent(a->right)) missing.insert(a->path);
  }
  std::erase_if(missing, [&](const std::string& path) {
    for (std::string p = path; p != "/"; p = parent_dir(p))
      if (created.count(p)) return true;
    return false;
  });
  return missing;
}

std::optional<std::string> static_exclusion(const Event& e, const DraftOptions& options,
                                            const std::set<std::string>& missing) {
  if (const auto* c = std::get_if<Call>(&e)) {
    if (c->name.empty())
      return "syscall number " + std::to_string(c->nr) + " has no name on " + std::string(arch::name(c->arch)) +
             ": no rule can name it";
    if (sema::syscall_number(c->name, c->arch) != c->nr)
      return "polc knows no syscall " + c->name + " numbered " + std::to_string(c->nr) + " on " +
             std::string(arch::name(c->arch)) + ": no rule can name it";
  }
  auto path_reason = [&](const std::string& path, std::string_view right) -> std::optional<std::string> {
    if (!fs_right(right)) return "not a Landlock right";
    if (auto why = unrepresentable_reason(path)) return "the path " + *why + ": no rule can name it exactly";
    if (on_parent(right) && unrepresentable_reason(parent_dir(path))) return "its directory cannot be named";
    if (sensitive_path(path)) return "a credential path: a draft never grants it (asserted refused)";
    if (per_process_proc(path)) return "a path of one process (/proc/PID): the PID differs on every run";
    if (process_relative(path))
      return "names the process that opens it (/proc/self, /dev/fd): a rule on it would name the launcher";
    if (!on_parent(right) && missing.count(path)) return "it did not exist (a probe: ENOENT comes before Landlock)";
    return std::nullopt;
  };
  if (const auto* a = std::get_if<FileAccess>(&e)) {
    if (auto why = path_reason(a->path, a->right)) return why;
  }
  if (const auto* x = std::get_if<Exec>(&e)) {
    if (auto why = path_reason(x->path, "execute")) return why;
  }
  if (const auto* ep = std::get_if<Endpoint>(&e)) {
    if (ep->proto == "tcp" || ep->proto == "udp") {
      if (ep->port == 0) return "port 0: no rule names it (an ephemeral port)";
      if (metadata_address(ep->address)) return "a cloud metadata endpoint: a draft never opens one";
      if (ep->direction != Endpoint::Direction::Bind && !rule_for(e, Seen{})) return "an address no rule can name";
    }
  }
  if (options.within) {
    if (auto why = refusal(*options.within, e)) return "outside the boundary (it decides " + *why + ")";
  }
  return std::nullopt;
}

std::string identifier(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  return out.substr(0, 128);
}

std::string runs_text(const std::set<int>& runs) {
  std::string out = runs.size() == 1 ? "run " : "runs ";
  bool first = true;
  for (int r : runs) {
    out += (first ? "" : ",") + std::to_string(r);
    first = false;
  }
  return out;
}

std::string count_text(uint64_t count, const std::string& unit, const std::set<int>& runs) {
  std::string plural = count == 1 ? "" : unit.back() == 's' ? "es" : "s";
  return std::to_string(count) + " " + unit + plural + ", " + runs_text(runs);
}

std::string rights_text(uint64_t rights) {
  constexpr uint64_t kRead = ir::fs_right::kReadFile | ir::fs_right::kReadDir;
  std::string out;
  if ((rights & kRead) == kRead) {
    out = "read";
    rights &= ~kRead;
  }
  for (const ir::LandlockName& r : ir::kFsRightNames)
    if (rights & r.bit) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

std::string header(const Recording& rec, const std::string& name) {
  std::string out = "# " + name + ": drafted by `polc learn` from " + std::to_string(rec.runs.size()) +
                    (rec.runs.size() == 1 ? " run" : " runs") + ". Review every rule before use.\n";
  for (const Run& run : rec.runs) {
    std::string argv;
    for (const std::string& a : run.argv) argv += (argv.empty() ? "" : " ") + printable_path(a);
    out += "# Run " + std::to_string(run.id) + ": " + argv;
    if (!run.cwd.empty()) out += " (in " + printable_path(run.cwd) + ")";
    out += ": ";
    if (run.exit_code) out += "exit " + std::to_string(*run.exit_code);
    else if (run.exit_signal) out += "killed by signal " + std::to_string(*run.exit_signal);
    else out += "no exit status";
    out += ", " + std::to_string(run.calls) + (run.calls == 1 ? " call, " : " calls, ") +
           std::to_string(run.processes) + (run.processes == 1 ? " process" : " processes");
    if (run.partial) out += "; PARTIAL (" + printable_path(run.partial_reason) + ")";
    if (run.dropped) out += "; " + std::to_string(run.dropped) + " events dropped";
    out += "\n";
  }
  return out;
}

struct Inputs {
  const Recording& rec;
  const DraftOptions& options;
  const std::map<Event, std::string>& excluded;
  std::vector<arch::Arch> targets;
  std::vector<ModuleChoice> modules;
  bool with_assertions = true;
  bool with_denies = true;
  // Within a boundary, when the collapsed draft went beyond it: every observed path as it is.
  bool exact_paths = false;
  // What the last rendering could not grant that no observation stands for (the loader).
  mutable std::set<std::string> notes;
};

std::string imports_text(const Inputs& in) {
  std::string out;
  for (const ModuleChoice& m : in.modules)
    out += "  # Allows " + std::to_string(m.covered) + " of the observed syscalls, and " + std::to_string(m.extra) +
           " that were not observed.\n  import " + m.module + "\n";
  if (in.options.hardening)
    out +=
        "  # Kills escape primitives and kernel attack surface, whatever else allows them.\n  import std.hardening\n";
  return out;
}

// Where Debian's multiarch layout puts each arch's dynamic loader (the PT_INTERP of its programs,
// symbolic links resolved as Landlock resolves them); nullopt where polc knows none (x32).
std::optional<std::string> loader_path(arch::Arch a) {
  switch (a) {
    case arch::Arch::x86_64: return "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
    case arch::Arch::x86: return "/usr/lib/i386-linux-gnu/ld-linux.so.2";
    case arch::Arch::aarch64: return "/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1";
    case arch::Arch::arm: return "/usr/lib/arm-linux-gnueabihf/ld-linux-armhf.so.3";
    case arch::Arch::riscv64: return "/usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1";
    case arch::Arch::s390x: return "/usr/lib/s390x-linux-gnu/ld64.so.1";
    case arch::Arch::x32: return std::nullopt;
  }
  return std::nullopt;
}

// The imports alone, to leave out what they already allow.
std::unique_ptr<Compiled> base_policy(const Inputs& in) {
  return compile_text("policy base version 1 {\n  " + targets_text(in.targets) + "\n" + imports_text(in) +
                          "  syscalls {\n    default errno(EPERM)\n  }\n}\n",
                      "base.sbx");
}

bool base_grants(const ir::Policy* base, std::string_view path, std::string_view right) {
  if (base == nullptr) return false;
  const ir::LandlockName* r = fs_right(right);
  return r && ir::decide_fs(base->filesystem, path, r->bit).reason == ir::FsDecision::Reason::Granted;
}

// std.hardening answers clone3 with ENOSYS so that libc falls back to clone, where seccomp can see
// the flags. A workload recorded making threads or processes with clone3 then needs clone, which
// the runs never showed: the draft allows it (without namespace flags, which std.hardening kills
// anyway) unless the imports already do, or clone was observed and has its own rule.
std::optional<std::string> clone_fallback(const Inputs& in, const ir::Policy* base, bool clone_observed) {
  if (!in.options.hardening || clone_observed) return std::nullopt;
  std::set<arch::Arch> arches;
  for (const auto& [e, seen] : in.rec.events)
    if (const auto* c = std::get_if<Call>(&e); c && c->name == "clone3") arches.insert(c->arch);
  if (arches.empty()) return std::nullopt;
  if (base) {
    // A thread as glibc's pthread_create makes it: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|
    // SETTLS|PARENT_SETTID|CHILD_CLEARTID.
    bool allowed = true;
    for (arch::Arch a : arches) {
      const auto nr = sema::syscall_number("clone", a);
      if (nr && refusal(*base, Call{a, *nr, "clone", 1, {0x3d0f00, 0, 0, 0, 0, 0}})) allowed = false;
    }
    if (allowed) return std::nullopt;
  }
  return std::string("    # libc's fallback from clone3, which std.hardening answers with ENOSYS\n") +
         "    allow clone(flags & NAMESPACE_CLONE_FLAGS == 0)\n";
}

std::string syscalls_text(const Inputs& in, const ir::Policy* base) {
  std::map<std::string, std::vector<std::pair<const Call*, const Seen*>>> by_name;
  for (const auto& [e, seen] : in.rec.events) {
    const auto* c = std::get_if<Call>(&e);
    if (c == nullptr || in.excluded.count(e)) continue;
    if (base && !refusal(*base, e)) continue;
    by_name[c->name].emplace_back(c, &seen);
  }
  std::string out = "\n  syscalls {\n    # Calls the runs did not make fail with EPERM.\n    default errno(EPERM)\n";
  for (const auto& entry : by_name) {
    const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture one
    const auto& list = entry.second;
    std::vector<const Call*> calls;
    uint64_t count = 0;
    std::set<int> runs;
    for (const auto& [c, seen] : list) {
      calls.push_back(c);
      count += seen->count;
      runs.insert(seen->runs.begin(), seen->runs.end());
    }
    bool everywhere = std::all_of(in.targets.begin(), in.targets.end(),
                                  [&](arch::Arch t) { return sema::syscall_number(name, t).has_value(); });
    std::string cond = call_conditions(calls, in.targets, !in.modules.empty() || in.options.hardening);
    out += "    allow " + name + (everywhere ? "" : "?") + (cond.empty() ? "" : "(" + cond + ")") + "  # " +
           count_text(count, "call", runs) + "\n";
  }
  if (const auto fallback = clone_fallback(in, base, by_name.count("clone") > 0)) out += *fallback;
  return out + "  }\n";
}

std::string filesystem_text(const Inputs& in, const ir::Policy* base, std::span<const Event* const> credentials) {
  PathRights observed;
  std::set<std::string> created, sensitive;
  struct Obs {
    std::string path;
    uint64_t right;
    const Seen* seen;
  };
  std::vector<Obs> observations;
  bool any_access = !credentials.empty();
  bool any_exec = false;
  for (const Event* e : credentials) {
    if (const auto* a = std::get_if<FileAccess>(e)) sensitive.insert(a->path);
    if (const auto* x = std::get_if<Exec>(e)) sensitive.insert(x->path);
  }
  for (const auto& [e, seen] : in.rec.events) {
    std::string path, right;
    if (const auto* a = std::get_if<FileAccess>(&e)) {
      path = a->path;
      right = a->right;
    } else if (const auto* x = std::get_if<Exec>(&e)) {
      path = x->path;
      right = "execute";
    } else {
      continue;
    }
    any_access = true;
    if (in.excluded.count(e)) continue;
    any_exec = any_exec || std::holds_alternative<Exec>(e);
    std::string target = on_parent(right) ? parent_dir(path) : path;
    if (base_grants(base, target, right)) continue;
    const ir::LandlockName* r = fs_right(right);
    if (r == nullptr) continue;
    if (right.rfind("make_", 0) == 0) created.insert(path);
    observed[target] |= r->bit;
    observations.push_back({target, r->bit, &seen});
  }
  if (!any_access) return {};
  PathRights rules = in.exact_paths ? drop_covered(observed) : collapse_paths(observed, sensitive, created);
  // The dynamic loader: the kernel executes it for every dynamically linked program, inside the
  // execve the recorder sees as one exec of the program, so no observation names it.
  std::map<std::string, arch::Arch> loaders;
  if (any_exec) {
    for (arch::Arch t : in.targets) {
      auto loader = loader_path(t);
      if (!loader || base_grants(base, *loader, "execute")) continue;
      if (in.options.within && refusal(*in.options.within, Exec{*loader})) {
        in.notes.insert("execute " + *loader + " (the dynamic loader): outside the boundary; programs will not start");
        continue;
      }
      bool granted = false;
      for (const auto& [path, rights] : rules)
        granted = granted || ((rights & ir::fs_right::kExecute) && ir::beneath(*loader, path));
      if (granted) continue;
      rules[*loader] |= ir::fs_right::kExecute;
      loaders.emplace(*loader, t);
    }
  }
  unsigned abi = 1;
  for (const auto& [path, rights] : rules)
    for (const ir::LandlockName& r : ir::kFsRightNames)
      if (rights & r.bit) abi = std::max(abi, r.abi);
  std::string out =
      "\n  filesystem {\n    # The lowest Landlock ABI that can enforce every right below.\n    landlock abi >= " +
      std::to_string(abi) + "\n";
  for (const auto& [path, rights] : rules) {
    uint64_t count = 0;
    std::set<int> runs;
    std::set<std::string> paths;
    for (const Obs& o : observations) {
      if (!(o.right & rights) || !ir::beneath(o.path, path)) continue;
      count += o.seen->count;
      runs.insert(o.seen->runs.begin(), o.seen->runs.end());
      paths.insert(o.path);
    }
    std::string comment = count == 0 ? std::string() : count_text(count, "access", runs);
    if (paths.size() > 1) comment += ", " + std::to_string(paths.size()) + " paths";
    if (auto it = loaders.find(path); it != loaders.end())
      comment += std::string(comment.empty() ? "" : "; ") + "the dynamic loader of " +
                 std::string(arch::name(it->second)) + " (executed with every dynamically linked program)";
    out += "    " + rights_text(rights) + " " + quoted_path(path) + "  # " + comment + "\n";
  }
  auto denies = credential_queries(credentials);
  if (in.with_denies && !denies.empty()) {
    out += "    # Credentials the workload touched: never granted.\n";
    for (const std::string& q : denies) out += "    deny " + q + "\n";
  }
  return out + "  }\n";
}

std::string network_text(const Inputs& in) {
  struct Ports {
    std::set<uint16_t> ports;
    uint64_t count = 0;
    std::set<int> runs;
  };
  std::map<std::pair<std::string, std::string>, Ports> connects;  // (proto, address token)
  std::map<std::string, Ports> binds;
  std::set<std::string> names;
  for (const auto& [e, seen] : in.rec.events) {
    if (const auto* n = std::get_if<NameLookup>(&e)) {
      if (!in.excluded.count(e)) names.insert(printable_path(n->name));
      continue;
    }
    const auto* ep = std::get_if<Endpoint>(&e);
    if (ep == nullptr || in.excluded.count(e)) continue;
    auto rule = rule_for(e, seen);
    if (!rule) continue;
    Ports* p = nullptr;
    if (ep->direction == Endpoint::Direction::Bind) {
      p = &binds[ep->proto];
    } else {
      std::string text = rule->text;  // "connect tcp PORT to ADDRESS"
      p = &connects[{ep->proto, text.substr(text.rfind(' ') + 1)}];
    }
    p->ports.insert(ep->port);
    p->count += seen.count;
    p->runs.insert(seen.runs.begin(), seen.runs.end());
  }
  if (connects.empty() && binds.empty() && names.empty()) return {};
  auto ports_text = [](const std::set<uint16_t>& ports) {
    std::string out;
    for (uint16_t port : ports) out += (out.empty() ? "" : ", ") + std::to_string(port);
    return out;
  };
  std::string out = "\n  network {\n";
  if (!names.empty()) {
    out +=
        "    # Names looked up (not granted as domains: that needs an egress proxy, and the addresses\n"
        "    # connected to are granted below):";
    size_t col = 100;
    for (const std::string& n : names) {
      if (col + n.size() > 90) {
        out += "\n    #";
        col = 5;
      }
      out += " " + n;
      col += n.size() + 1;
    }
    out += "\n";
  }
  for (const auto& [key, p] : connects)
    out += "    connect " + key.first + " " + ports_text(p.ports) + " to " + key.second + "  # " +
           count_text(p.count, "connection", p.runs) + "\n";
  for (const auto& [proto, p] : binds)
    out += "    bind " + proto + " " + ports_text(p.ports) + "  # " + count_text(p.count, "bind", p.runs) + "\n";
  return out + "  }\n";
}

std::string render(const Inputs& in) {
  in.notes.clear();
  auto base = base_policy(in);
  const ir::Policy* base_ir = base->policy ? &*base->policy : nullptr;
  std::vector<const Event*> credentials;
  std::vector<std::pair<const Event*, const Seen*>> granted;
  for (const auto& [e, seen] : in.rec.events) {
    auto it = in.excluded.find(e);
    if (it == in.excluded.end()) {
      granted.emplace_back(&e, &seen);
    } else if ((std::holds_alternative<FileAccess>(e) || std::holds_alternative<Exec>(e)) &&
               (std::holds_alternative<Exec>(e) ? sensitive_path(std::get<Exec>(e).path)
                                                : sensitive_path(std::get<FileAccess>(e).path)) &&
               !unrepresentable_reason(std::holds_alternative<Exec>(e) ? std::get<Exec>(e).path
                                                                       : std::get<FileAccess>(e).path)) {
      credentials.push_back(&e);
    }
  }
  const std::string name = identifier(in.options.name);
  std::string out = header(in.rec, name);
  out += "policy " + name + " version 1 {\n  " + targets_text(in.targets) + "\n\n" + imports_text(in);
  out += syscalls_text(in, base_ir);
  out += filesystem_text(in, base_ir, credentials);
  out += network_text(in);
  if (in.with_assertions) out += credential_checks(credentials);
  out += observed_tests(granted, in.targets);
  return out + "}\n";
}

// Parses and formats; the input when it does not parse (a bug: reported by the caller's compile).
std::string formatted(const std::string& text) {
  diag::SourceManager sm;
  diag::Engine engine(sm);
  const auto fid = sm.add("learned.sbx", text);
  auto file = syntax::parse(engine, fid);
  if (!file || engine.has_errors()) return text;
  return fmt::format(*file, sm.contents(fid));
}

}  // namespace

Draft draft_policy(const Recording& rec, const DraftOptions& options) {
  Draft d;
  for (const Run& run : rec.runs) d.partial = d.partial || run.partial;
  const std::set<std::string> missing = probed_missing(rec);
  for (const auto& [e, seen] : rec.events)
    if (auto why = static_exclusion(e, options, missing)) d.excluded[e] = *why;

  Inputs in{rec, options, d.excluded, {}, {}, true, true, false, {}};
  std::set<arch::Arch> arches;
  std::vector<const Call*> calls;
  for (const auto& [e, seen] : rec.events) {
    if (const auto* c = std::get_if<Call>(&e)) {
      arches.insert(c->arch);
      if (!d.excluded.count(e)) calls.push_back(c);
    }
  }
  in.targets.assign(arches.begin(), arches.end());
  if (in.targets.empty()) in.targets.push_back(arch::Arch::x86_64);
  in.modules = choose_modules(calls, in.targets, options.within);

  for (int round = 0; round < kMaxRounds; ++round) {
    d.text = formatted(render(in));
    auto compiled = compile_text(d.text, "learned.sbx", /*verify=*/true);
    if (!compiled->policy) {
      auto lines = diagnostic_lines(*compiled);
      auto mentions = [&](std::initializer_list<const char*> codes) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
          return std::any_of(codes.begin(), codes.end(), [&](const char* c) { return l.find(c) != std::string::npos; });
        });
      };
      if (in.with_denies && mentions({"E0606"})) {
        // A deny beneath or above a grant of the same rights: Landlock only grants, so the deny
        // cannot be kept; the assertions still say the credential stays refused.
        in.with_denies = false;
        continue;
      }
      if (in.with_assertions && mentions({"E0504", "E0505"})) {
        // A credential assertion the grants contradict (a boundary of collapse or an import
        // reaches it): drop the assertions, and say so loudly.
        in.with_assertions = false;
        d.left_out.push_back(
            "WARNING: the draft's rules reach a credential path it observed; its assertions "
            "were dropped: review the filesystem rules");
        continue;
      }
      d.left_out.push_back("the draft does not compile: " + (lines.empty() ? std::string("?") : lines[0]));
      break;
    }
    bool more = false;
    for (const auto& [e, seen] : rec.events) {
      if (d.excluded.count(e)) continue;
      if (auto why = refusal(*compiled->policy, e)) {
        d.excluded[e] = "the draft's imports refuse it (" + *why + ")";
        more = true;
      }
    }
    if (more) continue;
    if (options.within) {
      std::vector<std::string> beyond;
      for (auto* part : {&verify::diff_syscalls, &verify::diff_filesystem, &verify::diff_network})
        for (const verify::DiffEntry& e : (*part)(*options.within, *compiled->policy))
          if (e.widened) beyond.push_back(e.region);
      if (!beyond.empty() && !in.exact_paths) {
        in.exact_paths = true;  // collapsed directories reach past the boundary: name paths exactly
        continue;
      }
      for (const std::string& region : beyond)
        d.left_out.push_back("WARNING: the draft goes beyond the boundary: " + region);
    }
    break;
  }
  for (const auto& [e, why] : d.excluded) d.left_out.push_back(observation_text(e) + ": " + why);
  d.left_out.insert(d.left_out.end(), in.notes.begin(), in.notes.end());
  return d;
}

}  // namespace polc::learn
