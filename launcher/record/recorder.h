// Stage: launcher (learning). The recording mode behind `polc learn`: runs a workload under a
// seccomp filter that hands every syscall of every process of it to this process (user
// notification), decodes each call into learn::Events (the call, the file accesses with the
// Landlock rights they need, the programs executed, the network endpoints, the names looked up),
// lets it continue (or refuses it, when a Judge says so) and adds what it saw to a Recording.
//
// The calling process becomes the workload's supervisor for the length of run(): it is made a
// child subreaper (for good: the flag is not undone), it blocks SIGINT and SIGTERM while the
// workload runs (a terminal's Ctrl-C reaches the workload directly; a signal sent to this process
// is passed on), and it reaps every child it has when the workload ends. It is not dumpable
// (PR_SET_DUMPABLE 0) while the workload runs, so that the workload, which runs as the same user,
// cannot take the listener from it with pidfd_getfd; the previous value is restored at the end. Call run() from a
// single-threaded process that has no other children.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/learn/recording.h"
#include "launcher/record/child_landlock.h"

namespace polc::record {

// What a Judge decides for one event of a call.
struct Verdict {
  enum class Kind : uint8_t { Continue, Refuse, Kill } kind = Kind::Continue;
  int err = 0;  // Refuse: the errno the call fails with
};

// Called for every decoded event of a notification (the Call first, then its file/exec/endpoint/
// name events). Empty: record only, every call continues. A Refuse makes the syscall fail with
// -err; Kill SIGKILLs the calling process. The most severe verdict of a call's events decides the
// call (Kill over Refuse over Continue; between two refusals, the first). Each event given a
// Refuse or Kill is recorded with Seen::refused set (err 0 for Kill). With a Judge, a call whose
// file accesses, exec or endpoint cannot be decoded (the workload's memory or /proc entries are
// closed to this process) is refused: EACCES for a file or exec call, EPERM for a network call;
// its Call is recorded as refused and the run counts it in Run::undecidable.
using Judge = std::function<Verdict(const learn::Event&)>;

struct Options {
  std::vector<std::string> argv;  // argv[0] searched in PATH like execvp
  int run_id = 1;
  double timeout_seconds = 0;  // 0 = none; on expiry the whole process tree is killed and the
                               // run is partial, reason "timeout after N s"
  Judge judge;
  // A Landlock ruleset for the workload (child_landlock.h), applied before the filter: the
  // kernel's own decision on every file access, beside the Judge's emulation.
  ChildLandlock landlock;
};

// Runs the workload to its end (its main process exits; leftover descendants are then killed)
// and adds the run and its events to `into`. nullopt + `error` when it could not be started
// (command not found, not executable, seccomp unavailable, ...): a clear one-line message; `into`
// is then unchanged. A workload whose execve the Judge refused is a run (exit status 127) that
// shows the refusal.
std::optional<learn::Run> run(const Options& options, learn::Recording& into, std::string& error);

}  // namespace polc::record
