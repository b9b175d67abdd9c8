// Stage: import. JSON paths of profile elements.
#include "compiler/import/oci_profile.h"

namespace polc::import {

JsonPath child(const JsonPath& parent, std::string key) {
  JsonPath p = parent;
  p.push_back({std::move(key), 0, false});
  return p;
}

JsonPath child(const JsonPath& parent, size_t index) {
  JsonPath p = parent;
  p.push_back({"", index, true});
  return p;
}

std::string to_string(const JsonPath& path) {
  if (path.empty()) return "(root)";
  std::string out;
  for (const JsonStep& s : path) {
    if (s.is_index) out += "[" + std::to_string(s.index) + "]";
    else out += (out.empty() ? "" : ".") + s.key;
  }
  return out;
}

}  // namespace polc::import
