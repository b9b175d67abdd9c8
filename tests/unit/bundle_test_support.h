// Helpers shared by the bundle integrity and trust tests (bundle_tamper_test.cpp, trust_test.cpp):
// a real bundle built in-process by the driver from a small policy with a local and a standard
// import, written to a fresh temporary directory, signed by real Ed25519 keys, and checked the way
// `polc verify` and sbx-exec check one (read_bundle, then evaluate_trust).
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/encoding.h"
#include "compiler/bundle/sha256.h"
#include "compiler/bundle/signatures.h"
#include "compiler/bundle/trust.h"
#include "compiler/driver/build_bundle.h"
#include "compiler/driver/bundle_sources.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/session.h"
#include "tests/support/temp_dir.h"

namespace polc::test::bundles {

namespace fs = std::filesystem;
using bundle::Problem;
using bundle::ProblemKind;
using bundle::Problems;
using nlohmann::json;

inline const char* kind_name(ProblemKind k) {
  switch (k) {
    case ProblemKind::Unreadable: return "Unreadable";
    case ProblemKind::MalformedManifest: return "MalformedManifest";
    case ProblemKind::FileModified: return "FileModified";
    case ProblemKind::FileMissing: return "FileMissing";
    case ProblemKind::FileUnlisted: return "FileUnlisted";
    case ProblemKind::MalformedSignatures: return "MalformedSignatures";
    case ProblemKind::MalformedTrust: return "MalformedTrust";
    case ProblemKind::UnknownSigner: return "UnknownSigner";
    case ProblemKind::BadSignature: return "BadSignature";
    case ProblemKind::TooFewSigners: return "TooFewSigners";
    case ProblemKind::Expired: return "Expired";
    case ProblemKind::Rollback: return "Rollback";
    case ProblemKind::PolicyNotTrusted: return "PolicyNotTrusted";
  }
  return "?";
}

// "Kind file: message" per problem, for failure messages.
inline std::string dump(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) out += std::string("\n  ") + kind_name(p.kind) + " [" + p.file + "] " + p.message;
  return out.empty() ? "\n  (no problems)" : out;
}

// Whether `problems` has one of `kind` (about `file`, when given).
inline bool has(const Problems& problems, ProblemKind kind, const std::optional<std::string>& file = std::nullopt) {
  for (const Problem& p : problems)
    if (p.kind == kind && (!file || p.file == *file)) return true;
  return false;
}

// Whether every problem is of `kind` (and there is at least one).
inline bool only(const Problems& problems, ProblemKind kind) {
  if (problems.empty()) return false;
  for (const Problem& p : problems)
    if (p.kind != kind) return false;
  return true;
}

inline bool mentions(const Problems& problems, const std::string& needle) {
  for (const Problem& p : problems)
    if (p.message.find(needle) != std::string::npos) return true;
  return false;
}

using polc::test::TempDir;

inline std::string read_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE_MESSAGE(fd >= 0, "cannot open " << path);
  std::string out;
  char buffer[65536];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<size_t>(n));
  close(fd);
  return out;
}

inline void write_file(const std::string& path, const std::string& bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE_MESSAGE(fd >= 0, "cannot create " << path);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  close(fd);
}

// The policy every bundle here is built from: every backend has something to write, and it
// imports a local module, so that sources/ has a subdirectory. Small on purpose: the flip test
// reads the whole bundle once per byte.
inline constexpr const char* kPolicyName = "trusty";
inline constexpr int64_t kPolicyVersion = 5;
inline constexpr const char* kPolicyText = R"(policy trusty version 5 {
  targets x86_64
  import "./lib/extra.sbx"
  syscalls {
    default errno(EPERM)
    allow read, write, exit_group
  }
  filesystem {
    landlock abi >= 3
    read "/usr"
  }
  network {
    connect tcp 443 to 10.0.0.0/8
  }
}
)";
inline constexpr const char* kModuleText = R"(module team.extra {
  network {
    connect udp 53 to 10.0.0.53
  }
}
)";

// The bundle's files as `polc build` writes them, built once per test process (the build proves
// every program equivalent to the policy with Z3, which takes a moment).
inline const driver::Artifacts& built_files() {
  static const std::optional<driver::Artifacts> files = []() -> std::optional<driver::Artifacts> {
    TempDir src;
    fs::create_directories(src.path() + "/lib");
    write_file(src.path() + "/policy.sbx", kPolicyText);
    write_file(src.path() + "/lib/extra.sbx", kModuleText);
    diag::SourceManager sources;
    diag::Engine engine(sources);
    std::vector<sema::LoadedSource> loaded;
    const std::string path = src.path() + "/policy.sbx";
    auto policy = driver::analyze_file(engine, path, driver::CommonOptions{}, &loaded);
    driver::BuildInputs inputs;
    if (!policy || driver::place_sources(loaded, path, inputs.sources)) return std::nullopt;
    auto built = driver::build_bundle(*policy, inputs, engine);
    if (!built || engine.has_errors()) return std::nullopt;
    return built->files;
  }();
  REQUIRE_MESSAGE(files.has_value(), "the test policy did not build");
  return *files;
}

// Test keys: three trusted, one outsider. Generated once per process.
enum Signer { Alice, Bob, Carol, Dave };
inline const bundle::PrivateKey& key(Signer who) {
  static const std::vector<bundle::PrivateKey> keys = [] {
    std::vector<bundle::PrivateKey> k;
    for (int i = 0; i < 4; ++i) k.push_back(bundle::PrivateKey::generate());
    return k;
  }();
  return keys[static_cast<size_t>(who)];
}
inline const char* signer_name(Signer who) {
  static const char* const names[] = {"alice", "bob", "carol", "dave"};
  return names[who];
}
inline std::string id_of(Signer who) { return bundle::key_id(key(who).public_key()); }

// The base64 signature of `who` over a manifest, as `polc sign` makes it.
inline std::string signature_by(Signer who, const std::string& manifest_bytes) {
  const bundle::SignatureBytes sig = key(who).sign(bundle::signing_message(manifest_bytes));
  return bundle::base64_encode(sig.data(), sig.size());
}

// A trust file's entry for a key, as `polc keygen` prints it.
inline json key_entry(Signer who) {
  const bundle::PublicKey pub = key(who).public_key();
  return {
      {"id", id_of(who)}, {"name", signer_name(who)}, {"public_key", bundle::base64_encode(pub.data(), pub.size())}};
}

inline json trust_doc(unsigned threshold, std::initializer_list<Signer> keys,
                      std::optional<int64_t> min_version = kPolicyVersion) {
  json doc = {
      {"format", "polc.trust/1"}, {"threshold", threshold}, {"keys", json::array()}, {"policies", json::object()}};
  for (Signer s : keys) doc["keys"].push_back(key_entry(s));
  if (min_version) doc["policies"][kPolicyName] = {{"min_version", *min_version}};
  return doc;
}

// Parses a trust document as sbx-exec would read it from a file; the test fails unless it parses.
inline bundle::Trust trust_of(const json& doc) {
  Problems problems;
  auto trust = bundle::parse_trust(doc.dump(2), "trust.json", problems);
  REQUIRE_MESSAGE(trust.has_value(), "trust file refused:" << dump(problems));
  CHECK(problems.empty());
  return *trust;
}

// What a launcher decides about a bundle directory.
struct Outcome {
  bundle::BundleContents bundle;
  bundle::TrustReport report;
  bool accepted() const { return bundle.intact() && report.accepted(); }
  Problems all() const {
    Problems out = bundle.problems;
    out.insert(out.end(), report.problems.begin(), report.problems.end());
    return out;
  }
};

inline Outcome check_dir(const std::string& dir, const bundle::Trust& trust, std::time_t now = std::time(nullptr)) {
  Outcome o;
  o.bundle = bundle::read_bundle(dir);
  o.report = bundle::evaluate_trust(o.bundle, trust, now);
  return o;
}

// A freshly built bundle in its own temporary directory, signed by `signers`, with a 2-of-3 trust
// over alice, bob and carol and the policy's version as the minimum.
struct SignedBundle {
  TempDir tmp;
  std::string dir;
  bundle::Trust trust;

  explicit SignedBundle(const std::vector<Signer>& signers = {Alice, Bob})
      : dir(tmp.path() + "/dist/" + kPolicyName), trust(trust_of(trust_doc(2, {Alice, Bob, Carol}))) {
    const auto err = driver::write_directory_atomically(dir, built_files());
    REQUIRE_MESSAGE(!err, *err);
    sign(signers);
  }

  std::string path(const std::string& rel) const { return dir + "/" + rel; }
  std::string manifest() const { return read_file(path(bundle::kManifestFile)); }
  Outcome check(std::time_t now = std::time(nullptr)) const { return check_dir(dir, trust, now); }

  // Replaces signatures.json by the signatures of `signers` over the current manifest (none: removed).
  void sign(const std::vector<Signer>& signers) const {
    const std::string manifest_bytes = manifest();
    bundle::Signatures sigs{bundle::sha256_hex(manifest_bytes), {}};
    for (Signer s : signers) sigs.entries.push_back({id_of(s), signature_by(s, manifest_bytes)});
    if (signers.empty()) {
      unlink(path(bundle::kSignaturesFile).c_str());
      return;
    }
    write_file(path(bundle::kSignaturesFile), bundle::signatures_json(sigs));
  }

  // Writes a signatures.json document as given (for entries signatures_json would not write).
  void write_signatures(const json& doc) const { write_file(path(bundle::kSignaturesFile), doc.dump(-1)); }

  // A signatures.json document with the given (key id, base64 signature) entries, in that order.
  json signatures_doc(const std::vector<std::pair<std::string, std::string>>& entries) const {
    json doc = {{"format", "polc.signatures/1"},
                {"manifest_sha256", bundle::sha256_hex(manifest())},
                {"signatures", json::array()}};
    for (const auto& [id, sig] : entries)
      doc["signatures"].push_back({{"algorithm", "ed25519"}, {"key_id", id}, {"signature", sig}});
    return doc;
  }

  // Rewrites manifest.json canonically (sorted keys, no whitespace) after `edit`, as someone with
  // write access to the bundle (or to the build) would, then signs it again with `signers`.
  void edit_manifest(const std::function<void(json&)>& edit, const std::vector<Signer>& signers = {Alice, Bob}) const {
    json m = json::parse(manifest());
    edit(m);
    write_file(path(bundle::kManifestFile), m.dump(-1));
    sign(signers);
  }
};

}  // namespace polc::test::bundles
