// Stage: launcher. Bundle reading and digest verification (SHA-256 through OpenSSL's EVP API).
#include "launcher/bundle.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

// Bundles are small (the largest artifact is a seccomp program of at most 32 KiB or an OCI
// profile); the caps only stop a hostile directory from exhausting memory.
constexpr uint64_t kMaxManifestSize = 16u << 20;
constexpr uint64_t kMaxArtifactSize = 64u << 20;

[[noreturn]] void invalid(const std::string& message) { throw Failure(ExitCode::BundleInvalid, message); }

// A listed path must name a file beneath the bundle directory: relative, no "." or ".." or empty
// components. Anything else could make the launcher verify (and use) a file outside the bundle.
bool valid_artifact_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

// Opens `path` beneath `dir_fd` without following any symlink (a symlink in a bundle could point
// at a file the digests were never meant to cover). openat2 resolves the whole path that way;
// kernels before 5.6 lack it, and then only plain names (O_NOFOLLOW covers their one component).
int open_beneath(int dir_fd, const std::string& path) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  if (path.find('/') != std::string::npos) {
    errno = ENOSYS;
    return -1;
  }
  return openat(dir_fd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
}

// Reads a regular file of at most `limit` bytes. `what` names it in messages.
std::string read_regular(int dir_fd, const std::string& path, uint64_t limit, const std::string& what) {
  int fd = open_beneath(dir_fd, path);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP || err == EXDEV) invalid(what + " is a symlink or leaves the bundle directory");
    invalid("cannot open " + what + ": " + errno_text(err));
  }
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* p) { close(*p); });
  struct stat st {};
  if (fstat(fd, &st) != 0) invalid("cannot stat " + what + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) invalid(what + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > limit) invalid(what + " is too large (" + std::to_string(st.st_size) + " bytes)");
  // Read up to one byte past the cap so a file that grows while being read is noticed; the
  // size check against the manifest happens on what was actually read.
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      invalid("cannot read " + what + ": " + errno_text(errno));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > limit) invalid(what + " is too large");
  }
  return bytes;
}

bool is_lower_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length != 32)
    throw Failure(ExitCode::BundleInvalid, "SHA-256 computation failed (libcrypto)");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

const Artifact* Bundle::find(std::string_view path) const {
  for (const Artifact& a : artifacts)
    if (a.path == path) return &a;
  return nullptr;
}

const Artifact& Bundle::required(std::string_view path) const {
  if (const Artifact* a = find(path)) return *a;
  invalid(std::string(path) + " is not listed in manifest.json (bundle incomplete or not made by polc build)");
}

const Artifact* Bundle::optional(std::string_view path) const {
  if (const Artifact* a = find(path)) return a;
  struct stat st {};
  std::string name(path);
  if (fstatat(dir_fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
    invalid(name + " is present but not listed in manifest.json: refusing to use or ignore an unverified file");
  return nullptr;
}

Bundle read_bundle(const std::string& dir) {
  Bundle bundle;
  bundle.dir = dir;
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) invalid("cannot open bundle directory " + dir + ": " + errno_text(errno));
  bundle.dir_fd_ = dir_fd;  // lives as long as the process; close-on-exec keeps it from the payload
  if (char* real = realpath(dir.c_str(), nullptr)) {
    bundle.real_dir = real;
    std::free(real);
  } else {
    bundle.real_dir = dir;
  }

  std::string manifest_bytes = read_regular(dir_fd, "manifest.json", kMaxManifestSize, "manifest.json");
  bundle.manifest_sha256 = sha256_hex(manifest_bytes);
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(manifest_bytes);
  } catch (const nlohmann::json::exception& e) {
    invalid("manifest.json is not valid JSON: " + std::string(e.what()));
  }
  // Unknown keys are ignored on purpose: later formats add keys (signatures, verdicts) that an
  // older launcher need not understand. Every key it does use is checked strictly.
  if (!manifest.is_object()) invalid("manifest.json is not a JSON object");
  auto format = manifest.find("format");
  if (format == manifest.end() || !format->is_string()) invalid("manifest.json has no \"format\" string");
  bundle.format = format->get<std::string>();
  if (bundle.format != "polc.bundle/1")
    invalid("manifest.json has format \"" + bundle.format + "\"; this sbx-exec reads polc.bundle/1");
  if (auto compiler = manifest.find("compiler"); compiler != manifest.end()) {
    if (!compiler->is_string()) invalid("manifest.json: \"compiler\" is not a string");
    bundle.compiler = compiler->get<std::string>();
  }
  auto policy = manifest.find("policy");
  if (policy == manifest.end() || !policy->is_object()) invalid("manifest.json has no \"policy\" object");
  auto name = policy->find("name");
  auto version = policy->find("version");
  if (name == policy->end() || !name->is_string() || name->get<std::string>().empty())
    invalid("manifest.json: policy.name is missing or not a string");
  if (version == policy->end() || !version->is_number_integer())
    invalid("manifest.json: policy.version is missing or not an integer");
  bundle.policy_name = name->get<std::string>();
  bundle.policy_version = version->get<int64_t>();

  auto artifacts = manifest.find("artifacts");
  if (artifacts == manifest.end() || !artifacts->is_array()) invalid("manifest.json has no \"artifacts\" array");
  std::set<std::string> seen;
  for (const nlohmann::json& entry : *artifacts) {
    if (!entry.is_object()) invalid("manifest.json: an artifact entry is not an object");
    auto path = entry.find("path");
    auto sha = entry.find("sha256");
    auto size = entry.find("size");
    if (path == entry.end() || !path->is_string()) invalid("manifest.json: an artifact has no \"path\" string");
    Artifact artifact;
    artifact.path = path->get<std::string>();
    if (!valid_artifact_path(artifact.path) || artifact.path == "manifest.json")
      invalid("manifest.json lists an invalid artifact path \"" + artifact.path + "\"");
    if (!seen.insert(artifact.path).second) invalid("manifest.json lists " + artifact.path + " twice");
    if (sha == entry.end() || !sha->is_string() || !is_lower_hex64(sha->get<std::string>()))
      invalid("manifest.json: " + artifact.path + " has no valid sha256 (64 lowercase hex digits)");
    if (size == entry.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
      invalid("manifest.json: " + artifact.path + " has no valid size");
    artifact.sha256 = sha->get<std::string>();
    artifact.size = size->get<uint64_t>();
    if (artifact.size > kMaxArtifactSize) invalid(artifact.path + " is too large (" + std::to_string(artifact.size) + " bytes)");
    bundle.artifacts.push_back(std::move(artifact));
  }

  // Every listed artifact is verified, not only those this launch uses: a bundle with one
  // tampered file is not a bundle anyone signed, whichever file it is.
  for (Artifact& artifact : bundle.artifacts) {
    artifact.bytes = read_regular(dir_fd, artifact.path, kMaxArtifactSize, artifact.path);
    if (artifact.bytes.size() != artifact.size)
      invalid(artifact.path + " has " + std::to_string(artifact.bytes.size()) + " bytes, manifest.json says " +
              std::to_string(artifact.size) + " (tampered or truncated)");
    std::string actual = sha256_hex(artifact.bytes);
    if (actual != artifact.sha256)
      invalid(artifact.path + " does not match its SHA-256 in manifest.json (tampered): " + actual + " != " +
              artifact.sha256);
  }
  return bundle;
}

}  // namespace polc::launcher
