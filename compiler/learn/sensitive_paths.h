// Stage: learn. Paths a learned policy never grants, whatever the workload touched: credentials
// and secrets. An observation of one is left out of the draft and reported; the draft asserts it
// stays refused (`assert never read "..."`) and tests it (`expect deny read "..."`).
//
// A path is sensitive when one of its components is (case-sensitive):
//   .ssh, .gnupg, .aws, .kube, .docker, .azure, .netrc, .pgpass, .git-credentials, .npmrc, .pypirc,
//   .vault-token, .password-store, .env or .env.* (.env.local, ...), or an SSH key's name (id_rsa*,
//   id_dsa*, id_ecdsa*, id_ed25519*, wherever it lies);
// or when it is under $HOME's credential directories .config/gcloud or .config/gh, or is
// /etc/shadow, /etc/gshadow, /etc/sudoers (and beneath /etc/sudoers.d), /etc/ssh/ssh_host_*.
#pragma once

#include <string_view>

namespace polc::learn {

bool sensitive_path(std::string_view path);

}  // namespace polc::learn
