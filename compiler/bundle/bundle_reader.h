// Stage: bundle. Reads a bundle directory and checks its integrity against manifest.json: every
// listed file present, of the listed size and SHA-256; nothing else in the directory (no extra
// file, directory, symlink or device) except signatures.json. Shared by `polc verify`,
// `polc sign`, `polc inspect` and sbx-exec: it depends on libc, libcrypto and nlohmann_json only.
//
// Every file is read into memory once, checked, and from then on used only from memory: nothing
// is re-read by path, so a file swapped in the directory after the check cannot be used. Files
// are opened beneath the bundle directory without following any symlink.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/bundle/manifest_schema.h"
#include "compiler/bundle/problem.h"

namespace polc::bundle {

// One file the manifest lists (an artifact or a source), verified.
struct BundleFile {
  std::string path;    // bundle-relative, as listed
  std::string sha256;  // lowercase hex
  uint64_t size = 0;
  std::string bytes;    // the contents (empty when the file failed its check)
  bool source = false;  // listed under "sources" rather than "artifacts"
};

struct BundleContents {
  std::string dir;             // as given
  std::string real_dir;        // canonical absolute path (for audit lines); `dir` when unknown
  std::string manifest_bytes;  // exactly as stored: what signatures cover
  std::string manifest_sha256;
  Manifest manifest;                            // as read (manifest_schema.h); trustworthy only when intact()
  std::optional<std::time_t> expires_at;        // manifest.expires
  std::vector<BundleFile> files;                // artifacts, then sources, in manifest order
  std::optional<std::string> signatures_bytes;  // signatures.json, when present
  Problems problems;                            // integrity problems; the bundle is intact only when empty

  bool intact() const { return problems.empty(); }
  const BundleFile* find(std::string_view path) const;
};

// Reads and checks `dir`. Never throws for bad input: every fault becomes a Problem (all of
// them, not only the first, so a reviewer sees the whole damage).
BundleContents read_bundle(const std::string& dir);

}  // namespace polc::bundle
