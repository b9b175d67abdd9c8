// Stage: import. The vocabulary of OCI and Docker seccomp profiles (action, operator, architecture
// and capability names) and how each maps onto polc's own terms.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

std::optional<OciAction> parse_action(std::string_view name);
std::span<const std::string_view> action_names();

std::optional<OciOp> parse_op(std::string_view name);
std::span<const std::string_view> op_names();

// SCMP_ARCH_* names libseccomp knows, and the polc target each stands for (nullopt: a real
// architecture polc does not compile for, such as SCMP_ARCH_PPC64LE).
bool is_scmp_arch(std::string_view name);
std::optional<arch::Arch> arch_from_scmp(std::string_view name);
std::span<const std::string_view> scmp_arch_names();

// Docker's architecture names in includes/excludes.arches (amd64, arm64, x86 or 386, ...).
bool is_docker_arch(std::string_view name);
std::span<const std::string_view> docker_arch_names();
// True when the Docker name `name` designates target `a`.
bool docker_arch_matches(std::string_view name, arch::Arch a);
// The name Docker uses for target `a` (amd64 for x86_64).
std::string_view docker_arch_name(arch::Arch a);

// Linux capability names (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE).
bool is_capability(std::string_view name);
std::span<const std::string_view> capability_names();
// The bounding set Docker gives a container by default.
std::span<const std::string_view> docker_default_caps();

// "MAJOR.MINOR" with decimal numbers; nullopt for anything else.
std::optional<KernelVersion> parse_kernel_version(std::string_view text);
std::string to_string(const KernelVersion& v);

// The errno name polc prints for `value` (ENOSYS for 38), "" when none (aliases are never chosen).
std::string errno_name(uint64_t value);

}  // namespace polc::import
