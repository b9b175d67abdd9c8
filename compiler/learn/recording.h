// Stage: learn. What `polc learn` observed a workload do, aggregated: the contract between the
// recorder (launcher/record, which watches real runs) and the drafter, the prover and the patch
// writer (compiler/learn), and the on-disk form of a recording (`polc learn --save-recording`).
//
// An Event is one thing a process of the workload did, as the recorder decoded it from one
// syscall: a call (always), and for some calls also a file access, a network endpoint or a name
// looked up. A Recording holds each distinct event once, with how often and in which runs it was
// seen; that is what keeps a run of a million calls in bounded memory.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "compiler/arch/arch.h"

namespace polc::learn {

inline constexpr std::string_view kRecordingFormat = "polc-recording/1";

// One syscall as seccomp saw it. `recorded` has bit i set when argument i was kept: the recorder
// keeps only the arguments policies filter on (socket family/type/protocol, ioctl request, clone
// flags, mmap/mprotect prot, prctl option, the setres[ug]id forms, ...); pointers and lengths are
// dropped and stored as 0, so that calls differing only in them are one event.
struct Call {
  arch::Arch arch = arch::Arch::x86_64;
  int32_t nr = 0;
  std::string name;  // the syscall's name on `arch` ("" when the table has none)
  uint8_t recorded = 0;
  std::array<uint64_t, 6> args{};
  auto operator<=>(const Call&) const = default;
};

// A file access with the one Landlock right it needed (ir::fs_right bit names: "read_file",
// "make_reg", ...). `path` is absolute and normal, with symbolic links resolved as far as the path
// existed when the call was made, because Landlock decides on the file reached, not the name used.
// For the make_* and remove_* rights and refer, `path` is the entry created or removed; Landlock
// checks those rights on its parent directory.
struct FileAccess {
  enum class Kind : uint8_t { File, Directory, Missing, Other };  // what `path` was at the call
  std::string path;
  std::string right;
  Kind kind = Kind::File;
  auto operator<=>(const FileAccess&) const = default;
};

// A program the workload executed (execve/execveat), resolved like FileAccess::path. It also
// yields a FileAccess with right "execute".
struct Exec {
  std::string path;
  auto operator<=>(const Exec&) const = default;
};

// A network endpoint: connect (also sendto/sendmsg with a destination), bind, or a send on an
// unconnected socket. proto is "tcp" or "udp" for AF_INET/AF_INET6 (address as text: "127.0.0.1",
// "::1"; IPv4-mapped IPv6 as IPv4), or "unix" (address is the socket path, or "@name" for the
// abstract namespace; port 0).
struct Endpoint {
  enum class Direction : uint8_t { Connect, Bind, Send };
  Direction direction = Direction::Connect;
  std::string proto;
  std::string address;
  uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

// A name the workload looked up over DNS (the question of a query it sent to port 53).
struct NameLookup {
  std::string name;
  auto operator<=>(const NameLookup&) const = default;
};

using Event = std::variant<Call, FileAccess, Exec, Endpoint, NameLookup>;

// How one run went.
struct Run {
  int id = 1;
  std::vector<std::string> argv;
  std::string cwd;
  std::optional<int> exit_code;    // the workload's main process exited with this status
  std::optional<int> exit_signal;  // or was killed by this signal
  // A partial run: the workload was stopped before it ended (timeout, interrupt) or events were
  // dropped at the memory bound; `partial_reason` says which.
  bool partial = false;
  std::string partial_reason;
  uint64_t calls = 0;      // notifications handled
  uint64_t processes = 0;  // distinct processes seen
  uint64_t dropped = 0;    // events not kept because the recording reached its bound
  // Calls refused because the recorder could not decode what they would touch (the workload's
  // memory or /proc entries unreadable) while a policy judged the run; 0 when none were.
  uint64_t undecidable = 0;
};

// What the recording knows about one distinct event.
struct Seen {
  uint64_t count = 0;
  std::set<int> runs;
  // The policy a run was judged against (`polc learn --against`) refused it; `err` is the errno
  // the run got instead (0 when the process was killed).
  bool refused = false;
  int err = 0;
};

struct Recording {
  std::vector<Run> runs;
  std::map<Event, Seen> events;
  // Distinct events kept at most, and the memory they may take (estimated: a fixed cost per
  // event plus its strings, so that long hostile paths count for what they are); past either,
  // new events are counted in Run::dropped and the run is partial. About 0.6 KiB an event with
  // short paths (docs/performance.md), so the defaults stop near 150 MiB.
  size_t max_events = 1u << 18;
  size_t max_bytes = size_t{160} << 20;
  size_t bytes = 0;

  // Adds one occurrence of `event` in run `run`. False when the bound dropped it.
  bool add(const Event& event, int run, uint64_t count = 1);
  // Folds `other` in (runs renumbered after ours), as `polc learn` does with several runs.
  void merge(const Recording& other);
};

// The JSON form, deterministic: events sorted by kind then fields, integers exact.
std::string to_json(const Recording& recording);
// nullopt and `error` set on malformed input (a hand-edited or truncated recording).
std::optional<Recording> recording_from_json(const std::string& text, std::string& error);

std::string_view kind_name(FileAccess::Kind kind);
std::string_view direction_name(Endpoint::Direction direction);

}  // namespace polc::learn
