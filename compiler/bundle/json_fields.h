// Stage: bundle. Strict reading of the small JSON documents of a bundle (signatures.json, trust
// files): parse errors with their byte offset, and objects whose unknown keys are refused, since a
// misspelt "threshold" that were silently ignored would weaken a trust decision.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/bundle/problem.h"

namespace polc::bundle {

struct JsonDocument {
  ProblemKind kind;  // reported for every fault of this document
  std::string file;
  std::string hint;
  Problems& problems;

  void fail(const std::string& message, std::optional<size_t> offset = std::nullopt) const {
    problems.push_back({kind, file, file + ": " + message, hint, offset});
  }
  // Parses `bytes` as one JSON object; nullopt (reported) otherwise.
  std::optional<nlohmann::json> parse_object(const std::string& bytes) const;
  // Reports every key of `object` not in `allowed`. Returns false when there was one.
  bool only_keys(const nlohmann::json& object, std::initializer_list<const char*> allowed,
                 const std::string& where) const;
};

}  // namespace polc::bundle
