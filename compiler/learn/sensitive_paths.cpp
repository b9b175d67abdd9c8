// Stage: learn. Credential paths (the list is in sensitive_paths.h).
#include "compiler/learn/sensitive_paths.h"

#include <array>

namespace polc::learn {
namespace {

constexpr std::array<std::string_view, 13> kSecretComponents = {
    ".ssh",   ".gnupg", ".aws",    ".kube",   ".docker",          ".azure",         ".netrc",
    ".pgpass", ".npmrc", ".pypirc", ".vault-token", ".git-credentials", ".password-store"};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool beneath(std::string_view path, std::string_view dir) {
  return path == dir || (starts_with(path, dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

}  // namespace

bool sensitive_path(std::string_view path) {
  if (beneath(path, "/etc/shadow") || beneath(path, "/etc/gshadow") || beneath(path, "/etc/sudoers") ||
      beneath(path, "/etc/sudoers.d") || starts_with(path, "/etc/ssh/ssh_host_"))
    return true;
  std::string_view prev;
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    for (std::string_view secret : kSecretComponents)
      if (seg == secret) return true;
    if (seg == ".env" || starts_with(seg, ".env.")) return true;
    for (std::string_view key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
      if (starts_with(seg, key)) return true;
    if (prev == ".config" && (seg == "gcloud" || seg == "gh")) return true;
    prev = seg;
    start = end + 1;
  }
  return false;
}

}  // namespace polc::learn
