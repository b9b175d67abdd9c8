// Stage: bundle. What bundle, signature and trust checks find wrong: one Problem per fault, each
// naming the file (or key) it is about, so that `polc verify` and sbx-exec can say exactly what
// failed. This header is shared by the compiler and the launcher: it depends on nothing but the
// standard library.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace polc::bundle {

enum class ProblemKind {
  Unreadable,           // a file or the bundle directory cannot be read (I/O, permissions)
  MalformedManifest,    // manifest.json is not a valid, canonical polc.bundle/1 manifest
  FileModified,         // a listed file's size or SHA-256 differs from the manifest
  FileMissing,          // a listed file is absent
  FileUnlisted,         // a file (or symlink, directory, device) the manifest does not list
  MalformedSignatures,  // signatures.json is not a valid polc.signatures/1 document
  MalformedTrust,       // the trust file is not a valid polc.trust/1 document
  UnknownSigner,        // a signature by a key the trust file does not list
  BadSignature,         // a signature by a trusted key that does not verify
  TooFewSigners,        // fewer distinct trusted signers than the threshold
  Expired,              // the manifest's `expires` is in the past
  Rollback,             // the policy's version is below the trust file's minimum
  PolicyNotTrusted,     // the trust file does not name this policy
};

struct Problem {
  ProblemKind kind;
  std::string file;     // what it is about: a bundle-relative path, "manifest.json", the trust file...
  std::string message;  // one line, naming exactly what failed
  std::string hint;     // what to do about it; may be empty
  // Byte offset into `file` where a JSON document is malformed, when known.
  std::optional<size_t> offset = std::nullopt;
};

using Problems = std::vector<Problem>;

// Every message on one line, joined by "; " and counted when there are several ("2 problems:
// A; B"): what a launcher prints in its one error line and audit record.
std::string describe(const Problems& problems);

}  // namespace polc::bundle
