// Stage: bundle. Trust files and the trust decision (see trust.h).
#include "compiler/bundle/trust.h"

#include <set>

#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/encoding.h"
#include "compiler/bundle/json_fields.h"

namespace polc::bundle {

namespace {

std::string short_id(const std::string& id) { return id.substr(0, 16); }

std::string signer_name(const TrustedKey& key) {
  return key.name.empty() ? "key " + short_id(key.id) : key.name + " (" + short_id(key.id) + ")";
}

void read_keys(const nlohmann::json& json, const JsonDocument& doc, Trust& trust) {
  const auto keys = json.find("keys");
  if (keys == json.end() || !keys->is_array() || keys->empty()) {
    doc.fail("\"keys\" is not a non-empty array of keys");
    return;
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& entry = (*keys)[i];
    const std::string where = "key " + std::to_string(i + 1);
    if (!entry.is_object()) {
      doc.fail(where + " is not an object");
      continue;
    }
    doc.only_keys(entry, {"id", "name", "public_key"}, where);
    TrustedKey key;
    if (const auto name = entry.find("name"); name != entry.end()) {
      if (!name->is_string()) doc.fail(where + ": \"name\" is not a string");
      else key.name = name->get<std::string>();
    }
    const auto pub = entry.find("public_key");
    const auto raw = pub != entry.end() && pub->is_string() ? base64_decode(pub->get<std::string>()) : std::nullopt;
    if (!raw || raw->size() != 32) {
      doc.fail(where + ": \"public_key\" is not the base64 of a 32-byte Ed25519 public key (`polc keygen` prints it)");
      continue;
    }
    std::copy(raw->begin(), raw->end(), key.public_key.begin());
    if (is_weak_public_key(key.public_key)) {
      doc.fail(where +
               ": \"public_key\" is a point of small order or a non-canonical encoding, for which anyone "
               "could forge signatures; it cannot be a real signer's key");
      continue;
    }
    key.id = key_id(key.public_key);
    const auto id = entry.find("id");
    if (id == entry.end() || !id->is_string() || *id != key.id) {
      doc.fail(where + ": \"id\" is not the SHA-256 of its public key (expected " + key.id + ")");
      continue;
    }
    if (!ids.insert(key.id).second) {
      doc.fail(where + " lists key " + short_id(key.id) + " a second time: each key may count once");
      continue;
    }
    trust.keys.push_back(std::move(key));
  }
}

void read_policies(const nlohmann::json& json, const JsonDocument& doc, Trust& trust) {
  const auto policies = json.find("policies");
  if (policies == json.end() || !policies->is_object()) {
    doc.fail("\"policies\" is not an object of {\"NAME\": {\"min_version\": N}}");
    return;
  }
  for (const auto& [name, entry] : policies->items()) {
    const std::string where = "policy \"" + name + "\"";
    if (!entry.is_object()) {
      doc.fail(where + " is not an object");
      continue;
    }
    doc.only_keys(entry, {"min_version"}, where);
    const auto min = entry.find("min_version");
    if (min == entry.end() || !min->is_number_unsigned() || min->get<uint64_t>() > INT64_MAX) {
      doc.fail(where + ": \"min_version\" is not a non-negative integer");
      continue;
    }
    trust.policies[name] = {min->get<int64_t>()};
  }
}

}  // namespace

std::optional<Trust> parse_trust(const std::string& bytes, const std::string& file, Problems& problems) {
  const JsonDocument doc{ProblemKind::MalformedTrust, file, "see docs/bundle.md for the trust file's format", problems};
  const size_t before = problems.size();
  auto json = doc.parse_object(bytes);
  if (!json) return std::nullopt;
  doc.only_keys(*json, {"format", "keys", "policies", "threshold"}, "the document");
  if (const auto format = json->find("format"); format == json->end() || *format != "polc.trust/1")
    doc.fail("\"format\" is not \"polc.trust/1\"");
  Trust trust;
  trust.file = file;
  read_keys(*json, doc, trust);
  read_policies(*json, doc, trust);
  const auto threshold = json->find("threshold");
  if (threshold == json->end() || !threshold->is_number_unsigned() || *threshold == 0) {
    doc.fail("\"threshold\" is not a positive integer");
  } else if (threshold->get<uint64_t>() > trust.keys.size()) {
    doc.fail("\"threshold\" is " + std::to_string(threshold->get<uint64_t>()) + ", more than the " +
             std::to_string(trust.keys.size()) + " usable key(s) listed: no bundle could ever be accepted");
  } else {
    trust.threshold = threshold->get<unsigned>();
  }
  if (problems.size() > before) return std::nullopt;
  return trust;
}

TrustReport evaluate_trust(const BundleContents& bundle, const Trust& trust, std::time_t now) {
  TrustReport report;
  report.trust_file = trust.file;
  report.threshold = trust.threshold;
  for (const TrustedKey& key : trust.keys) report.signers.push_back({key.id, key.name, SignerStatus::State::Missing});
  Problems& problems = report.problems;

  const auto policy = trust.policies.find(bundle.manifest.policy_name);
  if (policy == trust.policies.end()) {
    problems.push_back({ProblemKind::PolicyNotTrusted, trust.file,
                        trust.file + " does not name policy \"" + bundle.manifest.policy_name + "\"",
                        "add \"" + bundle.manifest.policy_name + "\": {\"min_version\": N} to its \"policies\""});
  } else {
    report.min_version = policy->second.min_version;
    if (bundle.manifest.policy_version < policy->second.min_version)
      problems.push_back({ProblemKind::Rollback, kManifestFile,
                          "policy " + bundle.manifest.policy_name + " version " +
                              std::to_string(bundle.manifest.policy_version) + " is below the lowest version " +
                              trust.file + " accepts (" + std::to_string(policy->second.min_version) + "): a rollback",
                          "launch the current version of the policy"});
  }
  if (bundle.expires_at && *bundle.expires_at <= now)
    problems.push_back({ProblemKind::Expired, kManifestFile, "the bundle expired at " + *bundle.manifest.expires,
                        "build, review and sign a new bundle"});

  std::set<std::string> valid;
  if (!bundle.signatures_bytes) {
    // Reported below as too few signers, which says what is needed.
  } else if (auto signatures = parse_signatures(*bundle.signatures_bytes, bundle.manifest_sha256, problems)) {
    const std::string message = signing_message(bundle.manifest_bytes);
    for (const SignatureEntry& entry : signatures->entries) {
      SignerStatus* status = nullptr;
      for (size_t i = 0; i < trust.keys.size(); ++i)
        if (trust.keys[i].id == entry.key_id) status = &report.signers[i];
      if (status == nullptr) {
        report.unknown_signers.push_back(entry.key_id);
        problems.push_back({ProblemKind::UnknownSigner, kSignaturesFile,
                            "signatures.json has a signature by key " + short_id(entry.key_id) + ", which " +
                                trust.file + " does not list",
                            "add the key to the trust file if its holder is trusted, or remove the signature"});
        continue;
      }
      const TrustedKey& key = trust.keys[static_cast<size_t>(status - report.signers.data())];
      const auto bytes = base64_decode(entry.signature);
      if (!bytes || !verify_signature(key.public_key, message, bytes->data(), bytes->size())) {
        status->state = SignerStatus::State::Invalid;
        problems.push_back({ProblemKind::BadSignature, kSignaturesFile,
                            "the signature by " + signer_name(key) + " does not verify over manifest.json",
                            "the manifest or the signature was altered after signing; sign the bundle again"});
        continue;
      }
      if (status->state != SignerStatus::State::Invalid) status->state = SignerStatus::State::Signed;
      valid.insert(entry.key_id);
    }
  }
  report.valid_signers = 0;
  for (const SignerStatus& s : report.signers) report.valid_signers += s.state == SignerStatus::State::Signed;
  if (report.valid_signers < trust.threshold) {
    std::string missing;
    for (size_t i = 0; i < trust.keys.size(); ++i)
      if (report.signers[i].state != SignerStatus::State::Signed)
        missing += (missing.empty() ? "" : ", ") + signer_name(trust.keys[i]);
    problems.push_back({ProblemKind::TooFewSigners, kSignaturesFile,
                        std::to_string(report.valid_signers) + " of the " + std::to_string(trust.threshold) +
                            " distinct trusted signatures needed" +
                            (bundle.signatures_bytes ? "" : " (the bundle has no signatures.json)") +
                            "; not signed by: " + missing,
                        "ask the key holders to review the bundle and run `polc sign BUNDLE --key KEY`"});
  }
  return report;
}

}  // namespace polc::bundle
