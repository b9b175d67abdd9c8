// Stage: launcher. The bundle as sbx-exec uses it: read and checked by the reader shared with
// `polc verify` (compiler/bundle/bundle_reader.h, library polc_bundle_trust), and refused
// whole when that reader finds any problem.
//
// Every file the manifest lists is read into memory once, checked against its size and SHA-256,
// and from then on used only from memory: nothing is re-read by path after the check, so a file
// swapped in the directory after verification cannot reach the kernel (nftables gets the
// verified bytes through a memory file descriptor, not the bundle path). A file the manifest does
// not list, a symlink or a directory nothing listed lives in refuses the bundle.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "compiler/bundle/bundle_reader.h"

namespace polc::launcher {

// One verified file of the bundle: path (as listed), sha256, size and the verified bytes.
using Artifact = bundle::BundleFile;

struct Bundle {
  // Intact: every listed file present and verified, nothing unlisted in the directory.
  // `contents.dir` is the directory as given, `contents.real_dir` its canonical path.
  bundle::BundleContents contents;

  // The listed artifact `path` (sources are never artifacts), or nullptr. Since the reader
  // refuses unlisted files, "not listed" also means "not in the directory".
  const Artifact* find(std::string_view path) const;
  // Like find(), but a missing artifact refuses the launch (Failure BundleInvalid).
  const Artifact& required(std::string_view path) const;
  // How many artifacts (not sources) the manifest lists.
  size_t artifact_count() const;
};

// Reads DIR with polc::bundle::read_bundle. Throws Failure(BundleInvalid) listing every problem
// the reader found (integrity only: signatures are the trust check's, launcher/trust_check.h).
Bundle read_bundle(const std::string& dir);

}  // namespace polc::launcher
