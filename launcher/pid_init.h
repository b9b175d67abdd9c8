// Stage: launcher. The init of the payload's pid namespace. The supervisor creates the payload's
// first process as PID 1 of a new pid namespace (supervisor.h, CLONE_NEWPID); that process is
// sbx-exec's own small init: it forks the payload (PID 2), which confines itself and execs, and
// then only reaps. Every process of the namespace whose parent dies is reparented to it and reaped;
// when the payload ends, init writes the payload's wait status to the supervisor and exits, and the
// kernel kills whatever is left in the namespace.
//
// Signals: PID 1 of a namespace receives only the signals it has a handler for (SIGKILL and SIGSTOP
// from an ancestor namespace excepted), and init installs none, so the supervisor's relay to the
// payload's process group (init's, which the payload shares) reaches the payload alone; Ctrl-Z's
// SIGSTOP stops both and SIGCONT resumes both. PID 1 cannot die of a signal it raises itself either,
// so it reports the payload's status through a pipe rather than ending "like the payload".
#pragma once

namespace polc::launcher {

// In the namespace's first process: forks. Returns in the payload (PID 2), with `status_fd` and
// `lifeline_fd` closed there; never returns in init. `launch_fd` is closed in init, so the launch
// pipe reports from the payload alone. Init dies with the supervisor (PR_SET_PDEATHSIG; `lifeline_fd`
// hangs up when the supervisor is gone already). Throws Failure(ApplyFailed) if it cannot fork.
void become_init(int launch_fd, int status_fd, int lifeline_fd);

}  // namespace polc::launcher
