// Stage: launcher (the OS layer). os.json (docs/backends/os.md) read into an OsSpec.
//
// Strict, as every artifact sbx-exec reads: the bytes come from a verified bundle, so anything
// this launcher does not understand (an unknown key, mount kind, namespace or discard condition,
// a value of the wrong type, a duplicate key, a path that is relative or not normal, mounts or
// workspaces out of their canonical order) is refused rather than skipped: skipping a mount would
// run the payload less confined than its policy says.
#pragma once

#include <string_view>

#include "launcher/os/os_spec.h"

namespace polc::launcher::os {

// The format name os.json carries in "format"; any other value is refused.
inline constexpr std::string_view kOsJsonFormat = "polc-os/1";

// Parses os.json. Throws launcher::Failure (ExitCode::BundleInvalid) with a message that starts
// "os.json: " and names the offending field. Mount::at and Workspace::at are left empty: they come
// from the bundle's attribution.json (its "os" section), which the caller reads.
OsSpec parse_os_json(std::string_view bytes);

// True for an absolute path without empty, "." or ".." components and without a trailing slash
// ("/" itself is normal): the form polc writes every path in.
bool is_normal_absolute_path(std::string_view path);

// "minimal_dev", "tmpfs", "hide", "readonly", "noexec", "nodev": os.json's spelling of a kind.
const char* mount_kind_name(MountKind kind);

}  // namespace polc::launcher::os
