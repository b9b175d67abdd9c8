// Stage: import. Decides where a profile entry applies, as runc and Docker do when they load the
// profile: `includes.caps` needs every listed capability, `excludes.caps` is skipped if any is held,
// `includes.arches`/`excludes.arches` compare Docker's name of each target, `includes.minKernel`
// needs the kernel at least that new and `excludes.minKernel` skips from that kernel on. Without a
// kernel version every minKernel counts as reached, so the result never depends on the host.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

struct SelectionContext {
  std::vector<arch::Arch> targets;  // canonical order
  std::set<std::string> caps;       // the container's bounding set
  std::optional<KernelVersion> kernel;
};

struct Selection {
  arch::ArchSet applies = 0;              // targets on which the entry applies
  std::vector<std::string> skip_reasons;  // why it does not apply (on any target), when applies == 0
};

Selection select_entry(const OciSyscall& entry, const SelectionContext& ctx);

// "includes caps CAP_SYS_ADMIN; excludes arches s390, s390x", "" for an entry without selectors:
// what the statement's comment says about the conditions that were resolved.
std::string describe_selectors(const OciSyscall& entry, const SelectionContext& ctx);

}  // namespace polc::import
