// Stage: learn. Telemetry events to a Recording of refusals (events_import.h).
#include "compiler/learn/events_import.h"

#include <sys/stat.h>

#include <climits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/learn/judge.h"

namespace polc::learn {

namespace {

using nlohmann::json;

FileAccess::Kind kind_now(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return FileAccess::Kind::Missing;
  if (S_ISDIR(st.st_mode)) return FileAccess::Kind::Directory;
  return S_ISREG(st.st_mode) ? FileAccess::Kind::File : FileAccess::Kind::Other;
}

std::string str(const json& request, const char* key) {
  const auto it = request.find(key);
  return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The port, or -1 when it is missing or not a port number (a value past 65535 must not wrap
// into another port).
int port_of(const json& request) {
  const auto it = request.find("port");
  if (it == request.end() || !it->is_number_unsigned()) return -1;
  const uint64_t port = it->get<uint64_t>();
  return port >= 1 && port <= 65535 ? static_cast<int>(port) : -1;
}

// The events of one refusal line; empty when it names nothing polc can grant.
std::vector<Event> events_of(const std::string& layer, const json& request) {
  std::vector<Event> out;
  if (layer == "seccomp") {
    const auto a = arch::from_name(str(request, "arch"));
    const auto nr = request.find("nr");
    if (!a || nr == request.end() || !nr->is_number_integer()) return out;
    const int64_t n = nr->get<int64_t>();
    if (n < INT32_MIN || n > INT32_MAX) return out;
    out.push_back(Call{*a, static_cast<int32_t>(n), str(request, "syscall"), 0, {}});
  } else if (layer == "landlock") {
    const std::string path = str(request, "path");
    if (path.empty() || path[0] != '/' || !request.contains("rights")) return out;  // a port or a scope
    for (const json& r : request["rights"]) {
      const std::string right = r.get<std::string>();
      if (checked_path(path + "/x", right) == path) {
        // Landlock names the directory it checked; the entry itself is not in the record.
        const std::string entry = (path == "/" ? "" : path) + "/" + std::string(kAnyEntry);
        out.push_back(FileAccess{entry, right, FileAccess::Kind::Missing});
      } else {
        out.push_back(FileAccess{path, right, kind_now(path)});
      }
    }
  } else if (layer == "nftables" || layer == "proxy") {
    const int port = port_of(request);
    const std::string dest = str(request, layer == "proxy" ? "domain" : "address");
    std::string proto = layer == "proxy" ? "tcp" : str(request, "protocol");
    if (port < 0 || dest.empty() || (proto != "tcp" && proto != "udp")) return out;
    out.push_back(Endpoint{Endpoint::Direction::Connect, proto, dest, static_cast<uint16_t>(port)});
  }
  return out;
}

}  // namespace

std::optional<Recording> recording_from_events(const std::string& text, std::string& error, size_t& skipped) {
  Recording rec;
  Run run;
  run.argv = {"(telemetry events)"};
  rec.runs.push_back(run);
  std::istringstream in(text);
  std::string line;
  size_t number = 0;
  skipped = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const std::exception& e) {
      error = "line " + std::to_string(number) + ": not JSON (" + e.what() + ")";
      return std::nullopt;
    }
    if (!j.is_object() || j.value("schema", "") != "polc.event/1") {
      error = "line " + std::to_string(number) + ": not a polc.event/1 event";
      return std::nullopt;
    }
    const std::vector<Event> events = j.value("event", "") == "refusal" && j.contains("request")
                                          ? events_of(j.value("layer", ""), j["request"])
                                          : std::vector<Event>{};
    if (events.empty()) ++skipped;
    for (const Event& e : events) {
      rec.add(e, 1);
      Seen& seen = rec.events[e];
      seen.refused = true;
      seen.err = 0;
    }
    ++rec.runs[0].calls;
  }
  return rec;
}

}  // namespace polc::learn
