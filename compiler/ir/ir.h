// Stage: ir. The normalized, architecture-resolved policy: the only thing the verifier and the
// backends read. Every name is resolved, every constant is a number at the argument's width, every
// condition is in disjunctive normal form, imports are flattened, and lists are sorted so that the
// same source always yields the same IR (and so byte-identical artifacts).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/ir/vocab.h"

namespace polc::ir {

// A conjunction of comparisons; empty means "always true".
using Clause = std::vector<ArgCmp>;

struct SyscallRule {
  std::string syscall;
  int nr = 0;  // the arch's syscall number (x32 numbers include bit 30)
  Action action;
  // Disjunction of clauses. {{}} (one empty clause) matches every call; {} matches none.
  std::vector<Clause> when;
  // Every statement that says exactly this (a group allowed by two modules is one rule), sorted.
  std::vector<Origin> origins;
};

struct ArchFilter {
  arch::Arch arch = arch::Arch::x86_64;
  std::vector<SyscallRule> rules;  // sorted by (nr, action, condition); several rules per syscall allowed
};

struct Syscalls {
  Action default_action{ActionKind::KillProcess, 0};
  bool default_written = false;    // false: the implicit default (kill_process) applies
  Origin default_origin;           // the `default` statement, when written
  std::vector<ArchFilter> arches;  // one per target, in target order
};

struct FsRule {
  std::string path;     // absolute, normal
  uint64_t rights = 0;  // fs_right bits
  bool deny = false;
  std::vector<Origin> origins;  // every statement that says exactly this, sorted
};

struct Filesystem {
  bool present = false;  // a filesystem section exists (Landlock is then required)
  unsigned min_abi = 0;
  Origin abi_origin;          // the `landlock abi` statement that set min_abi: it makes every right of
                              // that ABI denied wherever no rule grants it
  uint64_t handled = 0;       // rights restricted: every right of min_abi
  std::vector<FsRule> rules;  // sorted by path, allows before denies
  // Landlock scopes (`landlock scope ...`, ABI 6): scope bits, and the statements that ask for them.
  uint64_t scopes = 0;
  std::vector<Origin> scope_origins;
  // Landlock layers newer than min_abi that the policy declared `landlock best_effort`: applied
  // where the kernel has them, dropped (and audited) where it does not. Layer bits.
  uint64_t best_effort = 0;
};

struct NetRule {
  bool deny = false;
  bool implicit = false;  // added by polc (cloud metadata) rather than written
  Direction direction = Direction::Any;
  Proto proto = Proto::Any;
  std::vector<PortRange> ports;  // empty: every port
  std::vector<Host> hosts;       // empty: every host
  Origin origin;
};

// Network rules are an allowlist: allow rules name tcp or udp endpoints, and anything they do not
// allow is refused. Deny rules (`proto` Any covers every protocol) beat every allow rule.
// The egress proxy that enforces domain rules (`proxy ADDRESS port N`): the only endpoint the
// sandbox may reach for them, and what launchers point HTTP(S)_PROXY at.
struct Proxy {
  Host address;  // a single V4 or V6 address (prefix 32 or 128)
  uint16_t port = 0;
  Origin origin;
};

struct Network {
  bool present = false;
  std::vector<NetRule> rules;  // denies first, then allows; each in source order
  std::optional<Proxy> proxy;
};

// ---- the OS layer: namespaces, resource limits, mounts, workspaces (docs/backends/os.md) ----

// The namespaces the payload gets besides the network one (the network section and sbx-exec's
// --network decide that one).
enum class Namespace : uint8_t { Cgroup, Ipc, Mount, Pid, User, Uts };

struct NamespaceRule {
  Namespace ns = Namespace::Mount;
  // True when no `namespaces` statement names it but another statement needs it (a mount rule,
  // a workspace or a masked deny needs `mount`; `pid` needs `mount` for its own /proc); `origin`
  // is then the statement that needs it.
  bool implied = false;
  Origin origin;
};

// One resource limit. Units: bytes (Memory, MemorySwap, FileSize), a count (Tasks, OpenFiles),
// thousandths of a core (Cpu: 1500 is one and a half cores), milliseconds (Time), 0 or 1
// (CoreDumps: 1 allows core files; without the statement they are off).
enum class LimitKind : uint8_t { Memory, MemorySwap, Tasks, Cpu, Time, OpenFiles, FileSize, CoreDumps };

struct Limit {
  LimitKind kind = LimitKind::Memory;
  uint64_t value = 0;
  Origin origin;
};

// A mount rule of the filesystem section, or one the OS backend derives from a deny rule.
enum class MountKind : uint8_t {
  Hide,        // an empty read-only directory (or /dev/null for a file) over the path
  ReadOnly,    // the path bind-mounted read-only
  Tmpfs,       // a private, empty tmpfs (size: bytes, 0 for the kernel's default)
  MinimalDev,  // a tmpfs /dev with null, zero, full, random, urandom, tty, pts, shm, fd links
};

struct MountRule {
  MountKind kind = MountKind::Hide;
  std::string path;   // absolute, normal ("/dev" for MinimalDev)
  uint64_t size = 0;  // Tmpfs only
  Origin origin;
};

// When a run's changes to a workspace are thrown away rather than committed. Bits.
enum DiscardOn : uint8_t {
  kDiscardOnKill = 1,     // the payload was killed by a signal (the policy's kill, a limit, time)
  kDiscardOnRefusal = 2,  // a selected layer refused something (refusal_layers, or any layer)
  kDiscardOnFailure = 4,  // the payload exited with a nonzero status
};
inline constexpr uint8_t kDiscardOnDefault = kDiscardOnKill | kDiscardOnRefusal | kDiscardOnFailure;

struct Workspace {
  std::string path;  // absolute, normal
  uint8_t discard_on = kDiscardOnDefault;
  // With kDiscardOnRefusal: the layers whose refusals count, by the names telemetry gives them
  // ("seccomp", "landlock", "nftables", "proxy"), sorted; empty means every layer.
  std::vector<std::string> refusal_layers;
  Origin origin;
};

struct Os {
  std::vector<NamespaceRule> namespaces;  // sorted by ns, one per ns
  std::vector<Limit> limits;              // sorted by kind, one per kind
  std::vector<MountRule> mounts;          // sorted by (path, kind), as written (deny masks are the backend's)
  std::vector<Workspace> workspaces;      // sorted by path; no two nested
  bool empty() const { return namespaces.empty() && limits.empty() && mounts.empty() && workspaces.empty(); }
};

// ---- assertions and tests (kept for the verifier; evaluated by a later stage) ----

// The query resolved on one target architecture (constants and numbers differ per arch).
struct SyscallQueryArch {
  arch::Arch arch = arch::Arch::x86_64;
  int nr = 0;
  std::vector<Clause> when;    // symbolic condition (assertions)
  std::vector<uint64_t> args;  // concrete arguments (tests), at most 6; missing ones are 0
};

struct SyscallQuery {
  std::string syscall;
  bool concrete = false;  // tests: `args`; assertions: `when`
  std::vector<SyscallQueryArch> per_arch;
};

struct FsQuery {
  std::string path;
  uint64_t rights = 0;
};

struct NetQuery {
  Direction direction = Direction::Connect;
  Proto proto = Proto::Tcp;
  std::optional<PortRange> port;
  std::optional<Host> host;
};

enum class QueryKind : uint8_t { Syscall, Fs, Net };

struct Query {
  QueryKind kind = QueryKind::Syscall;
  SyscallQuery syscall;
  FsQuery fs;
  NetQuery net;
};

struct Assertion {
  bool never = true;
  Query query;
  Origin origin;
};

// What a test expects: an exact action, or `deny` meaning "anything but allow".
struct Expectation {
  bool any_denial = false;
  Action action;
  Query query;
  Origin origin;
};

struct Test {
  std::string name;
  std::vector<Expectation> expectations;
  Origin origin;
};

struct Policy {
  std::string name;
  uint64_t version = 0;
  std::vector<arch::Arch> targets;   // canonical arch order
  std::vector<std::string> modules;  // every module imported, sorted
  Syscalls syscalls;
  Filesystem filesystem;
  Network network;
  Os os;
  std::vector<Assertion> assertions;
  std::vector<Test> tests;
};

}  // namespace polc::ir
