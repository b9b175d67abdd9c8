"""launcher.terminal: the payload cannot push input into the caller's terminal (TIOCSTI), which the
caller's shell would read and run unconfined once the sandbox exits."""

import os
import pty

from harness import DEV_FLAG, Skip, kernel_landlock_abi, standard_bundle

# Pushes a command line into the terminal on stdin, one byte at a time, and says how that went.
INJECT = ("import fcntl, termios\n"
          "try:\n"
          "    for c in b'echo INJECTED\\n': fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))\n"
          "    print('tiocsti ok')\n"
          "except OSError as e:\n"
          "    print('tiocsti errno', e.errno)\n")


def in_terminal(argv):
    """Runs `argv` in a new terminal, as an interactive shell would run a command: the shell then
    reads its next line (for 2 s) and prints it. Returns everything the terminal showed."""
    pid, master = pty.fork()
    if pid == 0:
        script = '"$@"; read -t 2 -r line; echo "SHELL READ [$line]"'
        os.execvp("bash", ["bash", "-c", script, "bash", *argv])
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    os.waitpid(pid, 0)
    os.close(master)
    return out.decode(errors="replace")


def test_terminal(ctx):
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    if os.geteuid() != 0:
        raise Skip("--user needs root")
    _, _, bundle = standard_bundle(ctx, "terminal")
    payload = ["/usr/bin/python3", "-c", INJECT]
    shown = in_terminal(payload)
    if "tiocsti ok" not in shown:
        raise Skip("this kernel refuses TIOCSTI (dev.tty.legacy_tiocsti = 0)")
    ctx.check("SHELL READ [echo INJECTED]" in shown, "control: unconfined, the payload's input reaches the shell",
              shown)
    for extra in (("--user", "nobody"), ("--user", "nobody", "--keep-fd", "3")):
        argv = [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", *extra, "--", *payload]
        if "--keep-fd" in extra:
            # Descriptor 3 the terminal too, named on purpose: still no controlling terminal.
            argv = ["bash", "-c", 'exec 3<>/dev/tty; exec "$@"', "bash", *argv]
        shown = in_terminal(argv)
        ctx.check("SHELL READ [echo INJECTED]" not in shown and "SHELL READ []" in shown,
                  f"sbx-exec {' '.join(extra)}: the payload pushed a command line into the caller's terminal", shown)
        ctx.check("tiocsti errno 1" in shown, f"sbx-exec {' '.join(extra)}: TIOCSTI fails with EPERM", shown)
    # sbx-exec as the terminal's session leader (exec'd by the session's first process): the
    # SIGHUP that giving the terminal up sends to the foreground group does not stop the launch.
    pid, master = pty.fork()
    if pid == 0:
        os.execv(ctx.sbx, [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--user", "nobody",
                           "--", *payload])
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    os.close(master)
    shown = out.decode(errors="replace")
    ctx.check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and "tiocsti errno 1" in shown,
              f"sbx-exec as session leader runs the payload without a controlling terminal (status {status})", shown)
