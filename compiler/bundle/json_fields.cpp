// Stage: bundle. Strict JSON document reading (see json_fields.h).
#include "compiler/bundle/json_fields.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

namespace polc::bundle {

namespace {

// Documents of a bundle are nested a few levels. Anything much deeper is refused before parsing:
// nlohmann parses without recursion, but serializing (the manifest's canonical-form check) and
// walking a value recurse once per level, and a hostile file nested 100,000 levels deep would
// overflow the stack.
constexpr int kMaxNesting = 64;

std::optional<size_t> too_deep_at(const std::string& bytes) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNesting) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<nlohmann::json> JsonDocument::parse_object(const std::string& bytes) const {
  if (const auto at = too_deep_at(bytes)) {
    fail("nested more than " + std::to_string(kMaxNesting) + " levels deep", *at);
    return std::nullopt;
  }
  // A key written twice in one object is refused: nlohmann keeps the last, so a reviewer reading
  // the first "threshold" would not see the one that takes effect.
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::optional<std::string> duplicate;
  const nlohmann::json::parser_callback_t watch = [&](int, nlohmann::json::parse_event_t event,
                                                      nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) keys.emplace_back();
    else if (event == E::object_end && !keys.empty()) keys.pop_back();
    else if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second && !duplicate)
      duplicate = parsed.get<std::string>();
    return true;
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(bytes, watch);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
    // column 5: "; the location is shown separately, so keep what follows.
    std::string what = e.what();
    if (const size_t colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    fail("not valid JSON: " + what, e.byte > 0 ? e.byte - 1 : 0);
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    // A well-formed token nlohmann cannot hold (a number like 1e400 overflows a double) is thrown
    // as another kind of exception; it is a malformed document, not an internal error. The
    // message quotes the token, which locates it.
    std::string what = e.what();
    if (const size_t bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    size_t at = 0;
    if (const size_t q = what.find('\''); q != std::string::npos)
      if (const size_t q2 = what.find('\'', q + 1); q2 != std::string::npos)
        at = std::min(bytes.find(what.substr(q + 1, q2 - q - 1)), bytes.size());
    fail("not valid JSON: " + what, at);
    return std::nullopt;
  }
  if (duplicate) {
    fail("the key \"" + *duplicate + "\" appears twice in one object");
    return std::nullopt;
  }
  if (!doc.is_object()) {
    fail("not a JSON object");
    return std::nullopt;
  }
  return doc;
}

bool JsonDocument::only_keys(const nlohmann::json& object, std::initializer_list<const char*> allowed,
                             const std::string& where) const {
  bool ok = true;
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      std::string names;
      for (const char* a : allowed) names += std::string(names.empty() ? "" : ", ") + a;
      fail("unknown key \"" + key + "\" in " + where + " (known: " + names + ")");
      ok = false;
    }
  }
  return ok;
}

}  // namespace polc::bundle
