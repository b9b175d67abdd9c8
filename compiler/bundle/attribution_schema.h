// Stage: bundle. attribution.json as one type: what a launcher needs to name the policy statement
// behind each refusal a kernel layer or the egress proxy reports (docs/bundle.md,
// "attribution.json"). `polc build` fills an Attribution (compiler/bundle/attribution.h) and
// writes it with to_json; sbx-exec reads it with from_json after the bundle's digests and
// signatures were checked, like every other artifact. Every key of the format is spelt in
// attribution_schema.cpp and nowhere else. Part of polc_bundle_trust: the standard library here,
// nlohmann_json only in the implementation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/problem.h"

namespace polc::bundle {

inline constexpr const char* kAttributionFile = "attribution.json";
inline constexpr const char* kAttributionFormat = "polc.attribution/1";

// Locations are spelt as the manifest's coverage map spells them: "sources/python_agent.sbx:30",
// "sources/_std/hardening.sbx:41", or "implicit: cloud metadata endpoints" for rules polc adds.
using Locations = std::vector<std::string>;

// ---- seccomp ----

// One comparison of a syscall argument, as the IR holds it (ir::ArgCmp): the argument register
// `arg` (0..5) truncated to `width` bits (16, 32 or 64), compared unsigned with `value`; for
// "masked_eq"/"masked_ne" the truncated register is ANDed with `mask` first.
struct AttrArgCmp {
  uint8_t arg = 0;
  uint8_t width = 64;
  std::string op;  // "eq", "ne", "lt", "le", "gt", "ge", "masked_eq", "masked_ne"
  uint64_t value = 0;
  uint64_t mask = ~uint64_t{0};  // written for the masked operators only
  friend bool operator==(const AttrArgCmp&, const AttrArgCmp&) = default;
};
// A disjunction of conjunctions; {{}} (one empty clause) matches every call.
using AttrCondition = std::vector<std::vector<AttrArgCmp>>;

struct AttrSyscallRule {
  std::string syscall;
  int64_t nr = 0;        // the arch's number, as the kernel reports it (x32 numbers carry bit 30)
  std::string decision;  // as the policy spells it: "errno(EACCES)", "kill_process", "trace(7)", "log"
  uint64_t data = 0;     // the errno value or trace data (0 otherwise): ranks equal kinds
  AttrCondition when;
  Locations at;  // every statement that says exactly this, sorted
  friend bool operator==(const AttrSyscallRule&, const AttrSyscallRule&) = default;
};

struct AttrSeccompArch {
  std::string arch;  // polc's target name: "x86_64", "x32", "aarch64", ...
  // Every rule whose decision is not allow, in the IR's order (by number, then decision).
  std::vector<AttrSyscallRule> rules;
  // The numbers some rule (of any decision, allow included) decides for every call: the default
  // never decides them. Sorted.
  std::vector<int64_t> always_decided;
  // Every syscall this arch has, by number (sorted): audit records give only the number, and the
  // launcher links no syscall table of its own.
  std::vector<std::pair<int64_t, std::string>> names;
  friend bool operator==(const AttrSeccompArch&, const AttrSeccompArch&) = default;
};

struct AttrSeccomp {
  std::string default_decision;           // "kill_process" when the policy writes no `default`
  uint64_t default_data = 0;              // its errno value or trace data
  std::optional<std::string> default_at;  // the `default` statement; absent for the implicit one
  std::vector<AttrSeccompArch> arches;    // one per target, in target order
  friend bool operator==(const AttrSeccomp&, const AttrSeccomp&) = default;
};

// ---- landlock ----

struct AttrFsRule {
  std::string path;                 // absolute, normal: the rule covers it and everything beneath
  std::vector<std::string> rights;  // landlock.json's names: "read_file", "write_file", ...
  Locations at;
  friend bool operator==(const AttrFsRule&, const AttrFsRule&) = default;
};

using AttrPorts = std::vector<std::pair<uint16_t, uint16_t>>;  // inclusive ranges; empty: every port

// A network rule Landlock's TCP layer applies: an allow of tcp ports (connect or bind), or a
// deny that names ports only (no hosts), which takes those ports out.
struct AttrTcpRule {
  std::string direction;  // "connect", "bind" or "any"
  AttrPorts ports;
  Locations at;
  friend bool operator==(const AttrTcpRule&, const AttrTcpRule&) = default;
};

struct AttrLandlock {
  // The rights the ruleset handles: every right of the policy's minimum ABI. Any of them that no
  // rule grants on a path is denied there by `default_at`, the `landlock abi` statement.
  std::vector<std::string> handled;
  std::optional<std::string> default_at;  // absent: no filesystem section (nothing handled)
  std::vector<AttrFsRule> denies;         // by path, as the IR sorts them
  std::vector<AttrFsRule> allows;
  // TCP ports (only when the policy has a network section): what is allowed, what port-only
  // denies take out. A port nothing allows is refused by the network section itself (the default).
  std::vector<AttrTcpRule> tcp_allows;
  std::vector<AttrTcpRule> tcp_denies;
  // Scopes (`landlock scope ...`): the scope names restricted and the statements asking for them.
  std::vector<std::string> scopes;
  Locations scope_at;
  friend bool operator==(const AttrLandlock&, const AttrLandlock&) = default;
};

// ---- nftables ----

// The nfnetlink_log group nftables.nft logs its drops to, and the prefixes of those log rules:
// deny rule k (0-based, in ir::Network::rules order) logs with "polc k ", the final drop with
// "polc default ". backends/network/nflog_group.h is the one spelling both the emitter and this file use.
struct AttrNftRule {
  std::string prefix;     // "polc 3 "
  std::string at;         // one statement: a network rule has one origin
  bool implicit = false;  // added by polc (cloud metadata); `at` is then its description
  friend bool operator==(const AttrNftRule&, const AttrNftRule&) = default;
};

struct AttrNftables {
  uint32_t nflog_group = 0;
  std::vector<AttrNftRule> denies;
  std::string default_prefix;  // the catch-all drop (only in a policy with a network section)
  friend bool operator==(const AttrNftables&, const AttrNftables&) = default;
};

// ---- proxy ----

// A rule the egress proxy applies (every rule that can be an outgoing TCP connection). Hosts as
// the policy names them: "pypi.org", "*.example.org" (every strict subdomain), "10.0.0.0/8";
// none: every host.
struct AttrProxyRule {
  std::vector<std::string> domains;
  std::vector<std::string> addresses;
  AttrPorts ports;
  std::string at;
  friend bool operator==(const AttrProxyRule&, const AttrProxyRule&) = default;
};

struct AttrProxy {
  std::vector<AttrProxyRule> denies;  // a matching deny refuses whatever an allow says
  std::vector<AttrProxyRule> allows;  // a request none of them admits is refused by default
  friend bool operator==(const AttrProxy&, const AttrProxy&) = default;
};

// ---- os ----

// A resource limit, by its name in a `limits` block ("memory", "tasks", "time", ...): the
// statement that set it and what it says in the policy's units ("memory 512MiB"), for the events
// a launcher reports when the payload reaches it.
struct AttrOsLimit {
  std::string at;
  std::string text;
  friend bool operator==(const AttrOsLimit&, const AttrOsLimit&) = default;
};

// A mount of os.json (same kind and path): the mount rule, or the deny rule it masks.
struct AttrOsMount {
  std::string kind;  // os.json's: "minimal_dev", "tmpfs", "hide", "readonly", "noexec", "nodev"
  std::string path;
  std::string at;
  friend bool operator==(const AttrOsMount&, const AttrOsMount&) = default;
};

struct AttrOsWorkspace {
  std::string path;
  std::string at;
  friend bool operator==(const AttrOsWorkspace&, const AttrOsWorkspace&) = default;
};

struct AttrOs {
  std::map<std::string, AttrOsLimit> limits;  // only the limits a statement sets
  std::vector<AttrOsMount> mounts;            // in os.json's order (by path, then kind)
  std::vector<AttrOsWorkspace> workspaces;    // by path
  friend bool operator==(const AttrOs&, const AttrOs&) = default;
};

// One section per layer whose backend the build selected (the proxy's only when the policy
// names a proxy).
struct Attribution {
  std::string format = kAttributionFormat;
  std::string policy_name;
  int64_t policy_version = 0;
  std::optional<AttrSeccomp> seccomp;
  std::optional<AttrLandlock> landlock;
  std::optional<AttrNftables> nftables;
  std::optional<AttrProxy> proxy;
  std::optional<AttrOs> os;
  friend bool operator==(const Attribution&, const Attribution&) = default;
};

// Canonical bytes: sorted keys, no insignificant whitespace (byte-deterministic).
std::string to_json(const Attribution& attribution);

// Reads attribution.json strictly: valid JSON, the format, every key known and of its type. Each
// fault is a MalformedManifest problem about attribution.json (a document `polc build` writes
// beside the manifest) added to `problems`; the result is usable only when none was added.
Attribution attribution_from_json(const std::string& bytes, Problems& problems);

}  // namespace polc::bundle
