// Stage: bundle. A trust file's text (see trust_writer.h).
#include "compiler/bundle/trust_writer.h"

#include <nlohmann/json.hpp>

#include "compiler/bundle/encoding.h"

namespace polc::bundle {

std::string trust_document(const Trust& trust) {
  nlohmann::json keys = nlohmann::json::array();
  for (const TrustedKey& k : trust.keys)
    keys.push_back(
        {{"id", k.id}, {"name", k.name}, {"public_key", base64_encode(k.public_key.data(), k.public_key.size())}});
  nlohmann::json policies = nlohmann::json::object();
  for (const auto& [name, p] : trust.policies) policies[name] = {{"min_version", p.min_version}};
  const nlohmann::json doc = {
      {"format", "polc.trust/1"}, {"threshold", trust.threshold}, {"keys", keys}, {"policies", policies}};
  // Names come from file names and the command line: `replace` keeps invalid UTF-8 from throwing
  // (parse_trust reads it back as U+FFFD).
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace polc::bundle
