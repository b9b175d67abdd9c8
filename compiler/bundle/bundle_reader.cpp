// Stage: bundle. Bundle integrity: the manifest's schema, every listed file's size and digest,
// and a walk of the directory for anything the manifest does not list.
#include "compiler/bundle/bundle_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "compiler/bundle/encoding.h"
#include "compiler/bundle/json_fields.h"
#include "compiler/bundle/sha256.h"
#include "compiler/posix/unique_fd.h"

namespace polc::bundle {

namespace {

// Bundles are small; the caps only stop a hostile directory from exhausting memory or time.
constexpr uint64_t kMaxManifestSize = 16u << 20;
constexpr uint64_t kMaxFileSize = 64u << 20;
constexpr size_t kMaxEntries = 10000;
constexpr int kMaxDepth = 16;

std::string errno_text(int err) { return std::strerror(err); }

// A listed path must name a file beneath the bundle directory: relative, no "." or ".." or empty
// components. Anything else could make a reader verify (and use) a file outside the bundle.
bool valid_bundle_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path != kManifestFile && path != kSignaturesFile;
}

// Opens `path` beneath `dir_fd` without following any symlink. openat2 resolves the whole path
// that way; kernels before 5.6 lack it, and then only plain names (O_NOFOLLOW covers their one
// component) are opened.
int open_beneath(int dir_fd, const std::string& path) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  if (path.find('/') != std::string::npos) {
    errno = ENOSYS;
    return -1;
  }
  return openat(dir_fd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
}

// Reads a regular file of at most `limit` bytes; nullopt with a problem added otherwise.
std::optional<std::string> read_regular(int dir_fd, const std::string& path, uint64_t limit, Problems& problems) {
  const UniqueFd fd(open_beneath(dir_fd, path));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT)
      problems.push_back({ProblemKind::FileMissing, path, path + " is missing", "rebuild the bundle, or restore the file"});
    else if (err == ELOOP || err == EXDEV)
      problems.push_back({ProblemKind::FileUnlisted, path, path + " is a symlink or leaves the bundle directory",
                          "a bundle holds regular files only"});
    else
      problems.push_back({ProblemKind::Unreadable, path, "cannot open " + path + ": " + errno_text(err), ""});
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    problems.push_back({ProblemKind::FileUnlisted, path, path + " is not a regular file", "a bundle holds regular files only"});
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > limit) {
    problems.push_back({ProblemKind::FileModified, path, path + " is too large (" + std::to_string(st.st_size) + " bytes)", ""});
    return std::nullopt;
  }
  // Up to one byte past the cap, so that a file growing while it is read is noticed; sizes are
  // compared on what was actually read.
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      problems.push_back({ProblemKind::Unreadable, path, "cannot read " + path + ": " + errno_text(errno), ""});
      return std::nullopt;
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > limit) {
      problems.push_back({ProblemKind::FileModified, path, path + " is too large", ""});
      return std::nullopt;
    }
  }
  return bytes;
}

void malformed(Problems& problems, const std::string& message, std::optional<size_t> offset = std::nullopt) {
  problems.push_back({ProblemKind::MalformedManifest, kManifestFile, message,
                      "manifest.json is written by `polc build`; rebuild the bundle instead of editing it", offset});
}

// Checks one "artifacts" or "sources" list and appends its entries to `bundle.files`.
void read_file_list(BundleContents& bundle, const char* key, bool source, std::set<std::string>& seen) {
  const auto list = bundle.manifest.find(key);
  if (list == bundle.manifest.end() || !list->is_array()) {
    malformed(bundle.problems, std::string("manifest.json has no \"") + key + "\" array");
    return;
  }
  for (const nlohmann::json& entry : *list) {
    const auto path = entry.is_object() ? entry.find("path") : entry.end();
    if (!entry.is_object() || path == entry.end() || !path->is_string()) {
      malformed(bundle.problems, std::string("manifest.json: an entry of \"") + key + "\" has no \"path\" string");
      continue;
    }
    BundleFile file;
    file.path = path->get<std::string>();
    file.source = source;
    if (!valid_bundle_path(file.path)) {
      malformed(bundle.problems, "manifest.json lists an invalid path \"" + file.path + "\"");
      continue;
    }
    if (!seen.insert(file.path).second) {
      malformed(bundle.problems, "manifest.json lists " + file.path + " twice");
      continue;
    }
    const auto sha = entry.find("sha256");
    const auto size = entry.find("size");
    if (sha == entry.end() || !sha->is_string() || !is_lower_hex(sha->get<std::string>(), 64)) {
      malformed(bundle.problems, "manifest.json: " + file.path + " has no valid sha256 (64 lowercase hex digits)");
      continue;
    }
    if (size == entry.end() || !size->is_number_unsigned()) {
      malformed(bundle.problems, "manifest.json: " + file.path + " has no valid size");
      continue;
    }
    file.sha256 = sha->get<std::string>();
    file.size = size->get<uint64_t>();
    bundle.files.push_back(std::move(file));
  }
}

void read_header(BundleContents& bundle) {
  const nlohmann::json& m = bundle.manifest;
  const auto format = m.find("format");
  if (format == m.end() || !format->is_string() || *format != kBundleFormat) {
    malformed(bundle.problems, std::string("manifest.json is not a ") + kBundleFormat + " manifest (\"format\")");
    return;
  }
  // Members are read through pointers: iterators of different objects must not be compared.
  const nlohmann::json* policy = m.contains("policy") && m["policy"].is_object() ? &m["policy"] : nullptr;
  const nlohmann::json* name = policy && policy->contains("name") ? &(*policy)["name"] : nullptr;
  const nlohmann::json* version = policy && policy->contains("version") ? &(*policy)["version"] : nullptr;
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty())
    malformed(bundle.problems, "manifest.json: policy.name is missing or not a string");
  else
    bundle.policy_name = name->get<std::string>();
  if (version == nullptr || !version->is_number_unsigned() || version->get<uint64_t>() > INT64_MAX)
    malformed(bundle.problems, "manifest.json: policy.version is missing or not a non-negative integer");
  else
    bundle.policy_version = version->get<int64_t>();
  if (const auto compiler = m.find("compiler"); compiler != m.end() && compiler->is_string())
    bundle.compiler = compiler->get<std::string>();
  else
    malformed(bundle.problems, "manifest.json: \"compiler\" is missing or not a string");
  if (const auto expires = m.find("expires"); expires != m.end()) {
    if (expires->is_string()) bundle.expires = expires->get<std::string>();
    if (bundle.expires) bundle.expires_at = parse_utc_time(*bundle.expires);
    if (!bundle.expires_at || format_utc_time(*bundle.expires_at) != *bundle.expires)
      malformed(bundle.problems, "manifest.json: \"expires\" is not a UTC time like \"2027-01-31T00:00:00Z\"");
  }
}

// Every directory entry beneath `dir_fd` that is not an expected file (or a directory leading to
// one) is a problem: unlisted files are covered by no digest and no signature.
void walk(int dir_fd, const std::string& prefix, const std::set<std::string>& expected, const std::set<std::string>& dirs,
          int depth, size_t& entries, Problems& problems) {
  UniqueFd fd(openat(dir_fd, prefix.empty() ? "." : prefix.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    problems.push_back({ProblemKind::Unreadable, prefix, "cannot list " + prefix + ": " + errno_text(errno), ""});
    return;
  }
  DIR* d = fdopendir(fd.get());
  if (d == nullptr) return;
  fd.release();  // closedir closes it
  std::vector<std::pair<std::string, unsigned char>> children;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++entries > kMaxEntries) break;
    children.push_back({name, e->d_type});
  }
  closedir(d);
  std::sort(children.begin(), children.end());
  for (const auto& [name, type] : children) {
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    struct stat st {};
    if (fstatat(dir_fd, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode) && dirs.count(path) != 0 && depth < kMaxDepth) {
      walk(dir_fd, path, expected, dirs, depth + 1, entries, problems);
    } else if (expected.count(path) == 0) {
      const char* what = S_ISLNK(st.st_mode) ? "a symlink" : S_ISDIR(st.st_mode) ? "a directory" : S_ISREG(st.st_mode) ? "a file" : "a special file";
      problems.push_back({ProblemKind::FileUnlisted, path, path + " is " + what + " that manifest.json does not list",
                          "remove it: a bundle holds exactly the files its manifest lists (and signatures.json)"});
    }
  }
  if (entries > kMaxEntries)
    problems.push_back({ProblemKind::FileUnlisted, prefix, "the bundle directory has more than 10000 entries", ""});
}

}  // namespace

const BundleFile* BundleContents::find(std::string_view path) const {
  for (const BundleFile& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

BundleContents read_bundle(const std::string& dir) {
  BundleContents bundle;
  bundle.dir = dir;
  bundle.real_dir = dir;
  const UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) {
    bundle.problems.push_back({ProblemKind::Unreadable, dir, "cannot open the bundle directory " + dir + ": " + errno_text(errno),
                               "give the directory `polc build -o DIR` wrote (DIR/<policy name>)"});
    return bundle;
  }
  // The directory actually opened, not a second lookup of `dir` that a rename could redirect.
  char real[PATH_MAX];
  const std::string self = "/proc/self/fd/" + std::to_string(dir_fd.get());
  if (const ssize_t n = readlink(self.c_str(), real, sizeof real - 1); n > 0) bundle.real_dir.assign(real, static_cast<size_t>(n));
  Problems manifest_problems;
  auto manifest = read_regular(dir_fd.get(), kManifestFile, kMaxManifestSize, manifest_problems);
  if (!manifest) {
    for (Problem& p : manifest_problems) {
      p.kind = p.kind == ProblemKind::Unreadable ? p.kind : ProblemKind::MalformedManifest;
      if (p.hint.empty() || p.kind == ProblemKind::MalformedManifest) p.hint = "is this a directory `polc build` wrote?";
      bundle.problems.push_back(std::move(p));
    }
    return bundle;
  }
  bundle.manifest_bytes = std::move(*manifest);
  bundle.manifest_sha256 = sha256_hex(bundle.manifest_bytes);
  const JsonDocument doc{ProblemKind::MalformedManifest, kManifestFile,
                         "manifest.json is written by `polc build`; rebuild the bundle instead of editing it",
                         bundle.problems};
  auto parsed = doc.parse_object(bundle.manifest_bytes);
  if (!parsed) return bundle;
  bundle.manifest = std::move(*parsed);
  // One spelling per manifest: what is signed is exactly what every reader parses.
  if (bundle.manifest.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) != bundle.manifest_bytes)
    malformed(bundle.problems, "manifest.json is not in canonical form (sorted keys, no whitespace)");
  read_header(bundle);
  std::set<std::string> seen;
  read_file_list(bundle, "artifacts", false, seen);
  read_file_list(bundle, "sources", true, seen);
  if (!bundle.problems.empty()) {  // a manifest that cannot be trusted lists nothing
    bundle.files.clear();
    return bundle;
  }

  for (BundleFile& file : bundle.files) {
    auto bytes = read_regular(dir_fd.get(), file.path, kMaxFileSize, bundle.problems);
    if (!bytes) continue;
    if (bytes->size() != file.size) {
      bundle.problems.push_back({ProblemKind::FileModified, file.path,
                                 file.path + " has " + std::to_string(bytes->size()) + " bytes; manifest.json says " +
                                     std::to_string(file.size),
                                 "the file was changed after the build: rebuild the bundle"});
      continue;
    }
    const std::string actual = sha256_hex(*bytes);
    if (actual != file.sha256) {
      bundle.problems.push_back({ProblemKind::FileModified, file.path,
                                 file.path + " does not match its SHA-256 in manifest.json (" + actual.substr(0, 16) +
                                     "... != " + file.sha256.substr(0, 16) + "...)",
                                 "the file was changed after the build: rebuild the bundle"});
      continue;
    }
    file.bytes = std::move(*bytes);
  }
  Problems signature_problems;
  if (auto sig = read_regular(dir_fd.get(), kSignaturesFile, kMaxManifestSize, signature_problems))
    bundle.signatures_bytes = std::move(*sig);
  for (Problem& p : signature_problems)
    if (p.kind != ProblemKind::FileMissing) bundle.problems.push_back(std::move(p));

  std::set<std::string> expected{kManifestFile, kSignaturesFile};
  std::set<std::string> dirs;
  for (const BundleFile& f : bundle.files) {
    expected.insert(f.path);
    for (size_t slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1))
      dirs.insert(f.path.substr(0, slash));
  }
  size_t entries = 0;
  walk(dir_fd.get(), "", expected, dirs, 0, entries, bundle.problems);
  return bundle;
}

std::optional<std::time_t> parse_utc_time(const std::string& text) {
  // Digits exactly where the two forms have them: sscanf's %d alone would also take a sign or
  // leading blanks ("2027-+1-31", " 2027-1-31").
  const std::string_view shape = text.size() == 10 ? "dddd-dd-dd" : "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != shape.size()) return std::nullopt;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i]) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (text.size() == 10) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3) return std::nullopt;
  } else if (text.size() == 20) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 7 || tail != 'Z')
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;  // 2027-02-30 normalizes away
  return t;
}

std::string format_utc_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace polc::bundle
