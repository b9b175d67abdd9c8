// Stage: bundle. manifest.json's keys, written and read (see manifest_schema.h).
#include "compiler/bundle/manifest_schema.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "compiler/bundle/encoding.h"
#include "compiler/bundle/json_fields.h"

namespace polc::bundle {

namespace {

using nlohmann::json;

// ---- writing ----

json files_json(const std::vector<ManifestFile>& files) {
  json out = json::array();
  for (const ManifestFile& f : files) out.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}});
  return out;
}

json sources_json(const std::vector<ManifestSource>& sources) {
  json out = json::array();
  for (const ManifestSource& s : sources) {
    json entry = {{"path", s.path}, {"role", s.role}, {"sha256", s.sha256}, {"size", s.size}};
    if (!s.module.empty()) entry["module"] = s.module;
    if (!s.import.empty()) entry["import"] = s.import;
    out.push_back(std::move(entry));
  }
  return out;
}

json coverage_json(const std::vector<ManifestStatement>& coverage) {
  json out = json::array();
  for (const ManifestStatement& e : coverage) {
    json by = json::array();
    for (const ManifestClaim& c : e.enforced_by)
      by.push_back(
          {{"artifact", c.artifact}, {"extent", c.full ? "full" : "partial"}, {"part", c.part}, {"how", c.how}});
    out.push_back({{"statement", e.statement}, {"at", e.at}, {"module", e.module}, {"enforced_by", std::move(by)}});
  }
  return out;
}

json verification_json(const ManifestVerification& v) {
  json assertions = json::array();
  for (const ManifestAssertion& a : v.assertions) {
    json entry = {{"at", a.at}, {"statement", a.statement}, {"result", a.result}};
    if (a.counterexample) entry["counterexample"] = *a.counterexample;
    assertions.push_back(std::move(entry));
  }
  json programs = json::array();
  for (const ManifestProgram& p : v.programs)
    programs.push_back({{"artifact", p.artifact}, {"result", p.result}, {"queries", p.queries}});
  return {{"solver", v.solver},
          {"assertions", std::move(assertions)},
          {"tests", {{"passed", v.tests_passed}, {"failed", v.tests_failed}}},
          {"checks", {{"warnings", v.check_warnings}, {"queries", v.check_queries}}},
          {"translation_validation", std::move(programs)}};
}

// ---- strict reading: what a launcher relies on ----

void malformed(Problems& problems, const std::string& message, std::optional<size_t> offset = std::nullopt) {
  problems.push_back({ProblemKind::MalformedManifest, kManifestFile, message,
                      "manifest.json is written by `polc build`; rebuild the bundle instead of editing it", offset});
}

// A listed path must name a file beneath the bundle directory: relative, no "." or ".." or empty
// components. Anything else could make a reader verify (and use) a file outside the bundle.
bool valid_bundle_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path != kManifestFile && path != kSignaturesFile;
}

// ---- lenient reading: what reviewers are shown ----

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

uint64_t num(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() ? it->get<uint64_t>()
                                  : static_cast<uint64_t>(std::max<int64_t>(it->get<int64_t>(), 0));
}

const json& member(const json& j, const char* key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

// The elements of an array member; none for anything else.
const json& list(const json& j, const char* key) {
  static const json empty = json::array();
  const json& m = member(j, key);
  return m.is_array() ? m : empty;
}

// Checks one "artifacts" or "sources" list; each entry without a fault is passed to `add`.
template <typename Add>
void read_file_list(const json& m, const char* key, std::set<std::string>& seen, Problems& problems, Add add) {
  const auto found = m.find(key);
  if (found == m.end() || !found->is_array()) {
    malformed(problems, std::string("manifest.json has no \"") + key + "\" array");
    return;
  }
  for (const json& entry : *found) {
    const auto path = entry.is_object() ? entry.find("path") : entry.end();
    if (!entry.is_object() || path == entry.end() || !path->is_string()) {
      malformed(problems, std::string("manifest.json: an entry of \"") + key + "\" has no \"path\" string");
      continue;
    }
    const std::string file = path->get<std::string>();
    if (!valid_bundle_path(file)) {
      malformed(problems, "manifest.json lists an invalid path \"" + file + "\"");
      continue;
    }
    if (!seen.insert(file).second) {
      malformed(problems, "manifest.json lists " + file + " twice");
      continue;
    }
    const auto sha = entry.find("sha256");
    const auto size = entry.find("size");
    if (sha == entry.end() || !sha->is_string() || !is_lower_hex(sha->get<std::string>(), 64)) {
      malformed(problems, "manifest.json: " + file + " has no valid sha256 (64 lowercase hex digits)");
      continue;
    }
    if (size == entry.end() || !size->is_number_unsigned()) {
      malformed(problems, "manifest.json: " + file + " has no valid size");
      continue;
    }
    add(entry, file, sha->get<std::string>(), size->get<uint64_t>());
  }
}

void read_header(const json& m, Manifest& out, Problems& problems) {
  const auto format = m.find("format");
  if (format == m.end() || !format->is_string() || *format != kBundleFormat) {
    malformed(problems, std::string("manifest.json is not a ") + kBundleFormat + " manifest (\"format\")");
    return;
  }
  // Members are read through pointers: iterators of different objects must not be compared.
  const json* policy = m.contains("policy") && m["policy"].is_object() ? &m["policy"] : nullptr;
  const json* name = policy && policy->contains("name") ? &(*policy)["name"] : nullptr;
  const json* version = policy && policy->contains("version") ? &(*policy)["version"] : nullptr;
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty())
    malformed(problems, "manifest.json: policy.name is missing or not a string");
  else out.policy_name = name->get<std::string>();
  if (version == nullptr || !version->is_number_unsigned() || version->get<uint64_t>() > INT64_MAX)
    malformed(problems, "manifest.json: policy.version is missing or not a non-negative integer");
  else out.policy_version = version->get<int64_t>();
  if (const auto compiler = m.find("compiler"); compiler != m.end() && compiler->is_string())
    out.compiler = compiler->get<std::string>();
  else malformed(problems, "manifest.json: \"compiler\" is missing or not a string");
  if (const auto expires = m.find("expires"); expires != m.end()) {
    if (expires->is_string()) out.expires = expires->get<std::string>();
    const auto at = out.expires ? parse_utc_time(*out.expires) : std::nullopt;
    if (!at || format_utc_time(*at) != *out.expires)
      malformed(problems, "manifest.json: \"expires\" is not a UTC time like \"2027-01-31T00:00:00Z\"");
  }
}

void read_reviewed(const json& m, Manifest& out) {
  for (const json& name : list(m, "backends"))
    if (name.is_string()) out.backends.push_back(name.get<std::string>());
  for (const json& e : list(m, "coverage")) {
    ManifestStatement s{str(e, "statement"), str(e, "at"), str(e, "module"), {}};
    for (const json& by : list(e, "enforced_by"))
      s.enforced_by.push_back({str(by, "artifact"), str(by, "extent") != "partial", str(by, "part"), str(by, "how")});
    out.coverage.push_back(std::move(s));
  }
  const json& v = member(m, "verification");
  if (!v.is_object()) return;
  ManifestVerification& mv = out.verification.emplace();
  mv.solver = str(v, "solver");
  for (const json& a : list(v, "assertions")) {
    ManifestAssertion entry{str(a, "at"), str(a, "statement"), str(a, "result"), std::nullopt};
    if (a.is_object() && a.contains("counterexample")) entry.counterexample = str(a, "counterexample");
    mv.assertions.push_back(std::move(entry));
  }
  mv.tests_passed = num(member(v, "tests"), "passed");
  mv.tests_failed = num(member(v, "tests"), "failed");
  mv.check_warnings = num(member(v, "checks"), "warnings");
  mv.check_queries = num(member(v, "checks"), "queries");
  for (const json& p : list(v, "translation_validation"))
    mv.programs.push_back({str(p, "artifact"), str(p, "result"), num(p, "queries")});
}

}  // namespace

std::string to_json(const Manifest& m) {
  json doc = {{"format", m.format},
              {"policy", {{"name", m.policy_name}, {"version", m.policy_version}}},
              {"compiler", m.compiler},
              {"backends", m.backends},
              {"artifacts", files_json(m.artifacts)},
              {"sources", sources_json(m.sources)},
              {"coverage", coverage_json(m.coverage)}};
  if (m.verification) doc["verification"] = verification_json(*m.verification);
  if (m.expires) doc["expires"] = *m.expires;
  // nlohmann's objects are std::map-backed: dump() writes sorted keys and no whitespace.
  return doc.dump(-1, ' ', false, json::error_handler_t::strict);
}

Manifest from_json(const std::string& bytes, Problems& problems) {
  Manifest out;
  out.format.clear();
  const JsonDocument doc{ProblemKind::MalformedManifest, kManifestFile,
                         "manifest.json is written by `polc build`; rebuild the bundle instead of editing it",
                         problems};
  const auto parsed = doc.parse_object(bytes);
  if (!parsed) return out;
  const json& m = *parsed;
  // One spelling per manifest: what is signed is exactly what every reader parses.
  if (m.dump(-1, ' ', false, json::error_handler_t::replace) != bytes)
    malformed(problems, "manifest.json is not in canonical form (sorted keys, no whitespace)");
  if (const auto format = m.find("format"); format != m.end() && format->is_string())
    out.format = format->get<std::string>();
  read_header(m, out, problems);
  std::set<std::string> seen;
  read_file_list(m, "artifacts", seen, problems,
                 [&](const json&, const std::string& path, const std::string& sha, uint64_t size) {
                   out.artifacts.push_back({path, sha, size});
                 });
  read_file_list(
      m, "sources", seen, problems,
      [&](const json& entry, const std::string& path, const std::string& sha, uint64_t size) {
        out.sources.push_back({path, str(entry, "role"), str(entry, "module"), str(entry, "import"), sha, size});
      });
  read_reviewed(m, out);
  return out;
}

std::optional<std::time_t> parse_utc_time(const std::string& text) {
  // Digits exactly where the two forms have them: sscanf's %d alone would also take a sign or
  // leading blanks ("2027-+1-31", " 2027-1-31").
  const std::string_view shape = text.size() == 10 ? "dddd-dd-dd" : "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != shape.size()) return std::nullopt;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i]) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (text.size() == 10) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3) return std::nullopt;
  } else if (text.size() == 20) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 7 || tail != 'Z')
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;  // 2027-02-30 normalizes away
  return t;
}

std::string format_utc_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace polc::bundle
