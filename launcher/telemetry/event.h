// Stage: launcher telemetry. One refusal, as sbx-exec reports it: which layer refused, what the
// payload asked for, which process asked, and the policy statement that decided it. Every source
// (the audit channel for seccomp and Landlock, nfnetlink_log for nftables, the proxy's access log)
// fills an Event from what the kernel or the enforcer recorded, never from anything the payload
// says about itself; the attribution (attribution.h) fills `rule`; event_json.h writes the line.
// docs/telemetry.md is the contract: field names here are the names on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polc::telemetry {

// Limits: the OS layer's resource limits (cgroup v2 memory and tasks, the supervisor's wall-clock
// limit) ending or refusing part of the run; read from the run's cgroup, never from the payload.
enum class Layer : uint8_t { Seccomp, Landlock, Nftables, Proxy, Launcher, Limits };
// "seccomp", "landlock", "nftables", "proxy", "launcher", "limits"
const char* layer_name(Layer layer);

// "2026-12-06T10:15:21.123456Z" (RFC 3339, UTC, microseconds): every event's `time`.
std::string rfc3339_utc(int64_t seconds, int64_t microseconds);
// The current time, as above.
std::string rfc3339_utc_now();

// The process that made the request, as the kernel recorded it. comm and exe are the payload's
// to choose (prctl(PR_SET_NAME), the file it runs): raw bytes here, escaped only when written.
struct Process {
  std::optional<int64_t> pid;
  std::optional<int64_t> ppid;
  std::optional<std::string> comm;
  std::optional<std::string> exe;
  std::optional<int64_t> uid;  // the process's (audit) or the sending socket's (nfnetlink_log) uid
};

// The statement that decided: `at` is its location in the bundle's sources as the manifest's
// coverage map spells it ("sources/python_agent.sbx:30", "std.hardening:41"), `text` the statement
// as written. `is_default`: no rule matched and the layer's default decided (for seccomp the
// `default` statement, when written; for Landlock every right the filesystem section handles and
// no rule grants). When the kernel's record cannot tell several statements apart (seccomp records
// carry no arguments), the first is in at/text and all of them, in policy order, in `candidates`.
struct RuleRef {
  bool known = false;  // false: nothing in the bundle decides this (written as "rule": null)
  bool is_default = false;
  std::string at;
  std::string text;
  std::vector<std::string> candidates;  // locations, when more than one statement could have decided
};

// The request. Only the fields of the event's layer are set.
struct Request {
  // seccomp
  std::optional<std::string> syscall;         // by name on the event's arch, when known
  std::optional<int64_t> nr;                  // the number the kernel saw
  std::optional<std::string> arch;            // polc target name: "x86_64", "x32", "aarch64", ...
  std::optional<std::vector<uint64_t>> args;  // only where the mechanism gives them
  // landlock (fs): the path and the rights that were missing, as landlock.json names them
  std::optional<std::string> path;
  std::vector<std::string> rights;
  // landlock (scope): "signal" or "abstract_unix_socket", and the target
  std::optional<std::string> scope;
  std::optional<int64_t> target_pid;
  // network (landlock net, nftables, proxy)
  std::optional<std::string> protocol;  // "tcp", "udp", "icmp", ... or the IP protocol number
  std::optional<std::string> address;   // destination address, as text
  std::optional<int64_t> port;          // destination port
  std::optional<std::string> domain;    // proxy: the host name asked for
  std::optional<std::string> method;    // proxy: CONNECT, GET, ...
  std::optional<std::string> client;    // proxy: the requesting connection's source address
  // limits: the limit's name as os.json spells it ("memory", "tasks", "time_ms"), its value (bytes,
  // tasks, milliseconds) and how many times the kernel counted it hit (memory.events oom_kill,
  // pids.events max)
  std::optional<std::string> limit;
  std::optional<uint64_t> value;
  std::optional<uint64_t> count;
};

struct Event {
  std::string time;  // RFC 3339, UTC, microseconds: the kernel's timestamp where it gives one
  Layer layer = Layer::Launcher;
  // As the policy spells it: "errno(EPERM)", "kill_process", "trap", "log", "deny", "drop".
  std::string decision;
  Request request;
  Process process;
  RuleRef rule;
};

}  // namespace polc::telemetry
