// Stage: launcher. Who vouches for the bundle: `--trust FILE` (a polc.trust/1 file, see
// compiler/bundle/trust.h) checked against the bundle's signatures.json before anything is
// parsed from the artifacts or applied, or `--insecure-dev-unsigned`, which checks nothing and
// says so on every run and in the audit line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/bundle.h"
#include "launcher/options.h"

namespace polc::launcher {

// What the audit line and the dry run say about trust. Filled in as far as the check got, so a
// refusal still records the trust file and what was found.
struct TrustDecision {
  enum class Mode { TrustFile, InsecureDevUnsigned } mode = Mode::TrustFile;
  std::string file;                    // the trust file's canonical path (as given if unresolved)
  std::optional<std::string> sha256;   // of the trust file's bytes, once read
  std::optional<unsigned> threshold;   // once parsed
  std::optional<int64_t> min_version;  // the trust file's floor for this policy, when it names it
  struct Signer {
    std::string key_id;
    std::string name;
  };
  std::vector<Signer> signers;  // trusted keys with a valid signature, in trust-file order
  // "accepted", "refused", "unchecked" (--insecure-dev-unsigned); nullopt until decided.
  std::optional<std::string> decision;
};

// The decision before any check: the mode and the trust file as given.
TrustDecision initial_trust_decision(const Options& options);

// With a trust file: reads and parses it and evaluates the bundle's signatures at the current
// time. Any problem (unreadable, malformed or unsafe trust file; a signature missing, invalid or
// by an unknown key; too few signers; expired; a rollback; the policy not named) throws
// Failure(BundleInvalid) listing every problem; `decision` is filled in as far as it got.
// In --insecure-dev-unsigned mode it only records "unchecked".
void check_trust(const Options& options, const Bundle& bundle, TrustDecision& decision);

// The warning --insecure-dev-unsigned prints on every run, with its newline.
extern const char* const kInsecureDevWarning;

}  // namespace polc::launcher
