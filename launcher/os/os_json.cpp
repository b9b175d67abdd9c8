// Stage: launcher (the OS layer). os.json read into an OsSpec (see os_json.h).
#include "launcher/os/os_json.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "launcher/errors.h"

namespace polc::launcher::os {

namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& message) { throw Failure(ExitCode::BundleInvalid, "os.json: " + message); }

// Refuses every key of `object` (at `where`) that is not in `known`.
void only_keys(const json& object, const std::string& where, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (!ok) refuse("unknown key \"" + key + "\" in " + where);
  }
}

const json& member(const json& object, const std::string& where, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) refuse(where + " has no \"" + key + "\"");
  return *it;
}

const json& object_at(const json& value, const std::string& where) {
  if (!value.is_object()) refuse(where + " is not an object");
  return value;
}

const json& array_at(const json& value, const std::string& where) {
  if (!value.is_array()) refuse(where + " is not an array");
  return value;
}

std::string string_at(const json& value, const std::string& where) {
  if (!value.is_string()) refuse(where + " is not a string");
  return value.get<std::string>();
}

uint64_t unsigned_at(const json& value, const std::string& where) {
  if (!value.is_number_unsigned()) refuse(where + " is not a non-negative integer");
  return value.get<uint64_t>();
}

std::string path_at(const json& value, const std::string& where) {
  std::string path = string_at(value, where);
  if (!is_normal_absolute_path(path))
    refuse(where + " \"" + path + "\" is not an absolute, normal path (no \".\", \"..\", \"//\" or trailing \"/\")");
  return path;
}

// A sorted list of distinct strings, each one of `known` (all strings when `known` is empty).
std::vector<std::string> names_at(const json& value, const std::string& where,
                                  std::initializer_list<std::string_view> known) {
  std::vector<std::string> names;
  for (const json& item : array_at(value, where)) {
    std::string name = string_at(item, "an entry of " + where);
    bool ok = known.size() == 0 && !name.empty();
    for (std::string_view k : known) ok = ok || name == k;
    if (!ok) refuse("unknown name \"" + name + "\" in " + where);
    if (!names.empty() && !(names.back() < name)) refuse(where + " is not sorted or repeats \"" + name + "\"");
    names.push_back(std::move(name));
  }
  return names;
}

void read_namespaces(const json& value, OsSpec& spec) {
  for (const std::string& name : names_at(value, "\"namespaces\"", {"cgroup", "ipc", "mount", "pid", "user", "uts"})) {
    if (name == "cgroup") spec.cgroup_ns = true;
    if (name == "ipc") spec.ipc_ns = true;
    if (name == "mount") spec.mount_ns = true;
    if (name == "pid") spec.pid_ns = true;
    if (name == "user") spec.user_ns = true;
    if (name == "uts") spec.uts_ns = true;
  }
}

void read_limits(const json& value, Limits& limits) {
  const std::string where = "\"limits\"";
  object_at(value, where);
  only_keys(value, where,
            {"memory", "memory_swap", "tasks", "cpu", "time_ms", "open_files", "file_size", "core_dumps"});
  auto number = [&](const char* key, std::optional<uint64_t>& out) {
    if (auto it = value.find(key); it != value.end()) out = unsigned_at(*it, "limits." + std::string(key));
  };
  number("memory", limits.memory);
  number("memory_swap", limits.memory_swap);
  number("tasks", limits.tasks);
  number("cpu", limits.cpu);
  number("time_ms", limits.time_ms);
  number("open_files", limits.open_files);
  number("file_size", limits.file_size);
  const json& core = member(value, where, "core_dumps");
  if (!core.is_boolean()) refuse("limits.core_dumps is not a boolean");
  limits.core_dumps = core.get<bool>();
  if (limits.memory_swap && (!limits.memory || *limits.memory_swap < *limits.memory))
    refuse("limits.memory_swap needs limits.memory, and at least as much");
  if (limits.tasks && *limits.tasks == 0) refuse("limits.tasks is 0");
  if (limits.cpu && *limits.cpu == 0) refuse("limits.cpu is 0");
}

MountKind kind_named(const std::string& name, const std::string& where) {
  for (MountKind kind : {MountKind::MinimalDev, MountKind::Tmpfs, MountKind::Hide, MountKind::ReadOnly,
                         MountKind::NoExec, MountKind::NoDev})
    if (name == mount_kind_name(kind)) return kind;
  refuse("unknown mount kind \"" + name + "\" in " + where);
}

void read_mounts(const json& value, OsSpec& spec) {
  size_t index = 0;
  for (const json& item : array_at(value, "\"mounts\"")) {
    const std::string where = "mounts[" + std::to_string(index++) + "]";
    object_at(item, where);
    only_keys(item, where, {"kind", "path", "size"});
    Mount mount;
    mount.kind = kind_named(string_at(member(item, where, "kind"), where + ".kind"), where);
    if (mount.kind == MountKind::MinimalDev) {
      // The kind names its own path: /dev ("path" may say so or be left out).
      mount.path = item.contains("path") ? path_at(item.at("path"), where + ".path") : "/dev";
      if (mount.path != "/dev") refuse(where + ": minimal_dev is made at /dev, not " + mount.path);
    } else {
      mount.path = path_at(member(item, where, "path"), where + ".path");
    }
    if (auto it = item.find("size"); it != item.end()) {
      if (mount.kind != MountKind::Tmpfs) refuse(where + ".size is only for a tmpfs");
      mount.size = unsigned_at(*it, where + ".size");
    }
    if (!spec.mounts.empty()) {
      const Mount& last = spec.mounts.back();
      if (std::tie(last.path, last.kind) >= std::tie(mount.path, mount.kind))
        refuse(where + " (" + mount_kind_name(mount.kind) + " " + mount.path +
               ") is out of order or repeated: mounts are sorted by path, then kind");
    }
    spec.mounts.push_back(std::move(mount));
  }
}

void read_workspaces(const json& value, OsSpec& spec) {
  size_t index = 0;
  for (const json& item : array_at(value, "\"workspaces\"")) {
    const std::string where = "workspaces[" + std::to_string(index++) + "]";
    object_at(item, where);
    only_keys(item, where, {"path", "discard_on", "refusal_layers"});
    Workspace workspace;
    workspace.path = path_at(member(item, where, "path"), where + ".path");
    const std::vector<std::string> discard_on =
        names_at(member(item, where, "discard_on"), where + ".discard_on", {"failure", "kill", "refusal"});
    workspace.discard_on_failure = false;
    workspace.discard_on_kill = false;
    workspace.discard_on_refusal = false;
    for (const std::string& name : discard_on) {
      if (name == "failure") workspace.discard_on_failure = true;
      if (name == "kill") workspace.discard_on_kill = true;
      if (name == "refusal") workspace.discard_on_refusal = true;
    }
    workspace.refusal_layers = names_at(member(item, where, "refusal_layers"), where + ".refusal_layers", {});
    if (!workspace.refusal_layers.empty() && !workspace.discard_on_refusal)
      refuse(where + ".refusal_layers names layers but discard_on has no \"refusal\"");
    if (!spec.workspaces.empty() && !(spec.workspaces.back().path < workspace.path))
      refuse(where + " (" + workspace.path + ") is out of order or repeated: workspaces are sorted by path");
    spec.workspaces.push_back(std::move(workspace));
  }
}

// nlohmann::json keeps the last of two equal keys silently; canonical JSON has none, so a
// duplicate is refused while parsing (one set of keys per object being read).
json parse_refusing_duplicates(std::string_view bytes) {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  json::parser_callback_t callback = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end: open_objects.pop_back(); break;
      case json::parse_event_t::key:
        if (!open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty())
          duplicate = parsed.get<std::string>();
        break;
      default: break;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(bytes.begin(), bytes.end(), callback);
  } catch (const json::exception& e) {
    refuse(std::string("not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) refuse("the key \"" + duplicate + "\" appears twice in one object");
  return doc;
}

}  // namespace

bool is_normal_absolute_path(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  if (path.find('\0') != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

const char* mount_kind_name(MountKind kind) {
  switch (kind) {
    case MountKind::MinimalDev: return "minimal_dev";
    case MountKind::Tmpfs: return "tmpfs";
    case MountKind::Hide: return "hide";
    case MountKind::ReadOnly: return "readonly";
    case MountKind::NoExec: return "noexec";
    case MountKind::NoDev: return "nodev";
  }
  return "?";
}

OsSpec parse_os_json(std::string_view bytes) {
  const json doc = parse_refusing_duplicates(bytes);
  const std::string where = "the document";
  object_at(doc, where);
  only_keys(doc, where, {"format", "namespaces", "limits", "mounts", "workspaces"});
  const std::string format = string_at(member(doc, where, "format"), "\"format\"");
  if (format != kOsJsonFormat)
    refuse("format \"" + format + "\" is not " + std::string(kOsJsonFormat) + " (a newer polc wrote this bundle?)");
  OsSpec spec;
  read_namespaces(member(doc, where, "namespaces"), spec);
  read_limits(member(doc, where, "limits"), spec.limits);
  read_mounts(member(doc, where, "mounts"), spec);
  read_workspaces(member(doc, where, "workspaces"), spec);
  return spec;
}

}  // namespace polc::launcher::os
