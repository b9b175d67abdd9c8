"""launcher.telemetry*: every refusal of every layer becomes exactly one event, taken from the
kernel (audit, nfnetlink_log), with the right layer, request and policy statement; allowed work
yields none; a flood neither hangs the supervisor nor loses events silently; strings the payload
controls are escaped; without audit privileges the run goes on and says what is missing. Runs
real payloads under sbx-exec on this kernel, as root, in network namespaces the test creates."""

import json
import os
import re
import subprocess
import sys
import time

from harness import DEV_FLAG, Skip, kernel_landlock_abi, parse_audit

POLICY = """policy telemetry_cases version 1 {{
  targets x86_64
  import std.runtime.glibc, std.lang.python, std.hardening

  syscalls {{
    default errno(EPERM)
    allow socket(domain in {{AF_INET, AF_INET6}} &&
                 (type & 0xf == SOCK_DGRAM || type & 0xf == SOCK_STREAM && protocol in {{0, IPPROTO_TCP}}))
    kill socket(domain == AF_PACKET)
    trap getcpu
    log uname
    kill_thread getpriority
    deny setpriority(which == 1) errno(EPERM)
    deny setpriority(which == 2) errno(EPERM)
  }}

  filesystem {{
    landlock abi >= 6
    landlock scope signal, abstract_unix_socket
    read, execute "/usr"
    read "/etc", "/proc", "/dev/null", "/dev/urandom"
    read, write "{work}"
    deny read "{outside}/denied"
  }}

  network {{
    proxy 127.0.0.1 port 3128
    connect tcp 8080 to "allowed.test"
    deny connect tcp 8080 to "denied.test"
    connect tcp 8080 to 127.0.0.1
    connect udp 53 to 10.233.0.2
    deny connect tcp 22
    deny udp 514
  }}
}}
"""

# The same without a signal scope: the supervisor's own guard refuses signals then.
POLICY_NO_SCOPE = POLICY.replace("    landlock scope signal, abstract_unix_socket\n", "").replace(
    "telemetry_cases", "telemetry_guard")

PY = "/usr/bin/python3"

# A GET through the proxy the environment names; the proxy's 403 is an HTTPError.
PROXY_GET = ("import urllib.request, urllib.error\n"
             "try: urllib.request.urlopen('http://{host}:8080/', timeout=5)\n"
             "except urllib.error.URLError as e: print('refused', e)")

# name, network ("netns": a namespace of the test's with a dummy device and a default route, joined
# with --join-netns; "external": --network-enforced-externally), payload, expected event (layer,
# decision, request fields, statement: a substring of the source line `rule.at` names, or
# "default" for a default with that substring, or None for no rule).
CASES = [
    # Audit records carry no arguments: the kind of decision tells the socket statements apart.
    ("seccomp_arg_condition", "netns", "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)",
     "seccomp", "kill_process", {"syscall": "socket", "arch": "x86_64"}, "kill socket(domain == AF_PACKET)"),
    ("seccomp_default", "netns", "import ctypes; ctypes.CDLL(None).syscall(252, 1, 0)",
     "seccomp", "errno(EPERM)", {"syscall": "ioprio_get"}, ("default", "default errno(EPERM)")),
    ("seccomp_std_kill", "netns", "import ctypes; ctypes.CDLL(None).unshare(0x10000000)",
     "seccomp", "kill_process", {"syscall": "unshare"}, "kill unshare("),
    ("seccomp_std_errno", "netns", "import ctypes; ctypes.CDLL(None).syscall(425, 1, 0)",
     "seccomp", "errno(ENOSYS)", {"syscall": "io_uring_setup"}, "deny io_uring_setup errno(ENOSYS)"),
    ("seccomp_trap", "netns", "import ctypes; ctypes.CDLL(None).syscall(309, 0, 0, 0)",
     "seccomp", "trap", {"syscall": "getcpu"}, "trap getcpu"),
    ("seccomp_log", "netns", "import os; os.uname()",
     "seccomp", "log", {"syscall": "uname"}, "log uname"),
    ("seccomp_kill_thread", "netns", "import os; os.getpriority(os.PRIO_PROCESS, 0)",
     "seccomp", "kill_thread", {"syscall": "getpriority"}, "kill_thread getpriority"),
    ("seccomp_candidates", "netns", "import os\ntry: os.setpriority(1, 0, 0)\nexcept OSError: pass",
     "seccomp", "errno(EPERM)", {"syscall": "setpriority"}, "deny setpriority(which == 1)"),
    ("landlock_default_read", "netns", "open('{outside}/plain.txt').read()",
     "landlock", "deny", {"path": "{outside}/plain.txt", "rights": ["read_file"]}, ("default", "landlock abi >= 6")),
    ("landlock_deny_rule", "netns", "open('{outside}/denied/secret.txt').read()",
     "landlock", "deny", {"path": "{outside}/denied/secret.txt", "rights": ["read_file"]}, 'deny read "'),
    ("landlock_make_reg", "netns", "open('/usr/polc-telemetry-test', 'w')",
     "landlock", "deny", {"rights": ["make_reg"]}, ("default", "landlock abi >= 6")),
    ("landlock_execute", "netns", "import subprocess; subprocess.run(['{work}/script.sh'])",
     "landlock", "deny", {"path": "{work}/script.sh", "rights": ["execute"]}, ("default", "landlock abi >= 6")),
    ("landlock_make_dir", "netns", "import os; os.mkdir('{work}/../newdir')",
     "landlock", "deny", {"rights": ["make_dir"]}, ("default", "landlock abi >= 6")),
    ("landlock_tcp_connect", "netns",
     "import socket\ntry: socket.create_connection(('127.0.0.1', 22), timeout=1)\nexcept OSError: pass",
     "landlock", "deny", {"protocol": "tcp", "port": 22}, "deny connect tcp 22"),
    ("landlock_scope_signal", "netns", "import os, signal; os.kill(os.getppid(), signal.SIGURG)",
     "landlock", "deny", {"scope": "signal"}, "landlock scope signal"),
    ("landlock_scope_abstract_unix", "external",
     "import socket\ns = socket.socket(socket.AF_UNIX)\ntry: s.connect('\\0{abstract}')\nexcept OSError: pass",
     "landlock", "deny", {"scope": "abstract_unix_socket"}, "landlock scope signal"),
    ("nftables_default", "netns",
     "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.233.0.2', 5353))",
     "nftables", "drop", {"protocol": "udp", "address": "10.233.0.2", "port": 5353}, ("default", None)),
    ("nftables_deny_rule", "netns",
     "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.233.0.2', 514))",
     "nftables", "drop", {"protocol": "udp", "address": "10.233.0.2", "port": 514}, "deny udp 514"),
    ("nftables_implicit_metadata", "netns",
     "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('169.254.169.254', 53))",
     "nftables", "drop", {"protocol": "udp", "address": "169.254.169.254", "port": 53}, "implicit"),
    ("nftables_host_not_allowed", "netns",
     "import socket\ntry: socket.create_connection(('10.233.0.2', 8080), timeout=0.5)\nexcept OSError: pass",
     "nftables", "drop", {"protocol": "tcp", "address": "10.233.0.2", "port": 8080}, ("default", None)),
    # Through the egress proxy (sbx-exec sets HTTP_PROXY from egress.json), which refuses.
    ("proxy_deny_rule", "proxy", PROXY_GET.format(host="denied.test"),
     "proxy", "deny", {"domain": "denied.test", "port": 8080, "method": "GET"}, 'deny connect tcp 8080 to "denied.test"'),
    ("proxy_default", "proxy", PROXY_GET.format(host="other.test"),
     "proxy", "deny", {"domain": "other.test", "port": 8080, "method": "GET"}, ("default", None)),
]


class Namespace:
    """A network namespace with a dummy device (10.233.0.1/24) and a default route through it, so
    that packets to other addresses leave through nftables' output hook rather than failing to
    route. Removed on exit."""

    def __init__(self):
        self.name = f"polc-tel-{os.getpid()}"

    def __enter__(self):
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        run("ip", "netns", "add", self.name)
        try:
            run("ip", "-n", self.name, "link", "set", "lo", "up")
            # A dummy device where the kernel has the driver, else loopback itself: either way the
            # packets leave through the output hook, where nftables.nft's chain sees them.
            dev = "d0"
            if subprocess.run(["ip", "-n", self.name, "link", "add", dev, "type", "dummy"],
                              capture_output=True).returncode == 0:
                run("ip", "-n", self.name, "link", "set", dev, "up")
            else:
                dev = "lo"
            run("ip", "-n", self.name, "addr", "add", "10.233.0.1/24", "dev", dev)
            run("ip", "-n", self.name, "route", "add", "default", "dev", dev)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Squid:
    """squid with the bundle's own squid.conf (its log directory moved into the test's) in the
    namespace, answering on 127.0.0.1:3128; test hosts resolve to 127.0.0.1. Stopped on exit."""

    def __init__(self, ctx, bundle, ns):
        self.ctx, self.bundle, self.ns = ctx, bundle, ns
        self.dir = os.path.join(ctx.tmp, "squid")
        self.log = os.path.join(self.dir, "logs", "polc_telemetry_cases.access.log")
        self.proc = None

    def __enter__(self):
        os.makedirs(os.path.join(self.dir, "logs"))
        os.chmod(os.path.join(self.dir, "logs"), 0o777)
        with open(os.path.join(self.dir, "hosts"), "w") as f:
            f.write("127.0.0.1 allowed.test denied.test other.test\n")
        product = open(os.path.join(self.bundle, "squid.conf")).read().replace(
            "/var/log/squid/", os.path.join(self.dir, "logs") + "/")
        with open(os.path.join(self.dir, "squid.conf"), "w") as f:
            f.write(product + f"\nhosts_file {self.dir}/hosts\ndns_nameservers 127.0.0.1\n"
                    f"pid_filename {self.dir}/squid.pid\ncoredump_dir {self.dir}\nshutdown_lifetime 0 seconds\n"
                    "pinger_enable off\n")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns.name, "squid", "-N", "-f",
                                      os.path.join(self.dir, "squid.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            probe = subprocess.run(["ip", "netns", "exec", self.ns.name, "curl", "-s", "-o", "/dev/null",
                                    "--max-time", "1", "http://127.0.0.1:3128/"], capture_output=True)
            if probe.returncode == 0 and os.path.exists(self.log):
                return self
            time.sleep(0.2)
        self.__exit__()
        raise Skip("squid did not start in the test's namespace")

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def build(ctx, source, name):
    src = os.path.join(ctx.tmp, f"{name}.sbx")
    with open(src, "w") as f:
        f.write(source)
    out = os.path.join(ctx.tmp, "dist")
    r = subprocess.run([ctx.polc, "build", src, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"polc build {name} failed:\n{r.stderr}")
    return os.path.join(out, name)


def read_events(path):
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path).read().splitlines() if line.strip()]


def statement_line(bundle, at):
    """The source line `at` ("sources/x.sbx:12") names, from the bundle's own copy."""
    m = re.fullmatch(r"(sources/.+):(\d+)", at or "")
    if not m:
        return None
    lines = open(os.path.join(bundle, m.group(1))).read().splitlines()
    n = int(m.group(2))
    return lines[n - 1] if 0 < n <= len(lines) else None


def schema_errors(events, source):
    """Validation errors of `events` against docs/telemetry.schema.json ([] when valid)."""
    schema = os.path.join(source, "docs", "telemetry.schema.json")
    code = ("import json, sys, jsonschema\n"
            "schema = json.load(open(sys.argv[1]))\n"
            "v = jsonschema.Draft202012Validator(schema)\n"
            "for line in sys.stdin:\n"
            "    for e in v.iter_errors(json.loads(line)): print(e.message)\n")
    for python in (sys.executable, "/usr/bin/python3"):
        r = subprocess.run([python, "-c", code, schema], input="".join(json.dumps(e) + "\n" for e in events),
                           capture_output=True, text=True)
        if "ModuleNotFoundError" not in r.stderr:
            return r.stdout.splitlines() + ([r.stderr] if r.returncode else [])
    return ["no jsonschema module (python3-jsonschema)"]


def check_rule(ctx, name, bundle, event, expected):
    rule = event.get("rule")
    if expected is None:
        return ctx.check(rule is None, f"{name}: no statement of the policy decided", str(rule))
    if isinstance(expected, tuple):
        _, text = expected
        ok = ctx.check(rule is not None and rule["default"] is True, f"{name}: the default decided", str(rule))
        if text is not None and ok:
            line = statement_line(bundle, rule["at"]) or ""
            ok = ctx.check(text in line and text in (rule["text"] or ""),
                           f"{name}: the default's statement is at {rule['at']}: {text!r}", f"{line!r} {rule}")
        return ok
    if expected == "implicit":
        return ctx.check(rule is not None and (rule["at"] or "").startswith("implicit"),
                         f"{name}: attributed to polc's implicit rule", str(rule))
    ok = ctx.check(rule is not None and rule["default"] is False, f"{name}: a statement decided", str(rule))
    if ok:
        line = statement_line(bundle, rule["at"]) or ""
        ok = ctx.check(expected in line and expected in (rule["text"] or ""),
                       f"{name}: rule.at {rule['at']} is the statement {expected!r}", f"line {line!r}, rule {rule}")
    return ok


def run_case(ctx, bundle, network, payload, events_path, extra=(), proxy_log=None):
    mode = ("--join-netns", network.name) if network else ("--network-enforced-externally",)
    if proxy_log:
        extra = (*extra, "--proxy-log", proxy_log)
    argv = [ctx.sbx, "--bundle", bundle, DEV_FLAG, *mode, "--events", events_path, *extra, "--", PY, "-I", "-S",
            "-c", payload]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def setup_dirs(ctx, name):
    base = os.path.join(ctx.tmp, name)
    work, outside = os.path.join(base, "work"), os.path.join(base, "outside")
    os.makedirs(os.path.join(outside, "denied"))
    os.makedirs(work)
    for path, text in ((os.path.join(outside, "plain.txt"), "x"),
                       (os.path.join(outside, "denied", "secret.txt"), "secret"),
                       (os.path.join(work, "script.sh"), "#!/bin/sh\necho ran\n")):
        with open(path, "w") as f:
            f.write(text)
    os.chmod(os.path.join(work, "script.sh"), 0o755)
    os.chmod(ctx.tmp, 0o755)
    return work, outside


def require(ctx):
    if os.geteuid() != 0:
        raise Skip("telemetry reads the kernel's audit channel and nfnetlink_log: needs root")
    if kernel_landlock_abi(ctx) < 7:
        raise Skip("needs Landlock ABI 7 (the audit logging flags)")
    if os.uname().machine != "x86_64":
        raise Skip("the cases are written for x86_64")


def test_telemetry(ctx):
    """The table: each case, one run, exactly one event with the right layer, request and rule."""
    require(ctx)
    work, outside = setup_dirs(ctx, "telemetry")
    bundle = build(ctx, POLICY.format(work=work, outside=outside), "telemetry_cases")
    abstract = f"polc-telemetry-{os.getpid()}"
    import socket
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("\0" + abstract)
    listener.listen(1)
    everything = []
    with Namespace() as ns, Squid(ctx, bundle, ns) as squid:
        # Allowed work yields no event.
        events_path = os.path.join(ctx.tmp, "allowed.jsonl")
        r = run_case(ctx, bundle, ns, f"import os, socket\nopen('{work}/out.txt', 'w').write('ok')\n"
                     f"print(open('/etc/hostname').read() if os.path.exists('/etc/hostname') else '')\n"
                     "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'q', ('10.233.0.2', 53))",
                     events_path)
        events = read_events(events_path)
        ctx.check(r.returncode == 0 and events == [], "allowed work: the payload runs and yields no event",
                  f"exit {r.returncode}\n{r.stderr}\n{events}")
        ctx.check(re.search(r"^sbx-exec: \d+ refusals?", r.stderr, re.M) is None,
                  "allowed work: no summary of refusals", r.stderr)
        for name, network, payload, layer, decision, request, statement in CASES:
            fmt = dict(work=work, outside=outside, abstract=abstract)
            payload = payload.format(**fmt)
            request = {k: (v.format(**fmt) if isinstance(v, str) else v) for k, v in request.items()}
            events_path = os.path.join(ctx.tmp, f"{name}.jsonl")
            r = run_case(ctx, bundle, ns if network in ("netns", "proxy") else None, payload, events_path,
                         proxy_log=squid.log if network == "proxy" else None)
            events = read_events(events_path)
            everything += events
            refusals = [e for e in events if e["event"] == "refusal"]
            if not ctx.check(len(refusals) == 1, f"{name}: exactly one event", f"{events}\n{r.stderr}"):
                continue
            e = refusals[0]
            ctx.check(e["layer"] == layer and e["decision"] == decision,
                      f"{name}: layer {layer}, decision {decision}", f"{e['layer']} {e['decision']}")
            for key, value in request.items():
                got = e["request"].get(key)
                ok = got == value or (key == "rights" and set(value) <= set(got or []))
                ctx.check(ok, f"{name}: request.{key} is {value!r}", f"{e['request']}")
            check_rule(ctx, name, bundle, e, statement)
            if name == "seccomp_candidates":
                lines = [statement_line(bundle, at) or "" for at in (e["rule"] or {}).get("candidates", [])]
                ctx.check(any("which == 1" in l for l in lines) and any("which == 2" in l for l in lines),
                          f"{name}: both statements are candidates (audit gives no arguments)", str(e["rule"]))
            if layer in ("seccomp", "landlock") and name != "landlock_scope_abstract_unix":
                ctx.check(e["process"]["pid"] is not None and e["process"]["exe"] is not None,
                          f"{name}: the process that asked is named", str(e["process"]))
    listener.close()
    errors = schema_errors(everything, ctx.source)
    ctx.check(errors == [], "every event validates against docs/telemetry.schema.json", "\n".join(errors[:10]))


def test_telemetry_guard(ctx):
    """Without a signal scope in the policy, the supervisor's guard refuses a signal to it: a
    launcher event, decided by no statement of the policy."""
    require(ctx)
    work, outside = setup_dirs(ctx, "guard")
    bundle = build(ctx, POLICY_NO_SCOPE.format(work=work, outside=outside), "telemetry_guard")
    events_path = os.path.join(ctx.tmp, "guard.jsonl")
    r = run_case(ctx, bundle, None, "import os, signal\ntry: os.kill(os.getppid(), signal.SIGKILL)\n"
                 "except OSError as e: print('refused', e.errno)", events_path)
    events = [e for e in read_events(events_path) if e["event"] == "refusal"]
    ctx.check(r.returncode == 0 and "refused 1" in r.stdout, "the payload cannot kill its supervisor", r.stdout + r.stderr)
    ctx.check(len(events) == 1 and events[0]["layer"] == "launcher" and events[0]["rule"] is None and
              events[0]["request"].get("scope") == "signal",
              "the refusal is the launcher's (the supervisor guard), not the policy's", str(events))


def test_telemetry_hostile(ctx):
    """Strings the payload controls: its comm and a path with quotes, a newline and an escape
    sequence arrive exact in the JSON and never raw on the caller's terminal."""
    require(ctx)
    work, outside = setup_dirs(ctx, "hostile")
    bundle = build(ctx, POLICY.format(work=work, outside=outside), "telemetry_cases")
    weird = os.path.join(outside, 'we"ird\nname\x1b[31m')
    with open(weird, "w") as f:
        f.write("x")
    events_path = os.path.join(ctx.tmp, "hostile.jsonl")
    comm = 'ev"il\n\x1b[2J'
    payload = ("import ctypes\n"
               f"ctypes.CDLL(None).prctl(15, {comm.encode()!r}, 0, 0, 0)\n"
               f"open({weird!r}).read()")
    r = run_case(ctx, bundle, None, payload, events_path)
    lines = open(events_path).read().splitlines() if os.path.exists(events_path) else []
    events = [json.loads(line) for line in lines]
    refusals = [e for e in events if e["event"] == "refusal"]
    ctx.check(len(lines) == len(events) and len(refusals) == 1, "one event, one line (the newline is escaped)",
              "\n".join(lines))
    if refusals:
        e = refusals[0]
        ctx.check(e["request"].get("path") == weird, "the hostile path arrives exact", repr(e["request"]))
        ctx.check(e["process"]["comm"] == comm, "the hostile comm arrives exact", repr(e["process"]))
    ctx.check("\x1b" not in r.stderr, "no escape sequence reaches the caller's terminal (the summary)", repr(r.stderr))


def test_telemetry_flood(ctx):
    """100,000 refused calls: nothing hangs, the exit status passes through, and every refusal is
    either an event or counted (dropped by the rate limit, lost by the kernel)."""
    require(ctx)
    work, outside = setup_dirs(ctx, "flood")
    bundle = build(ctx, POLICY.format(work=work, outside=outside), "telemetry_cases")
    events_path = os.path.join(ctx.tmp, "flood.jsonl")
    n = 100000
    payload = ("import socket\n"
               f"for i in range({n}):\n"
               "    try: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\n"
               "    except OSError: pass\n"
               "raise SystemExit(7)")
    start = time.monotonic()
    r = run_case(ctx, bundle, None, payload, events_path, extra=("--audit-log", os.path.join(ctx.tmp, "flood.log")))
    took = time.monotonic() - start
    events = read_events(events_path)
    refusals = sum(1 for e in events if e["event"] == "refusal")
    dropped = sum(e["count"] for e in events if e["event"] == "dropped")
    lost = sum(e["count"] for e in events if e["event"] == "lost")
    ctx.check(r.returncode == 7, f"the exit status passes through the flood (got {r.returncode})", r.stderr[-2000:])
    ctx.check(took < 55, f"the supervisor did not hang ({took:.1f} s)")
    ctx.check(refusals + dropped <= n and refusals + dropped + lost >= n,
              f"every refusal is an event or counted: {refusals} events + {dropped} dropped + {lost} lost, of {n}")
    ctx.check(dropped > 0 and any(e["event"] == "dropped" for e in events),
              "the rate limit wrote explicit dropped records", str(dropped))
    exits = [parse_audit(line) for line in open(os.path.join(ctx.tmp, "flood.log")).read().splitlines()]
    exits = [a for a in exits if a and a["result"] == "exit"]
    ctx.check(len(exits) == 1 and exits[0]["refusals"]["by_layer"]["seccomp"] + exits[0]["refusals"]["lost"] >= n,
              "the exit line counts the refusals", str(exits[0]["refusals"] if exits else None))


def test_telemetry_unprivileged(ctx):
    """Without audit privileges: the run goes on, says once which sources are missing and why, and
    records it in the audit line."""
    require(ctx)
    work, outside = setup_dirs(ctx, "unprivileged")
    bundle = build(ctx, POLICY.format(work=work, outside=outside), "telemetry_cases")
    os.chmod(work, 0o777)
    events_path = os.path.join(work, "events.jsonl")
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--events", events_path, "--",
            PY, "-I", "-S", "-c", "import socket\ntry: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\n"
            "except OSError: pass\nraise SystemExit(4)"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    ctx.check(r.returncode == 4, f"the payload runs without audit privileges (exit {r.returncode})", r.stderr)
    ctx.check(re.search(r"sbx-exec: telemetry: audit: .+", r.stderr) is not None,
              "stderr says the audit source is missing and why", r.stderr)
    audits = [parse_audit(line) for line in r.stderr.splitlines()]
    audits = [a for a in audits if a]
    ctx.check(audits and all(any(u.startswith("audit: ") for u in a["supervisor"]["telemetry_unavailable"])
                             for a in audits),
              "the audit line records the missing source", str([a["supervisor"] for a in audits]))
    notices = [e for e in read_events(events_path) if e["event"] == "notice"]
    ctx.check(any(n["source"] == "audit" for n in notices), "a notice record in the events", str(notices))
