// Stage: bundle. Trust files and the trust decision: which keys may sign, how many distinct ones
// must, and the lowest acceptable version of each policy (rollback protection).
//
// Trust file (polc.trust/1, see docs/bundle.md):
//   {"format": "polc.trust/1",
//    "threshold": 2,
//    "keys": [{"id": "<sha256 hex of the raw public key>", "name": "alice",
//              "public_key": "<base64 of the 32-byte Ed25519 public key>"}, ...],
//    "policies": {"python_agent": {"min_version": 7}, ...}}
// Shared by the compiler and the launcher: depends on libcrypto and nlohmann_json only.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/problem.h"
#include "compiler/bundle/signatures.h"

namespace polc::bundle {

struct TrustedKey {
  std::string id;    // lowercase hex SHA-256 of public_key
  std::string name;  // who holds it, for reports; may be empty
  std::array<uint8_t, 32> public_key{};
};

struct TrustPolicy {
  int64_t min_version = 0;
};

struct Trust {
  std::string file;  // as given, for messages
  unsigned threshold = 1;
  std::vector<TrustedKey> keys;  // distinct ids, in file order
  std::map<std::string, TrustPolicy> policies;
};

// Parses a trust file's bytes. Problems (MalformedTrust) name the field at fault; nullopt when any.
std::optional<Trust> parse_trust(const std::string& bytes, const std::string& file, Problems& problems);

// One trusted key's standing against a bundle.
struct SignerStatus {
  std::string key_id;
  std::string name;
  enum class State { Signed, Missing, Invalid } state = State::Missing;
};

// The trust decision for one bundle. `accepted` only when `problems` is empty.
struct TrustReport {
  std::string trust_file;
  unsigned threshold = 0;
  unsigned valid_signers = 0;                // distinct trusted keys with a valid signature
  std::vector<SignerStatus> signers;         // every trusted key, in trust-file order
  std::vector<std::string> unknown_signers;  // key ids of signatures by keys the trust file lacks
  std::optional<int64_t> min_version;        // the trust file's floor for this policy
  Problems problems;
  bool accepted() const { return problems.empty(); }
};

// Checks the signatures on `bundle` against `trust` at time `now` (seconds since the epoch):
// every signature must be by a listed key and verify over the manifest; at least `threshold`
// distinct keys must have signed (one key twice counts once); the bundle must not have expired;
// its policy must be named by the trust file at or above the minimum version.
TrustReport evaluate_trust(const BundleContents& bundle, const Trust& trust, std::time_t now);

}  // namespace polc::bundle
