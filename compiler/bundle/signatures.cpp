// Stage: bundle. signatures.json reading and writing.
#include "compiler/bundle/signatures.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "compiler/bundle/encoding.h"
#include "compiler/bundle/json_fields.h"

namespace polc::bundle {

std::string signing_message(const std::string& manifest_bytes) { return kSignatureContext + manifest_bytes; }

std::optional<Signatures> parse_signatures(const std::string& bytes, const std::string& manifest_sha256,
                                           Problems& problems) {
  const JsonDocument doc{ProblemKind::MalformedSignatures, "signatures.json",
                         "signatures.json is written by `polc sign`; remove it and sign again", problems};
  const size_t before = problems.size();
  auto json = doc.parse_object(bytes);
  if (!json) return std::nullopt;
  doc.only_keys(*json, {"format", "manifest_sha256", "signatures"}, "the document");
  const auto format = json->find("format");
  if (format == json->end() || *format != kSignaturesFormat)
    doc.fail(std::string("\"format\" is not \"") + kSignaturesFormat + "\"");
  Signatures out;
  const auto digest = json->find("manifest_sha256");
  if (digest == json->end() || !digest->is_string() || !is_lower_hex(digest->get<std::string>(), 64)) {
    doc.fail("\"manifest_sha256\" is not 64 lowercase hex digits");
  } else {
    out.manifest_sha256 = digest->get<std::string>();
    if (out.manifest_sha256 != manifest_sha256)
      doc.fail("made for another manifest (manifest_sha256 " + out.manifest_sha256.substr(0, 16) +
               "...; manifest.json is " + manifest_sha256.substr(0, 16) + "...)");
  }
  const auto list = json->find("signatures");
  if (list == json->end() || !list->is_array()) {
    doc.fail("\"signatures\" is not an array");
    return std::nullopt;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& entry = (*list)[i];
    const std::string where = "signature " + std::to_string(i + 1);
    if (!entry.is_object()) {
      doc.fail(where + " is not an object");
      continue;
    }
    doc.only_keys(entry, {"algorithm", "key_id", "signature"}, where);
    const auto algorithm = entry.find("algorithm");
    const auto id = entry.find("key_id");
    const auto sig = entry.find("signature");
    if (algorithm == entry.end() || *algorithm != "ed25519") doc.fail(where + ": \"algorithm\" is not \"ed25519\"");
    if (id == entry.end() || !id->is_string() || !is_lower_hex(id->get<std::string>(), 64)) {
      doc.fail(where + ": \"key_id\" is not 64 lowercase hex digits");
      continue;
    }
    if (sig == entry.end() || !sig->is_string()) {
      doc.fail(where + ": \"signature\" is not a string");
      continue;
    }
    out.entries.push_back({id->get<std::string>(), sig->get<std::string>()});
  }
  if (problems.size() > before) return std::nullopt;
  return out;
}

std::string signatures_json(const Signatures& signatures) {
  std::vector<SignatureEntry> entries = signatures.entries;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.key_id < b.key_id; });
  entries.erase(
      std::unique(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.key_id == b.key_id; }),
      entries.end());
  nlohmann::json list = nlohmann::json::array();
  for (const SignatureEntry& e : entries)
    list.push_back({{"algorithm", "ed25519"}, {"key_id", e.key_id}, {"signature", e.signature}});
  const nlohmann::json doc = {
      {"format", kSignaturesFormat}, {"manifest_sha256", signatures.manifest_sha256}, {"signatures", list}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace polc::bundle
