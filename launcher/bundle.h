// Stage: launcher. Reads a bundle directory and verifies it against its manifest.
//
// Every artifact the manifest lists is read into memory once, checked against its size and
// SHA-256, and from then on used only from memory: nothing is re-read by path after the check,
// so a file swapped in the directory after verification cannot reach the kernel (nftables gets
// the verified bytes through a memory file descriptor, not the bundle path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polc::launcher {

struct Artifact {
  std::string path;    // relative to the bundle directory, as listed
  std::string sha256;  // lowercase hex, verified
  uint64_t size = 0;   // verified
  std::string bytes;   // the verified contents
};

struct Bundle {
  std::string dir;              // as given on the command line
  std::string real_dir;         // canonical absolute path, for the audit line
  std::string manifest_sha256;  // of manifest.json exactly as stored
  std::string format;           // "polc.bundle/1"
  std::string compiler;         // "polc 0.1.0"; empty when absent
  std::string policy_name;
  int64_t policy_version = 0;
  std::vector<Artifact> artifacts;  // every listed artifact, verified, in manifest order

  // The listed artifact `path`. A file the launcher needs that the manifest does not list is
  // refused (Failure BundleInvalid): unlisted files are not covered by the digests (or, later,
  // by signatures), so they are never used.
  const Artifact& required(std::string_view path) const;
  // Like required(), but a file that is neither listed nor present means "not part of this
  // bundle" (nullptr); present but unlisted is refused.
  const Artifact* optional(std::string_view path) const;
  const Artifact* find(std::string_view path) const;

 private:
  friend Bundle read_bundle(const std::string& dir);
  int dir_fd_ = -1;  // kept open (close-on-exec) only to ask whether an unlisted file exists
};

// Reads DIR/manifest.json, validates it, reads and verifies every listed artifact. Throws
// Failure(BundleInvalid) naming the file and what is wrong.
Bundle read_bundle(const std::string& dir);

std::string sha256_hex(std::string_view bytes);

}  // namespace polc::launcher
