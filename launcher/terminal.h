// Stage: launcher. The payload gets no controlling terminal.
//
// A payload whose controlling terminal is the caller's can push input into it with
// ioctl(TIOCSTI): bytes the caller's shell reads as its next command line once the sandbox exits,
// and runs unconfined, as the caller. Landlock does not check a descriptor opened before the
// sandbox (stdin is one), and TIOCSTI on a terminal that is not the caller's controlling terminal
// needs CAP_SYS_ADMIN. So the launcher gives up its controlling terminal (TIOCNOTTY) before exec:
// the payload still reads and writes the terminal through descriptors 0-2, and Ctrl-C still
// reaches it (its process group is unchanged), but it can no longer inject input. (A payload that
// keeps CAP_SYS_ADMIN, root without --user, can still; docs/launcher.md says so.)
#pragma once

namespace polc::launcher {

// Gives up the controlling terminal, if any, and checks that none is left. Throws
// Failure(ApplyFailed) when one remains.
void detach_controlling_terminal();

}  // namespace polc::launcher
