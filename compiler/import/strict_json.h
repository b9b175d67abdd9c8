// Stage: import. Reads a JSON document the way every document polc reads is read: strictly.
// Beyond RFC 8259 syntax, a key written twice in one object is refused (nlohmann keeps the last
// one, so a reviewer reading the first `"action"` would not see the one that takes effect), and
// so is a number no double can hold (`1e400`), which nlohmann reports as an exception of another
// kind than a syntax error. Every refusal carries the byte range it is about.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace polc::import {

struct JsonError {
  size_t begin = 0, end = 0;  // byte range in the text
  std::string message;
  std::optional<size_t> first_begin, first_end;  // for a duplicate key: where it was first written
};

std::variant<nlohmann::json, JsonError> parse_strict_json(std::string_view text);

}  // namespace polc::import
