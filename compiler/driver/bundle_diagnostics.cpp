// Stage: driver. Bundle problems as diagnostics (see bundle_diagnostics.h).
#include "compiler/driver/bundle_diagnostics.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace polc::driver {

diag::Code code_for(bundle::ProblemKind kind) {
  using K = bundle::ProblemKind;
  using C = diag::Code;
  switch (kind) {
    case K::Unreadable: return C::BundleUnreadable;
    case K::MalformedManifest: return C::BundleMalformedManifest;
    case K::FileModified: return C::BundleFileModified;
    case K::FileMissing: return C::BundleFileMissing;
    case K::FileUnlisted: return C::BundleFileUnlisted;
    case K::MalformedSignatures: return C::BundleMalformedSignatures;
    case K::MalformedTrust: return C::TrustMalformed;
    case K::UnknownSigner: return C::TrustUnknownSigner;
    case K::BadSignature: return C::TrustBadSignature;
    case K::TooFewSigners: return C::TrustTooFewSigners;
    case K::Expired: return C::BundleExpired;
    case K::Rollback: return C::TrustRollback;
    case K::PolicyNotTrusted: return C::TrustPolicyNotNamed;
  }
  return C::BundleUnreadable;
}

void report_problems(diag::Engine& engine, const bundle::Problems& problems, const ProblemFiles& files) {
  // One source per file, added once: several problems in one document share it.
  // Located problems show the document's text; the others an empty file of the same name, so
  // that they do not quote an unrelated first line.
  std::map<std::pair<std::string, bool>, diag::FileId> added;
  for (const bundle::Problem& p : problems) {
    const bool outside = p.file == files.trust_file || p.file == files.bundle_dir || files.bundle_dir.empty();
    const std::string shown = outside ? p.file : files.bundle_dir + "/" + p.file;
    const auto text = files.texts.find(p.file);
    const bool located = p.offset && text != files.texts.end();
    auto [it, fresh] = added.try_emplace({shown, located}, diag::kNoFile);
    if (fresh) it->second = engine.sources().add(shown, located ? text->second : "");
    uint32_t at = 0;
    if (located) at = static_cast<uint32_t>(std::min(*p.offset, text->second.size()));
    auto& d = engine.report(code_for(p.kind), {it->second, at, at}, p.message);
    if (!p.hint.empty()) d.with_help(p.hint);
  }
}

std::optional<bundle::BundleContents> load_intact_bundle(diag::Engine& engine, const std::string& dir) {
  bundle::BundleContents b = bundle::read_bundle(dir);
  if (b.intact()) return b;
  report_problems(engine, b.problems, {dir, "", {{bundle::kManifestFile, b.manifest_bytes}}});
  return std::nullopt;
}

std::optional<std::string> read_small_file(const std::string& path, std::string& error) {
  // Opened once and checked on the descriptor: a FIFO, a device or a file of gigabytes given as
  // a key or trust file is refused before anything is read.
  constexpr off_t kLimit = 16 << 20;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  std::string out;
  bool ok = false;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kLimit) {
    error = "cannot read " + path + ": not a regular file of at most 16 MiB";
  } else {
    char buffer[65536];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0 && out.size() <= static_cast<size_t>(kLimit))
      out.append(buffer, static_cast<size_t>(n));
    ok = n == 0 && out.size() <= static_cast<size_t>(kLimit);
    if (!ok) error = "cannot read " + path + ": " + (n < 0 ? std::strerror(errno) : "larger than 16 MiB");
  }
  close(fd);
  if (!ok) return std::nullopt;
  return out;
}

std::optional<bundle::Trust> load_trust(diag::Engine& engine, const std::string& path) {
  std::string error;
  const auto text = read_small_file(path, error);
  if (!text) {
    report_problems(engine, {{bundle::ProblemKind::Unreadable, path, error, "give the trust file with --trust FILE"}},
                    {"", path, {}});
    return std::nullopt;
  }
  bundle::Problems problems;
  auto trust = bundle::parse_trust(*text, path, problems);
  report_problems(engine, problems, {"", path, {{path, *text}}});
  return trust;
}

}  // namespace polc::driver
