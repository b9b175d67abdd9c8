// Stage: launcher. --dry-run: what a run would apply, and what this machine supports.
#pragma once

#include <string>

#include "launcher/options.h"
#include "launcher/prepare.h"

namespace polc::launcher {

// The report. Everything above the line "this machine:" depends only on the bundle and the
// command line (deterministic, suitable for golden tests); the section from "this machine:"
// on describes the kernel and host it ran on. `exit_code` is set to the status a run would have
// (0: it would exec).
std::string dry_run_report(const Options& options, const Prepared& prepared, int& exit_code);

}  // namespace polc::launcher
