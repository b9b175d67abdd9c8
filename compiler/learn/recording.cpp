// Stage: learn. The recording's aggregation and its JSON form (recording.h).
#include "compiler/learn/recording.h"

#include <nlohmann/json.hpp>

namespace polc::learn {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kKindNames = {"file", "directory", "missing", "other"};
constexpr std::array<std::string_view, 3> kDirectionNames = {"connect", "bind", "send"};

json seen_json(const Seen& seen) {
  json j{{"count", seen.count}, {"runs", seen.runs}};
  if (seen.refused) {
    j["refused"] = true;
    j["errno"] = seen.err;
  }
  return j;
}

// Each event kind in its own array, so a reader sees the calls, the files, ... together.
const char* section_of(const Event& e) {
  static constexpr std::array<const char*, 5> kSections = {"calls", "files", "execs", "network", "names"};
  return kSections[e.index()];
}

json event_json(const Event& e) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Call>) {
          json args = json::object();
          for (unsigned i = 0; i < 6; ++i)
            if (v.recorded & (1u << i)) args[std::to_string(i)] = v.args[i];
          return {{"arch", arch::name(v.arch)}, {"nr", v.nr}, {"name", v.name}, {"args", args}};
        } else if constexpr (std::is_same_v<T, FileAccess>) {
          return {{"path", v.path}, {"right", v.right}, {"kind", kind_name(v.kind)}};
        } else if constexpr (std::is_same_v<T, Exec>) {
          return {{"path", v.path}};
        } else if constexpr (std::is_same_v<T, Endpoint>) {
          return {
              {"direction", direction_name(v.direction)}, {"proto", v.proto}, {"address", v.address}, {"port", v.port}};
        } else {
          return {{"name", v.name}};
        }
      },
      e);
}

template <typename T, size_t N>
std::optional<T> index_of(const std::array<std::string_view, N>& names, const std::string& text) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<T>(i);
  return std::nullopt;
}

Event event_from(const std::string& section, const json& j) {
  if (section == "calls") {
    Call c;
    const auto a = arch::from_name(j.at("arch").get<std::string>());
    if (!a) throw std::runtime_error("unknown arch " + j.at("arch").dump());
    c.arch = *a;
    c.nr = j.at("nr").get<int32_t>();
    c.name = j.at("name").get<std::string>();
    for (const auto& [k, v] : j.at("args").items()) {
      const unsigned i = static_cast<unsigned>(std::stoul(k));
      if (i >= 6 || k != std::to_string(i)) throw std::runtime_error("argument index " + k + " is not 0-5");
      c.recorded = static_cast<uint8_t>(c.recorded | (1u << i));
      c.args[i] = v.get<uint64_t>();
    }
    return c;
  }
  if (section == "files") {
    const auto kind = index_of<FileAccess::Kind>(kKindNames, j.at("kind").get<std::string>());
    if (!kind) throw std::runtime_error("unknown file kind " + j.at("kind").dump());
    return FileAccess{j.at("path").get<std::string>(), j.at("right").get<std::string>(), *kind};
  }
  if (section == "execs") return Exec{j.at("path").get<std::string>()};
  if (section == "network") {
    const auto dir = index_of<Endpoint::Direction>(kDirectionNames, j.at("direction").get<std::string>());
    if (!dir) throw std::runtime_error("unknown direction " + j.at("direction").dump());
    return Endpoint{*dir, j.at("proto").get<std::string>(), j.at("address").get<std::string>(),
                    j.at("port").get<uint16_t>()};
  }
  if (section == "names") return NameLookup{j.at("name").get<std::string>()};
  throw std::runtime_error("unknown section " + section);
}

}  // namespace

std::string_view kind_name(FileAccess::Kind kind) { return kKindNames[static_cast<size_t>(kind)]; }
std::string_view direction_name(Endpoint::Direction direction) {
  return kDirectionNames[static_cast<size_t>(direction)];
}

namespace {

// What one distinct event costs the recording, roughly: the map node with the event and its Seen,
// plus the heap bytes of its strings.
size_t event_cost(const Event& event) {
  constexpr size_t kFixed = 512;
  return kFixed + std::visit(
                      [](const auto& v) -> size_t {
                        using T = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<T, Call>) return v.name.size();
                        else if constexpr (std::is_same_v<T, FileAccess>) return v.path.size() + v.right.size();
                        else if constexpr (std::is_same_v<T, Exec>) return v.path.size();
                        else if constexpr (std::is_same_v<T, Endpoint>) return v.proto.size() + v.address.size();
                        else return v.name.size();
                      },
                      event);
}

}  // namespace

bool Recording::add(const Event& event, int run, uint64_t count) {
  auto it = events.find(event);
  if (it == events.end()) {
    const size_t cost = event_cost(event);
    if (events.size() >= max_events || bytes + cost > max_bytes) {
      for (Run& r : runs)
        if (r.id == run) {
          r.dropped += count;
          r.partial = true;
          if (r.partial_reason.empty()) r.partial_reason = "event bound reached";
        }
      return false;
    }
    it = events.emplace(event, Seen{}).first;
    bytes += cost;
  }
  it->second.count += count;
  it->second.runs.insert(run);
  return true;
}

void Recording::merge(const Recording& other) {
  int base = 0;
  for (const Run& r : runs) base = std::max(base, r.id);
  std::map<int, int> renumber;
  for (Run r : other.runs) {
    renumber[r.id] = base + r.id;
    r.id = base + r.id;
    runs.push_back(std::move(r));
  }
  for (const auto& [event, seen] : other.events) {
    auto it = events.find(event);
    if (it == events.end()) {
      const size_t cost = event_cost(event);
      if (events.size() >= max_events || bytes + cost > max_bytes) {
        // The merged recording keeps the same bound: the event's runs count it as dropped.
        for (Run& r : runs)
          if (seen.runs.count(r.id - base)) {
            r.dropped += seen.count;
            r.partial = true;
            if (r.partial_reason.empty()) r.partial_reason = "event bound reached";
          }
        continue;
      }
      it = events.emplace(event, Seen{}).first;
      bytes += cost;
    }
    Seen& into = it->second;
    into.count += seen.count;
    for (int run : seen.runs) into.runs.insert(renumber.count(run) ? renumber[run] : run);
    if (seen.refused && !into.refused) {
      into.refused = true;
      into.err = seen.err;
    }
  }
}

std::string to_json(const Recording& recording) {
  json runs = json::array();
  for (const Run& r : recording.runs) {
    json j{{"run", r.id},         {"argv", r.argv},           {"cwd", r.cwd},
           {"calls", r.calls},    {"processes", r.processes}, {"dropped", r.dropped},
           {"partial", r.partial}};
    if (r.partial) j["partial_reason"] = r.partial_reason;
    if (r.exit_code) j["exit_code"] = *r.exit_code;
    if (r.exit_signal) j["exit_signal"] = *r.exit_signal;
    if (r.undecidable) j["undecidable"] = r.undecidable;
    runs.push_back(std::move(j));
  }
  json doc{{"format", kRecordingFormat}, {"runs", runs}};
  for (const char* s : {"calls", "files", "execs", "network", "names"}) doc[s] = json::array();
  for (const auto& [event, seen] : recording.events) {
    json j = event_json(event);
    j.update(seen_json(seen));
    doc[section_of(event)].push_back(std::move(j));
  }
  // Escaped to ASCII: paths are the workload's bytes and may hold anything.
  return doc.dump(1, ' ', true, json::error_handler_t::replace) + "\n";
}

std::optional<Recording> recording_from_json(const std::string& text, std::string& error) {
  try {
    const json doc = json::parse(text);
    if (doc.at("format").get<std::string>() != kRecordingFormat) {
      error = "not a " + std::string(kRecordingFormat) + " recording";
      return std::nullopt;
    }
    Recording rec;
    for (const json& j : doc.at("runs")) {
      Run r;
      r.id = j.at("run").get<int>();
      r.argv = j.at("argv").get<std::vector<std::string>>();
      r.cwd = j.at("cwd").get<std::string>();
      r.calls = j.at("calls").get<uint64_t>();
      r.processes = j.at("processes").get<uint64_t>();
      r.dropped = j.at("dropped").get<uint64_t>();
      r.partial = j.at("partial").get<bool>();
      if (r.partial) r.partial_reason = j.at("partial_reason").get<std::string>();
      if (j.contains("exit_code")) r.exit_code = j["exit_code"].get<int>();
      if (j.contains("exit_signal")) r.exit_signal = j["exit_signal"].get<int>();
      if (j.contains("undecidable")) r.undecidable = j["undecidable"].get<uint64_t>();
      rec.runs.push_back(std::move(r));
    }
    for (const char* s : {"calls", "files", "execs", "network", "names"}) {
      for (const json& j : doc.at(s)) {
        Seen seen;
        seen.count = j.at("count").get<uint64_t>();
        seen.runs = j.at("runs").get<std::set<int>>();
        if (j.contains("refused")) {
          seen.refused = j["refused"].get<bool>();
          seen.err = j.at("errno").get<int>();
        }
        rec.events[event_from(s, j)] = seen;
      }
    }
    return rec;
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace polc::learn
