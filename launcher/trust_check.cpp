// Stage: launcher. The trust check: the trust file read safely, then polc::bundle::evaluate_trust.
#include "launcher/trust_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>

#include "compiler/bundle/sha256.h"
#include "compiler/bundle/trust.h"
#include "compiler/posix/unique_fd.h"
#include "launcher/errors.h"

namespace polc::launcher {

const char* const kInsecureDevWarning =
    "sbx-exec: WARNING: --insecure-dev-unsigned: the bundle's signatures are not checked; never use this in "
    "production\n";

namespace {

// Trust files list a few keys and policies; the cap only stops a hostile path (a device, a huge
// file) from exhausting memory.
constexpr size_t kMaxTrustFileSize = 1u << 20;

[[noreturn]] void refuse(const std::string& file, const std::string& message) {
  throw Failure(ExitCode::BundleInvalid, "trust file " + file + ": " + message);
}

// Reads the trust file. It decides which keys may vouch for what runs, so it is refused when
// someone other than root or the caller could have written it (like ssh's StrictModes): a payload
// of an earlier run, or another user, could otherwise add its own key.
std::string read_trust_file(const std::string& path) {
  const UniqueFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  const int fd = file.get();
  if (fd < 0) refuse(path, "cannot open: " + errno_text(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) refuse(path, "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) refuse(path, "not a regular file");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    refuse(path, "writable by its group or by others (mode " + std::to_string((st.st_mode >> 6) & 7) +
                     std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
                     "): anyone who can write it decides which signatures count; chmod go-w it");
  if (st.st_uid != 0 && st.st_uid != geteuid())
    refuse(path, "owned by uid " + std::to_string(st.st_uid) + ", neither root nor the caller (uid " +
                     std::to_string(geteuid()) + "): its owner decides which signatures count");
  if (static_cast<uint64_t>(st.st_size) > kMaxTrustFileSize)
    refuse(path, "too large (" + std::to_string(st.st_size) + " bytes)");
  std::string bytes;
  char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse(path, "cannot read: " + errno_text(errno));
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > kMaxTrustFileSize) refuse(path, "too large");
  }
  return bytes;
}

}  // namespace

TrustDecision initial_trust_decision(const Options& options) {
  TrustDecision d;
  if (options.insecure_dev_unsigned) {
    d.mode = TrustDecision::Mode::InsecureDevUnsigned;
    return d;
  }
  d.mode = TrustDecision::Mode::TrustFile;
  d.file = options.trust.value_or("");
  if (char* real = realpath(d.file.c_str(), nullptr)) {
    d.file = real;
    std::free(real);
  }
  return d;
}

void check_trust(const Options& options, const Bundle& b, TrustDecision& d) {
  if (d.mode == TrustDecision::Mode::InsecureDevUnsigned) {
    d.decision = "unchecked";
    return;
  }
  const std::string& given = *options.trust;
  d.decision = "refused";  // until everything below passed
  const std::string bytes = read_trust_file(given);
  d.sha256 = bundle::sha256_hex(bytes);
  bundle::Problems problems;
  std::optional<bundle::Trust> trust = bundle::parse_trust(bytes, given, problems);
  if (!trust || !problems.empty()) {
    if (problems.empty()) problems.push_back({bundle::ProblemKind::MalformedTrust, given, given + ": unreadable", ""});
    throw Failure(ExitCode::BundleInvalid, "trust file " + given + " is invalid: " + bundle::describe(problems));
  }
  d.threshold = trust->threshold;
  bundle::TrustReport report = bundle::evaluate_trust(b.contents, *trust, std::time(nullptr));
  d.min_version = report.min_version;
  for (const bundle::SignerStatus& s : report.signers)
    if (s.state == bundle::SignerStatus::State::Signed) d.signers.push_back({s.key_id, s.name});
  if (!report.accepted())
    throw Failure(ExitCode::BundleInvalid, "bundle " + b.contents.dir + " is not trusted by " + given + ": " +
                                               bundle::describe(report.problems));
  d.decision = "accepted";
}

}  // namespace polc::launcher
