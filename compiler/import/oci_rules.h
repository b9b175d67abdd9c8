// Stage: import. Turns each profile entry into one polc syscall statement for the chosen targets,
// or into a line of the "skipped" list: resolves includes/excludes, drops syscall names a target
// lacks (`name?` where only some targets have one), translates args into conditions (several
// conditions on one register are runc's OR of separate rules, otherwise an AND), and reports what
// cannot be translated faithfully (E0705, E0706) or changes meaning at the kernel's width (W0702).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/import/oci_profile.h"
#include "compiler/import/oci_selection.h"
#include "compiler/import/profile_reporter.h"

namespace polc::import {

struct ImportedStatement {
  std::vector<std::string> comments;  // own-line comments before it, without "# "
  std::string text;                   // `allow socket(arg0 < 38)`
};

struct ImportedRules {
  std::string default_action;  // `errno(EPERM)`
  std::vector<ImportedStatement> statements;
  std::vector<std::string> skipped;  // `syscalls[9] (allow a, b): only on ppc64le`
};

// nullopt when an error was reported.
std::optional<ImportedRules> translate_rules(const OciProfile& profile, const SelectionContext& ctx,
                                             ProfileReporter& reporter);

// polc's spelling of an action: `allow`, `errno(ENOSYS)`, `trace(1)`, `kill_thread`, ...
std::string action_text(OciAction action, std::optional<uint64_t> errno_ret);

}  // namespace polc::import
