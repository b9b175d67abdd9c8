// Stage: launcher telemetry. What the supervisor does with each refusal: count it, write it
// (within the rate limit), and keep the first few for the summary on stderr at exit.
//
// A payload cannot flood the events destination: beyond a burst of kBurst lines, each layer gets
// kPerSecond more per second; the rest are counted, and a "dropped" record with the count is
// written as soon as the layer has room again (and at the end), so a reader always knows how
// many are missing. Counts in the summary and the audit line are of every refusal received.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "launcher/telemetry/event.h"
#include "launcher/telemetry/event_json.h"
#include "launcher/telemetry/event_sink.h"

namespace polc::telemetry {

inline constexpr size_t kLayerCount = 6;

struct Counts {
  std::array<uint64_t, kLayerCount> refusals{};  // by Layer
  std::array<uint64_t, kLayerCount> dropped{};   // by Layer: received, not written (rate limit)
  uint64_t lost = 0;                             // never received (kernel queues overran)
  uint64_t sink_lost = 0;                        // written too slowly for the reader
  uint64_t total() const;
};

class Reporter {
 public:
  static constexpr uint64_t kBurst = 2000;
  static constexpr uint64_t kPerSecond = 500;
  static constexpr size_t kSummaryFirst = 5;

  Reporter(BundleId bundle, EventSink& sink) : bundle_(std::move(bundle)), sink_(sink) {}

  void report(const Event& event);
  void notice(const std::string& source, const std::string& message);
  void lost(const std::string& source, uint64_t count);
  // Writes the pending "dropped" records and flushes the sink, waiting at most `timeout_ms`.
  void finish(int timeout_ms);

  const Counts& counts() const { return counts_; }
  // The first kSummaryFirst distinct refusals (same layer, decision, request and rule), each with
  // how many times it came.
  struct Repeated {
    Event event;
    uint64_t count = 0;
  };
  const std::vector<Repeated>& first() const { return first_; }
  const BundleId& bundle() const { return bundle_; }

 private:
  bool admit(Layer layer);
  void write_dropped(Layer layer);

  BundleId bundle_;
  EventSink& sink_;
  Counts counts_;
  std::array<double, kLayerCount> tokens_{kBurst, kBurst, kBurst, kBurst, kBurst, kBurst};
  std::array<int64_t, kLayerCount> refilled_ms_{};
  std::array<uint64_t, kLayerCount> unreported_drops_{};
  std::vector<Repeated> first_;
};

// The summary for stderr: nothing when there were no refusals and nothing was lost.
std::string summary_text(const Reporter& reporter, const std::string& events_spec);

}  // namespace polc::telemetry
