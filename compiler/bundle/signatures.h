// Stage: bundle. signatures.json: Ed25519 signatures over the manifest, beside it in the bundle.
//
//   {"format": "polc.signatures/1", "manifest_sha256": "<hex>",
//    "signatures": [{"algorithm": "ed25519", "key_id": "<hex>", "signature": "<base64>"}, ...]}
//
// Each signature is over signing_message(manifest bytes): a fixed context line, then the
// manifest exactly as stored (see docs/bundle.md), so a signature made for a polc bundle cannot
// be replayed as a signature over anything else. The file itself is not signed: it only carries
// signatures, each of which verifies on its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/problem.h"

namespace polc::bundle {

inline constexpr const char* kSignaturesFormat = "polc.signatures/1";
inline constexpr const char* kSignatureContext = "polc.signature/1\n";

struct SignatureEntry {
  std::string key_id;     // lowercase hex SHA-256 of the raw public key
  std::string signature;  // base64 of the 64-byte Ed25519 signature
};

struct Signatures {
  std::string manifest_sha256;
  std::vector<SignatureEntry> entries;  // as stored (duplicates kept: the trust check counts keys)
};

std::string signing_message(const std::string& manifest_bytes);

// Parses signatures.json; problems are MalformedSignatures. `manifest_sha256` is the digest of
// the manifest beside it: a file made for another manifest is reported as such.
std::optional<Signatures> parse_signatures(const std::string& bytes, const std::string& manifest_sha256,
                                           Problems& problems);

// Canonical JSON, entries sorted by key id, one per key.
std::string signatures_json(const Signatures& signatures);

}  // namespace polc::bundle
