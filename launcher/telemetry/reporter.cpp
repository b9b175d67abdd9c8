// Stage: launcher telemetry. Counting, rate limiting and the summary (reporter.h).
#include "launcher/telemetry/reporter.h"

#include <time.h>

#include <algorithm>
#include <sstream>

#include "compiler/posix/clock.h"

namespace polc::telemetry {

namespace {

size_t index(Layer layer) { return static_cast<size_t>(layer); }

// A field for the caller's terminal: the payload chooses comm, paths and domains, and any byte
// outside printable ASCII (a newline forging a line, ESC or a UTF-8 C1 control starting a terminal
// sequence) is shown as \xNN instead.
std::string printable(const std::string& field) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : field) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// One line of the summary: layer, decision, the request, who asked, and the rule.
std::string describe(const Event& e) {
  std::ostringstream out;
  out << "  " << layer_name(e.layer) << ": " << e.decision;
  const Request& r = e.request;
  if (r.syscall || r.nr) out << " " << (r.syscall ? *r.syscall : "syscall " + std::to_string(*r.nr));
  if (r.path) out << " " << printable(*r.path);
  if (!r.rights.empty()) {
    out << " (";
    for (size_t i = 0; i < r.rights.size(); ++i) out << (i ? ", " : "") << r.rights[i];
    out << ")";
  }
  if (r.scope) out << " " << *r.scope << (r.target_pid ? " to pid " + std::to_string(*r.target_pid) : "");
  if (r.domain) out << " " << printable(*r.domain);
  if (r.address) out << " " << (r.protocol ? *r.protocol + " " : "") << *r.address;
  if (r.port) out << " port " << *r.port;
  if (e.process.comm || e.process.pid) {
    out << " by";
    if (e.process.comm) out << " " << printable(*e.process.comm);
    if (e.process.pid) out << " [" << *e.process.pid << "]";
  }
  out << "\n    rule: ";
  if (!e.rule.known) out << "none in the policy";
  else {
    if (e.rule.is_default) out << "the default, ";
    out << (e.rule.at.empty() ? "(implicit)" : e.rule.at);
    if (!e.rule.text.empty()) out << ": " << printable(e.rule.text);
    if (e.rule.candidates.size() > 1)
      out << " (or one of " << e.rule.candidates.size() - 1 << " more: the kernel's record cannot tell them apart)";
  }
  out << "\n";
  return out.str();
}

}  // namespace

uint64_t Counts::total() const {
  uint64_t n = 0;
  for (uint64_t c : refusals) n += c;
  return n;
}

bool Reporter::admit(Layer layer) {
  const size_t i = index(layer);
  const int64_t now = clock_ms();
  if (refilled_ms_[i] == 0) refilled_ms_[i] = now;
  tokens_[i] = std::min<double>(kBurst, tokens_[i] + static_cast<double>(now - refilled_ms_[i]) * kPerSecond / 1000.0);
  refilled_ms_[i] = now;
  if (tokens_[i] < 1) return false;
  tokens_[i] -= 1;
  return true;
}

void Reporter::write_dropped(Layer layer) {
  uint64_t& pending = unreported_drops_[index(layer)];
  if (pending == 0) return;
  sink_.write(dropped_line(layer, pending, bundle_));
  pending = 0;
}

void Reporter::report(const Event& event) {
  const size_t i = index(event.layer);
  ++counts_.refusals[i];
  // What the summary shows is the same request again and again more often than not (a retry
  // loop): counted, not listed twice.
  const std::string what = describe(event);
  const auto same =
      std::find_if(first_.begin(), first_.end(), [&](const Repeated& r) { return describe(r.event) == what; });
  if (same != first_.end()) ++same->count;
  else if (first_.size() < kSummaryFirst) first_.push_back({event, 1});
  if (!admit(event.layer)) {
    ++counts_.dropped[i];
    ++unreported_drops_[i];
    return;
  }
  write_dropped(event.layer);  // the gap before this line, said where it happened
  sink_.write(event_line(event, bundle_));
}

void Reporter::notice(const std::string& source, const std::string& message) {
  sink_.write(notice_line(source, message, bundle_));
}

void Reporter::lost(const std::string& source, uint64_t count) {
  if (count == 0) return;
  counts_.lost += count;
  sink_.write(lost_line(source, count, bundle_));
}

void Reporter::finish(int timeout_ms) {
  for (size_t i = 0; i < kLayerCount; ++i) write_dropped(static_cast<Layer>(i));
  sink_.flush(timeout_ms);
  counts_.sink_lost = sink_.lines_lost();
}

std::string summary_text(const Reporter& reporter, const std::string& events_spec) {
  const Counts& c = reporter.counts();
  std::ostringstream out;
  if (c.total() == 0 && c.lost == 0) return out.str();
  out << "sbx-exec: " << c.total() << (c.total() == 1 ? " refusal" : " refusals");
  const char* sep = " (";
  for (size_t i = 0; i < kLayerCount; ++i) {
    if (c.refusals[i] == 0) continue;
    out << sep << layer_name(static_cast<Layer>(i)) << " " << c.refusals[i];
    sep = ", ";
  }
  if (c.total() > 0) out << ")";
  if (c.lost) out << "; " << c.lost << " more lost by the kernel's queues";
  out << "\n";
  uint64_t listed = 0;
  for (const Reporter::Repeated& r : reporter.first()) listed += r.count;
  if (listed < c.total()) out << "the first " << reporter.first().size() << " kinds:\n";
  for (const Reporter::Repeated& r : reporter.first()) {
    std::string text = describe(r.event);
    if (r.count > 1) text.insert(text.find('\n'), " (" + std::to_string(r.count) + " times)");
    out << text;
  }
  if (events_spec.empty()) out << "sbx-exec: every refusal as JSON: --events FILE (docs/telemetry.md)\n";
  else {
    uint64_t dropped = 0;
    for (uint64_t d : c.dropped) dropped += d;
    out << "sbx-exec: every refusal is in " << (events_spec == "-" ? "stdout" : events_spec);
    if (dropped) out << " (" << dropped << " beyond the rate limit counted in \"dropped\" records)";
    out << "\n";
  }
  return out.str();
}

}  // namespace polc::telemetry
