// Stage: launcher (learning). One notification, start to end: receive it, decode the call into
// events, let the Judge decide, record the events in the run, answer the kernel.
#pragma once

#include <sys/types.h>

#include <unordered_set>
#include <vector>

#include "compiler/learn/recording.h"
#include "launcher/record/decode_calls.h"
#include "launcher/record/decode_net.h"
#include "launcher/record/notify_filter.h"
#include "launcher/record/recorder.h"

namespace polc::record {

class CallRecorder {
 public:
  // Records into `recording`'s run `run_id` (which must be in recording.runs, and stay there).
  CallRecorder(learn::Recording& recording, int run_id, const Judge& judge);

  // Handles the notification waiting on `channel` (nothing when it vanished meanwhile).
  void handle(NotifyChannel& channel);

  // How many calls the Judge refused or killed so far.
  uint64_t refusals() const { return refusals_; }

 private:
  learn::Run& run();
  void count_process(pid_t tid);
  // Fills events_; true when the call could not be decoded (CallContext::undecidable).
  bool decode(const seccomp_notif& n, arch::Arch arch, const SyscallInfo& info, NotifyChannel& channel);
  void record(const learn::Event& event, const Verdict& verdict);

  learn::Recording& recording_;
  int run_id_;
  const Judge& judge_;
  SyscallTable table_;
  NetState net_;
  std::vector<learn::Event> events_;  // of the current call, reused
  std::unordered_set<pid_t> threads_seen_;
  uint64_t refusals_ = 0;
};

}  // namespace polc::record
