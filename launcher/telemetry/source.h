// Stage: launcher telemetry. A place refusals come from (the audit channel, nfnetlink_log, the
// proxy's access log), as the supervisor's loop sees it: a descriptor to poll and a non-blocking
// read that turns whatever arrived into events of this run, already attributed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "launcher/telemetry/event.h"

namespace polc::telemetry {

class Source {
 public:
  virtual ~Source() = default;
  virtual const char* name() const = 0;
  // A descriptor that becomes readable when read_available has something to do; -1 for a source
  // that is polled on the loop's timer instead (a log file).
  virtual int fd() const = 0;
  // Appends this run's events that arrived since the last call; never blocks, bounded work per
  // call (the loop calls again while the descriptor stays readable).
  virtual void read_available(std::vector<Event>& out) = 0;
  // Records the kernel or the enforcer lost before they reached us (backlog overruns).
  virtual uint64_t lost() const = 0;
  // The payload's process reached exec: its pid (the payload's) and the audit line it wrote
  // (JSON), which names what was applied. Called once, before any later read_available.
  virtual void payload_started(int64_t pid, const std::string& exec_line) {
    (void)pid;
    (void)exec_line;
  }
  // The supervisor is about to stop (Ctrl-Z) and then continues: a source that holds something the
  // whole machine waits on (audit's registration) lets go of it meanwhile.
  virtual void pause() {}
  virtual void resume() {}
  // After the payload is gone: make sure what the kernel queued before now gets read (a marker
  // round trip through the kernel's queue, say). The loop reads until synced() or a deadline.
  virtual void begin_sync() {}
  virtual bool synced() const { return true; }
};

}  // namespace polc::telemetry
