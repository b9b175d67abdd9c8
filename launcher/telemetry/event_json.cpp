// Stage: launcher telemetry. Event lines (event_json.h).
#include "launcher/telemetry/event_json.h"

#include <nlohmann/json.hpp>

#include "launcher/telemetry/ocsf.h"

namespace polc::telemetry {

namespace {

using nlohmann::json;

// Cuts `text` to `limit` bytes; the JSON writer replaces a multi-byte character cut in half.
json cut(const std::string& text, size_t limit, bool& truncated) {
  if (text.size() <= limit) return text;
  truncated = true;
  return text.substr(0, limit);
}

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json envelope(const char* kind, const BundleId& bundle) {
  return {
      {"schema", "polc.event/1"},
      {"event", kind},
      {"time", rfc3339_utc_now()},
      {"policy", {{"name", bundle.policy}, {"version", bundle.version}, {"manifest_sha256", bundle.manifest_sha256}}}};
}

std::string dump(const json& line) { return line.dump(-1, ' ', false, json::error_handler_t::replace); }

json request_json(const Request& r, size_t limit, bool& truncated) {
  json j = json::object();
  auto text = [&](const char* key, const std::optional<std::string>& value) {
    if (value) j[key] = cut(*value, limit, truncated);
  };
  text("syscall", r.syscall);
  if (r.nr) j["nr"] = *r.nr;
  text("arch", r.arch);
  if (r.args) j["args"] = *r.args;
  text("path", r.path);
  if (!r.rights.empty()) j["rights"] = r.rights;
  text("scope", r.scope);
  if (r.target_pid) j["target_pid"] = *r.target_pid;
  text("protocol", r.protocol);
  text("address", r.address);
  if (r.port) j["port"] = *r.port;
  text("domain", r.domain);
  text("method", r.method);
  text("client", r.client);
  text("limit", r.limit);
  if (r.value) j["value"] = *r.value;
  if (r.count) j["count"] = *r.count;
  return j;
}

json rule_json(const RuleRef& rule, size_t limit, bool& truncated) {
  if (!rule.known) return nullptr;
  json j = {{"default", rule.is_default}};
  j["at"] = rule.at.empty() ? json(nullptr) : json(rule.at);
  j["text"] = rule.text.empty() ? json(nullptr) : cut(rule.text, limit, truncated);
  if (!rule.candidates.empty()) j["candidates"] = rule.candidates;
  return j;
}

std::string build(const Event& e, const BundleId& bundle, size_t limit) {
  bool truncated = false;
  json line = envelope("refusal", bundle);
  line["time"] = e.time.empty() ? rfc3339_utc_now() : e.time;
  line["layer"] = layer_name(e.layer);
  line["decision"] = e.decision;
  line["request"] = request_json(e.request, limit, truncated);
  json process = json::object();
  process["pid"] = or_null(e.process.pid);
  process["ppid"] = or_null(e.process.ppid);
  process["comm"] = e.process.comm ? cut(*e.process.comm, limit, truncated) : json(nullptr);
  process["exe"] = e.process.exe ? cut(*e.process.exe, limit, truncated) : json(nullptr);
  process["uid"] = or_null(e.process.uid);
  line["process"] = process;
  line["rule"] = rule_json(e.rule, limit, truncated);
  const OcsfClass c = ocsf_class(e);
  line["ocsf"] = {{"class_uid", c.class_uid},           {"class_name", c.class_name},  {"category_uid", c.category_uid},
                  {"activity_id", c.activity_id},       {"type_uid", c.type_uid()},    {"action_id", c.action_id},
                  {"disposition_id", c.disposition_id}, {"severity_id", c.severity_id}};
  if (truncated) line["truncated"] = true;
  return dump(line);
}

}  // namespace

std::string event_line(const Event& event, const BundleId& bundle) {
  // Escaping can grow a string sixfold (\u00XX): shorten the strings until the line fits.
  for (size_t limit = kMaxStringBytes;; limit /= 2) {
    std::string line = build(event, bundle, limit);
    if (line.size() <= kMaxLineBytes || limit < 16) return line;
  }
}

std::string dropped_line(Layer layer, uint64_t count, const BundleId& bundle) {
  json line = envelope("dropped", bundle);
  line["layer"] = layer_name(layer);
  line["count"] = count;
  return dump(line);
}

std::string lost_line(const std::string& source, uint64_t count, const BundleId& bundle) {
  json line = envelope("lost", bundle);
  line["source"] = source;
  line["count"] = count;
  return dump(line);
}

std::string notice_line(const std::string& source, const std::string& message, const BundleId& bundle) {
  json line = envelope("notice", bundle);
  line["source"] = source;
  line["message"] = message;
  return dump(line);
}

}  // namespace polc::telemetry
