// Stage: bundle. manifest.json as one type: every key of the format (docs/bundle.md) is spelt in
// manifest_schema.cpp and nowhere else. `polc build` fills a Manifest and writes it with to_json;
// every reader (the bundle reader shared with sbx-exec, `polc inspect`, the rebuild check) gets
// one from from_json. Part of polc_bundle_trust: depends on the standard library here, and on
// nlohmann_json only in its implementation.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/bundle/problem.h"

namespace polc::bundle {

inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kSignaturesFile = "signatures.json";
inline constexpr const char* kBundleFormat = "polc.bundle/1";

// One artifact: its bundle-relative path, SHA-256 (lowercase hex) and size.
struct ManifestFile {
  std::string path;
  std::string sha256;
  uint64_t size = 0;
  friend bool operator==(const ManifestFile&, const ManifestFile&) = default;
};

// One source under sources/.
struct ManifestSource {
  std::string path;
  std::string role;    // "policy", "stdlib" or "local"
  std::string module;  // dotted module name; "" (not written) for the policy and local files
  std::string import;  // local: the path relative to the policy's directory; "" (not written) otherwise
  std::string sha256;
  uint64_t size = 0;
  friend bool operator==(const ManifestSource&, const ManifestSource&) = default;
};

// The coverage map: one statement and the artifacts that enforce it.
struct ManifestClaim {
  std::string artifact;
  bool full = true;  // "full" or "partial"
  std::string part;  // "" for the whole statement
  std::string how;
  friend bool operator==(const ManifestClaim&, const ManifestClaim&) = default;
};
struct ManifestStatement {
  std::string statement;
  std::string at;  // "sources/policy.sbx:12"
  std::string module;
  std::vector<ManifestClaim> enforced_by;
  friend bool operator==(const ManifestStatement&, const ManifestStatement&) = default;
};

// The verifier's verdicts.
struct ManifestAssertion {
  std::string at;
  std::string statement;
  std::string result;                         // "proved" or "failed"
  std::optional<std::string> counterexample;  // written when the assertion failed
  friend bool operator==(const ManifestAssertion&, const ManifestAssertion&) = default;
};
struct ManifestProgram {
  std::string artifact;  // "seccomp.x86_64.bpf"
  std::string result;    // "equivalent" or "mismatch"
  uint64_t queries = 0;
  friend bool operator==(const ManifestProgram&, const ManifestProgram&) = default;
};
struct ManifestVerification {
  std::string solver;
  std::vector<ManifestAssertion> assertions;
  uint64_t tests_passed = 0, tests_failed = 0;
  uint64_t check_warnings = 0, check_queries = 0;
  std::vector<ManifestProgram> programs;  // translation validation
  friend bool operator==(const ManifestVerification&, const ManifestVerification&) = default;
};

struct Manifest {
  std::string format = kBundleFormat;
  std::string policy_name;
  int64_t policy_version = 0;
  std::string compiler;  // "polc 0.1.0"
  std::vector<std::string> backends;
  std::vector<ManifestFile> artifacts;
  std::vector<ManifestSource> sources;
  std::vector<ManifestStatement> coverage;
  std::optional<ManifestVerification> verification;
  std::optional<std::string> expires;  // RFC 3339 UTC, as written
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// The canonical bytes: sorted keys, no insignificant whitespace; what signatures cover.
std::string to_json(const Manifest& manifest);

// Reads manifest.json as stored. The parts a launcher relies on are checked strictly, every fault
// a MalformedManifest problem added to `problems`: valid JSON in canonical form, the format, the
// policy's name and version, the compiler, the expiry, and the "artifacts" and "sources" lists
// (entries with a fault are left out). The rest (backends, coverage, verification, a source's
// role) is only shown to reviewers, and is read leniently: a field of the wrong type reads as
// absent. The manifest is usable only when no problem was added.
Manifest from_json(const std::string& bytes, Problems& problems);

// Parses "2027-01-31" (midnight UTC) or "2027-01-31T12:00:00Z"; nullopt for anything else.
std::optional<std::time_t> parse_utc_time(const std::string& text);
// The canonical form written into manifests: "2027-01-31T00:00:00Z".
std::string format_utc_time(std::time_t t);

}  // namespace polc::bundle
