// Stage: launcher (learning). Handling one notification (call_recorder.h).
#include "launcher/record/call_recorder.h"

#include <signal.h>

#include <cerrno>
#include <string>

#include "compiler/posix/unique_fd.h"
#include "launcher/record/call_context.h"
#include "launcher/record/decode_files.h"
#include "launcher/record/decode_net.h"
#include "launcher/record/pidfd.h"
#include "launcher/record/thread_group.h"
#include "launcher/record/tracee_memory.h"

namespace polc::record {

namespace {

// Distinct threads remembered to count processes; past it the set starts over (a workload that
// made this many threads is counted approximately, in bounded memory).
constexpr size_t kMaxThreadsRemembered = 1u << 20;

int severity(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::Kind::Kill: return 2;
    case Verdict::Kind::Refuse: return 1;
    default: return 0;
  }
}

// SIGKILLs the process of the current notification's caller `tid` (the whole process, whichever
// thread called), through a pidfd checked against the notification: a PID reused by another
// process since the call was made is not killed.
void kill_caller(pid_t tid, const NotifyChannel& channel) {
  UniqueFd pidfd(open_pidfd(tid));  // tid is its process's leader: the usual case
  if (!pidfd.valid()) pidfd.reset(open_pidfd(thread_group_of(tid)));
  if (!pidfd.valid() || !channel.still_valid()) return;  // the caller is gone already
  signal_pidfd(pidfd.get(), SIGKILL);
}

}  // namespace

CallRecorder::CallRecorder(learn::Recording& recording, int run_id, const Judge& judge)
    : recording_(recording), run_id_(run_id), judge_(judge) {}

learn::Run& CallRecorder::run() {
  for (learn::Run& r : recording_.runs)
    if (r.id == run_id_) return r;
  return recording_.runs.back();
}

void CallRecorder::count_process(pid_t tid) {
  if (threads_seen_.size() >= kMaxThreadsRemembered) threads_seen_.clear();
  if (!threads_seen_.insert(tid).second) return;
  // A process's first call comes from its main thread (a thread is made by a call of the process).
  if (thread_group_of(tid) == tid) ++run().processes;
}

bool CallRecorder::decode(const seccomp_notif& n, arch::Arch arch, const SyscallInfo& info, NotifyChannel& channel) {
  events_.clear();
  events_.push_back(make_call(arch, n.data, info));
  if (info.decoder == Decoder::None) return false;
  const TraceeMemory memory(static_cast<pid_t>(n.pid));
  bool undecidable = false;
  const CallContext call{static_cast<pid_t>(n.pid), arch, n.data, memory, undecidable};
  if (info.decoder <= Decoder::Ioctl)
    decode_files(info.decoder, call, events_);
  else
    decode_net(info.decoder, call, net_, events_);
  // What was read must be the caller's: a PID reused by another process meanwhile would have
  // given its memory and its descriptors. Then only the call itself is kept.
  if (events_.size() > 1 && !channel.still_valid()) events_.resize(1);
  return undecidable;
}

void CallRecorder::record(const learn::Event& event, const Verdict& verdict) {
  if (!recording_.add(event, run_id_) || verdict.kind == Verdict::Kind::Continue) return;
  learn::Seen& seen = recording_.events[event];
  seen.refused = true;
  seen.err = verdict.kind == Verdict::Kind::Refuse ? verdict.err : 0;
}

void CallRecorder::handle(NotifyChannel& channel) {
  if (!channel.receive()) return;
  const seccomp_notif& n = channel.current();
  ++run().calls;
  count_process(static_cast<pid_t>(n.pid));
  const auto arch = arch::from_audit_arch(n.data.arch, n.data.nr);
  if (!arch) {  // an ABI polc does not know: counted, let through, not recorded
    channel.allow();
    return;
  }
  const SyscallInfo& info = table_.lookup(*arch, n.data.nr);
  if (!judge_ && info.decoder == Decoder::None) {
    // Nothing to read from the caller and nothing to decide: it runs on while this records.
    learn::Call call = make_call(*arch, n.data, info);
    channel.allow();
    recording_.add(call, run_id_);
    return;
  }
  // Judged, a call whose file accesses, exec or endpoint could not be decoded is refused: what it
  // would touch is unknown, and letting it through would let a workload that hides its memory or
  // its /proc entries from this process (PR_SET_DUMPABLE 0, an execute-only program) past the
  // policy. The Call is recorded as refused, with EACCES for a file or exec call (what Landlock
  // answers) and EPERM for a network call (what a refused connect or bind gets).
  const bool undecidable = decode(n, *arch, info, channel) && judge_;
  if (undecidable) ++run().undecidable;

  Verdict decided;
  for (const learn::Event& event : events_) {
    Verdict verdict = judge_ ? judge_(event) : Verdict{};
    if (undecidable && &event == &events_.front() && verdict.kind == Verdict::Kind::Continue)
      verdict = Verdict{Verdict::Kind::Refuse, info.decoder <= Decoder::Ioctl ? EACCES : EPERM};
    if (verdict.kind == Verdict::Kind::Refuse && verdict.err <= 0) verdict.err = EPERM;
    record(event, verdict);
    if (severity(verdict.kind) > severity(decided.kind)) decided = verdict;
  }
  if (decided.kind != Verdict::Kind::Continue) ++refusals_;
  switch (decided.kind) {
    case Verdict::Kind::Continue: channel.allow(); break;
    case Verdict::Kind::Refuse: channel.refuse(decided.err); break;
    case Verdict::Kind::Kill:
      kill_caller(static_cast<pid_t>(n.pid), channel);
      channel.refuse(EPERM);
      break;
  }
}

}  // namespace polc::record
