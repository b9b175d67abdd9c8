// Stage: driver. Bundle, signature and trust problems (compiler/bundle/problem.h) as diagnostics
// (E08xx): each located at the file it is about, at the byte where a JSON document went wrong
// when that is known, with the problem's hint.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/problem.h"
#include "compiler/bundle/trust.h"
#include "compiler/diag/diagnostic.h"

namespace polc::driver {

struct ProblemFiles {
  std::string bundle_dir;  // bundle-relative files are shown beneath it
  std::string trust_file;  // shown as given
  // The text of documents whose problems may carry a byte offset (manifest.json,
  // signatures.json, the trust file), by Problem::file.
  std::map<std::string, std::string> texts;
};

diag::Code code_for(bundle::ProblemKind kind);

void report_problems(diag::Engine& engine, const bundle::Problems& problems, const ProblemFiles& files);

// Reads `dir` and reports every integrity problem. Returns the bundle only when it is intact.
std::optional<bundle::BundleContents> load_intact_bundle(diag::Engine& engine, const std::string& dir);

// Reads and parses a trust file, reporting problems. nullopt when it cannot be used.
std::optional<bundle::Trust> load_trust(diag::Engine& engine, const std::string& path);

// Reads a small file (a key, a trust file) whole. nullopt with `error` set on failure.
std::optional<std::string> read_small_file(const std::string& path, std::string& error);

}  // namespace polc::driver
