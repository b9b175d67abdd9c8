// Stage: launcher. The payload's network namespace and the policy's nftables rules in it.
#pragma once

#include <string>

#include "launcher/options.h"

namespace polc::launcher {

// The nft binary sbx-exec runs (a fixed absolute path: PATH is the caller's, and the rules that
// enforce the policy must not come from whatever `nft` it finds first). Empty when none exists.
std::string nft_binary();

// Whether the process has CAP_SYS_ADMIN in its effective set (needed for --netns and setns).
bool has_cap_sys_admin();

// Moves the calling process into the namespace `mode` says (a new one with loopback up, or
// /run/netns/NAME) and loads `nft_script` (the verified bytes of nftables.nft) there with
// `nft -f`. For EnforcedExternally it does nothing. Throws Failure(NetworkFailed).
void setup_network(NetworkMode mode, const std::string& netns_name, const std::string& nft_script);

}  // namespace polc::launcher
