// Stage: driver. The verb table: every verb's name, entry point, line of the overview and help
// text. main.cpp dispatches through it, `polc help` prints from it, and the docs test checks
// docs/cli.md against what it prints. A new verb is its cmd_<verb>.cpp (declared in commands.h)
// and one row here.
#include "compiler/driver/verbs.h"

#include <algorithm>

namespace polc::driver {

namespace {
constexpr std::string_view kBuildHelp =
    R"(usage: polc build [--format FMT] [--werror|--strict] [--stdlib DIR] [--backends LIST]
                  [--explain-coverage] [--solver-rlimit N] [--expires TIME]
                  [--seccomp-codegen polc|libseccomp] [--syscall-mix FILE] FILE -o DIR

Analyzes the policy and writes its bundle to DIR/<policy name>/, atomically: a temporary
directory beside it is renamed into place, so a failed build leaves the previous output as it was.

  seccomp.<arch>.bpf   the BPF program for each target (struct sock_filter array, the target's
                       byte order; what `bwrap --seccomp FD` and seccomp(2) load)
  seccomp.<arch>.txt   a readable listing of the same program, for review
  seccomp.oci.json     the OCI runtime-spec linux.seccomp profile (runc, crun, Docker, Podman);
                       left out, with warning W0007, when no one profile is exact on every target
  landlock.json        the Landlock ruleset: filesystem rights, TCP ports, scopes
  nftables.nft         the network allowlist (`nft -f`, in the sandbox's network namespace)
  squid.conf           the egress proxy's allowlist (when the policy names a `proxy`)
  egress.json          the same allowlist for any other proxy (when the policy names a `proxy`)
  os.json              the OS layer: namespaces, resource limits, mounts (and the masks of deny
                       rules beneath grants), workspaces; for sbx-exec
  oci-config.json      the OS layer and the seccomp profile as a fragment of an OCI runtime-spec
                       config.json, to merge into runc's or crun's
  attribution.json     for each selected layer, the statements that decide its refusals, so that
                       a launcher can name the policy line behind each denial it reports
  sources/             every source that shaped the policy: the policy, the files it imports and
                       the standard modules, as compiled (so reviewers and `polc inspect` see them)
  manifest.json        policy, compiler, backends, every file's SHA-256 and size, the coverage
                       map, the verifier's verdicts and the expiry, in canonical JSON; what
                       `polc sign` signs (see docs/bundle.md)

The same source and polc give a byte-identical bundle, wherever and whenever it is built.

Every program is run in polc's BPF interpreter against the policy on every syscall number and on
argument values at the edges of every condition, and proved with Z3 to decide every call as the
policy does (translation validation), before anything is written (E0604 otherwise). Assertions
must hold (E0504) and tests pass (E0505). Every statement must be enforced in full by at least one
selected backend (E0605 otherwise).

  -o, --output DIR     where to write (created if missing)
  --backends LIST      the backends to run, comma-separated: {backends}
                       (default: all); statements only unselected backends enforce are E0605
  --explain-coverage   print the coverage map: each statement and the files that enforce it
  --werror, --strict   warnings stop the build too
  --solver-rlimit N    Z3's step limit per query (default 50000000); E0607 when one runs out
  --seccomp-codegen G  the seccomp programs' code generator: polc (default, its own) or
                       libseccomp; both are checked and translation-validated the same way
  --syscall-mix FILE   weigh polc's syscall number search by a recorded mix (NAME<TAB>COUNT
                       lines, as bench/data/syscall_mix_*.tsv): frequent calls take fewer steps
  --expires TIME       the bundle is refused after TIME, a UTC date (2027-01-31) or time
                       (2027-01-31T12:00:00Z); absolute only, so the bundle stays reproducible
exit status: 0 built, 1 errors (nothing written), 2 usage error
)";
constexpr std::string_view kEvalHelp = R"(usage: polc eval [--arch ARCH[,ARCH...]] [--format human|json] FILE 'QUERY'

Evaluates one concrete request against the policy and says why it is decided so: the decision,
the statements that decide it (file:line:col and their source), per layer. QUERY is written as
in a `test` block's `expect`:

  syscall    'socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)', 'ioctl(0, TIOCSTI, 0)', 'clone3'
             (named constants and `|`; missing arguments are 0; `on aarch64` picks a target)
  by number  'syscall 257' or '257', with arguments like a name: 'syscall 41(2, 1, 0)'; the
             number is looked up on each target (or the --arch ones) and its name shown
  path       'read "/etc/passwd"', 'write "/workspace/x"', 'read, execute "/usr/bin/python3"', or
             any finer right: read_file, read_dir, write_file, make_dir, remove_file, truncate ...
  network    'connect tcp 443 to "pypi.org"', 'connect udp 53 to 10.0.0.2', 'bind tcp 8080'
             (a port range or no host asks about every request they name)

A syscall is evaluated on each target (or the --arch ones): the rules that matched (the most
restrictive wins) or the default, and what the compiled seccomp program decides for the same
registers, with the number of BPF instructions it executed. A path: each right's Landlock
decision (and the errno a denial returns). A connect or bind: the network section's decision.
Errors in the query point into it (`<query>:1:6`).
exit status: 0 evaluated, 1 the policy or the query has errors, 2 usage error
)";
constexpr std::string_view kTestHelp =
    R"(usage: polc test [--format text|json|junit] [-o FILE] [--werror] [--stdlib DIR] FILE

Compiles the policy and evaluates every expectation of its `test` blocks with the policy's
reference semantics (the same as `polc eval`): syscalls on every target, filesystem rights on the
path, network requests for every port and destination the query names. Prints one line per test,
and for each failed expectation what the policy decides instead and which statement decides it.

  --format FMT   the results as text (default), json, or junit (JUnit XML for CI)
  -o FILE        write the results to FILE atomically (default: stdout)
  --werror       treat warnings as errors (exit 1, no tests run)
  --stdlib DIR   read std.* modules from DIR instead of the copy built into polc

Diagnostics always go to stderr, as text.
exit status: 0 every test passed, 1 a test failed or the policy has errors, 2 usage error
)";
constexpr std::string_view kKeygenHelp = R"(usage: polc keygen --out NAME

Makes a new Ed25519 signing key: NAME.key, the private key (PKCS#8 PEM, mode 0600; keep it
secret), and NAME.pub, the public key (PEM). Prints the key's entry for a trust file's "keys" on
stdout: its id (the SHA-256 of the raw 32-byte public key), a name, and the public key in base64.
Never overwrites an existing file (E0814).

exit status: 0 written, 1 error, 2 usage error
)";
constexpr std::string_view kRunHelp =
    R"(usage: polc run [--seccomp-codegen polc|libseccomp] [--syscall-mix FILE] POLICY [SBX-EXEC OPTION...] -- COMMAND [ARG...]

The development loop in one step: builds POLICY with every check `polc build` makes into a
private temporary directory, runs COMMAND under sbx-exec with that bundle, and removes the bundle
when sbx-exec ends. The bundle is not signed: sbx-exec runs it as with --insecure-dev-unsigned
and warns on every run. For anything but development, build, sign and run with a trust file
(`polc build`, `polc sign`, `sbx-exec --trust`).

Everything between POLICY and -- goes to sbx-exec (--netns, --network-enforced-externally,
--user, --events, --dry-run, ...; see `sbx-exec --help`); --bundle and --trust are polc run's to
set. sbx-exec is looked for in $POLC_SBX_EXEC, beside polc, on PATH, then (a polc in its build
tree only) in that tree.

exit status: sbx-exec's (the command's status, or sbx-exec's refusal code 120-127); 1 when the
policy has errors (nothing runs), 2 usage error
)";
constexpr std::string_view kTrustHelp =
    R"(usage: polc trust init --key NAME.pub... --policy NAME[:MIN_VERSION]... [--threshold N] -o TRUST.json
       polc trust add TRUST.json [--key NAME.pub]... [--policy NAME[:MIN_VERSION]]... [--threshold N]

Writes the trust file `polc verify --trust` and sbx-exec read (polc.trust/1, docs/bundle.md):
the keys that may sign, how many distinct ones must (the threshold), and each accepted policy
with its lowest acceptable version (a floor against rollback to older bundles).

`init` makes a new file and never replaces one. `add` extends an existing file in place: new
keys, new policies, a raised floor, another threshold. A key already listed, a lowered floor, or
a threshold above the number of keys is refused (E0816): weakening a trust file is a reviewed
edit, not a command. Each key is named after its file (alice.pub: "alice").

  --key NAME.pub       a public key, as `polc keygen --out NAME` writes it (repeatable)
  --policy NAME[:MIN]  a policy the file accepts, from version MIN (default 0) (repeatable)
  --threshold N        distinct trusted signatures a bundle needs (init: default 1)
  -o TRUST.json        the file `init` writes

exit status: 0 written, 1 error (nothing written), 2 usage error
)";
constexpr std::string_view kSignHelp = R"(usage: polc sign BUNDLE --key KEY [--manifest-sha256 HEX]

Signs the bundle's manifest.json with KEY (an unencrypted Ed25519 private key in PEM, readable by
its owner only) and adds the signature to BUNDLE/signatures.json, replacing an earlier one by the
same key. The manifest lists every file's SHA-256, so the signature covers the whole bundle.
A signature says "I reviewed these bytes", so the bundle must be intact (every file as its
manifest says, nothing else; E0802-E0805), not expired (E0811), and reproduced: rebuilt from its
own sources with this polc, byte for byte (E0815), as `polc inspect` checks. Review it first with
`polc inspect`, and pass the manifest digest the review page shows.

  --key KEY               the private key (`polc keygen --out NAME` writes NAME.key)
  --manifest-sha256 HEX   sign only if manifest.json is still the one reviewed (E0803 otherwise)

exit status: 0 signed, 1 error, 2 usage error
)";
constexpr std::string_view kVerifyHelp =
    R"(usage: polc verify BUNDLE (--trust TRUST.json | --integrity-only) [--format human|json|sarif]

Checks a bundle as a launcher does before applying it, and reports every failure:
  - every file the manifest lists is present with its size and SHA-256, and nothing else is in
    the directory (no extra file, directory or symlink) besides signatures.json (E0802-E0805);
  - every signature is by a key TRUST.json lists (E0808) and verifies over the manifest (E0809);
  - at least the trust file's threshold of distinct keys signed; one key twice counts once (E0810);
  - the bundle has not expired (E0811);
  - the trust file names the policy (E0813) and its version is not below the minimum (E0812).
The trust file's format is in docs/bundle.md (E0807 when malformed).

  --trust FILE        the trust file: keys, threshold, and minimum version per policy
  --integrity-only    check the files against the manifest only; says nothing about who approved
                      the bundle
  --format FMT        human (default: diagnostics to stderr, the verdict to stdout), json, sarif

exit status: 0 accepted (or intact, with --integrity-only), 1 refused, 2 usage error
)";
constexpr std::string_view kInspectHelp =
    R"(usage: polc inspect BUNDLE [--trust TRUST.json] [--format text|json|md] [-o FILE]

The governance review report of a bundle, from which a reviewer can approve or reject it: the
policy's version, expiry and digest; what it grants (syscalls by the statement that allows them,
with their argument conditions; filesystem paths and rights; network endpoints; proxy domains);
what it explicitly denies; the OS layer (namespaces, limits, mounts, workspaces); the coverage
map; the verifier's verdicts; and, with --trust, the
signers present and missing. The bundle must be intact. Its policy is rebuilt from the sources it
carries, never from the disk, and every rebuilt file must be byte-identical to the bundle's
(E0815 otherwise, and for a bundle another polc built: inspect it with that polc), so the report
describes exactly what a launcher applies.

  --trust FILE   show the signers against this trust file (and whether it would accept)
  --format FMT   text (default), json, or md (Markdown, for a review ticket or a pull request)
  -o FILE        write the report to FILE atomically (default: stdout)

Diagnostics go to stderr, as text.
exit status: 0 reported, 1 the bundle is damaged or not reproduced, 2 usage error
)";
constexpr std::string_view kDiffHelp = R"(usage: polc diff [--format text|json|md] [-o FILE] [--stdlib DIR] OLD NEW

Compares what two policies decide, request by request, with the verifier's Z3 encodings: syscalls
per target (with the argument values whose decision changes), filesystem paths and rights, and
network endpoints; and the OS layer's settings one by one (limits, namespaces, mount rules,
workspaces). Each difference is a region of requests with both decisions, a witness request,
and the statements of NEW (and OLD) that decide it. Widened: NEW permits what OLD refused;
narrowed: the reverse; changed: refused both ways, differently (errno to kill).

  --format FMT   text (default), json, or md (Markdown, for a pull-request comment)
  -o FILE        write the report to FILE atomically (default: stdout)
  --stdlib DIR   read std.* modules from DIR instead of the copy built into polc

Diagnostics always go to stderr, as text.
exit status: 0 no differences, 3 some permission widened, 4 only narrowed or changed,
             1 errors in either policy, 2 usage error
)";
constexpr std::string_view kCheckHelp =
    R"(usage: polc check [--format human|json|sarif] [--werror|--strict] [--stdlib DIR]
                  [--backends LIST] [--solver-rlimit N]
                  [--seccomp-codegen polc|libseccomp] [--syscall-mix FILE] FILE...

Parses and analyzes each file with everything it imports. Policies must name their targets;
modules are checked against every supported architecture. A policy then goes through everything
`polc build` does without writing anything: every backend, the coverage check, the verifier's
checks (W0004, W0008-W0011), its assertions (E0504) and tests (E0505), and the translation
validation of every seccomp program.

  --format FMT       human (default, to stderr), json or sarif (SARIF 2.1.0, to stdout)
  --werror, --strict treat warnings as errors (exit 1)
  --stdlib DIR       read std.* modules from DIR instead of the copy built into polc
  --backends LIST    the backends to check with, comma-separated, as `polc build` selects them
                     (default: all); what only unselected backends enforce is E0605 (E0606 for
                     a deny beneath a grant without the os backend)
  --solver-rlimit N  Z3's step limit per query (default 50000000); E0607 when one runs out
  --seccomp-codegen G, --syscall-mix FILE
                     as for `polc build`

exit status: 0 no errors, 1 errors (or warnings with --werror), 2 usage error
)";
constexpr std::string_view kFmtHelp = R"(usage: polc fmt [--check | --write] FILE...

Formats .sbx files canonically: two-space indentation, one statement per line, lists packed to
100 columns, comments kept where they were. Formatting is idempotent.

  (no flag)   print the formatted file to stdout (one file)
  --check     print the files that are not formatted; exit 1 if there are any
  --write     rewrite files in place (atomically)
)";
constexpr std::string_view kIrHelp = R"(usage: polc ir [--stdlib DIR] [--format FMT] FILE

Prints the policy's intermediate representation as JSON: every import flattened, every syscall
resolved per target architecture, every condition in disjunctive normal form at the argument's
width, filesystem rights as Landlock bits, network rules with the implicit cloud-metadata denies,
and the OS layer (limits, namespaces, mounts, workspaces) when the policy has one.
The IR is what every backend compiles; reviewing it shows exactly what the policy means.
)";
constexpr std::string_view kExplainHelp = R"(usage: polc explain CODE | --list

Prints the long explanation of a diagnostic code (E0201, or its name, unknown-syscall).
--list prints every code with its one-line summary.
)";
constexpr std::string_view kHelpHelp = R"(usage: polc help [VERB]

Shows the overview, or the help of one verb. `polc help import` lists the standard modules.
)";
constexpr std::string_view kImportHelp =
    R"(usage: polc import oci PROFILE.json [--arch ARCH]... [--caps LIST] [--kernel X.Y]
                                   [--name NAME] [-o FILE] [--format FMT] [--werror]

Translates an OCI runtime-spec or Docker seccomp profile into a formatted .sbx policy, applying
it as runc and Docker would for the given targets, capabilities and kernel. Entries that do not
apply are listed in a comment at the end. The policy passes `polc check` and `polc fmt --check`.

  --arch ARCH    target, repeatable or comma-separated: x86_64 (default), x86, x32, aarch64, arm,
                 riscv64, s390x
  --caps LIST    comma-separated capabilities the container holds (CAP_SYS_ADMIN, ...); `default`
                 is Docker's default set, which is also assumed without --caps
  --kernel X.Y   kernel version for minKernel; without it every minKernel counts as reached
  --name NAME    policy name (default: the file name as an identifier)
  -o FILE        write the policy to FILE atomically (default: stdout)
  --format FMT   diagnostics as human (default), json or sarif, always on stderr
  --werror       treat warnings as errors (exit 1, nothing written)

exit status: 0 imported, 1 the profile has errors (nothing written), 2 usage error
)";

constexpr std::string_view kLearnHelp =
    R"(usage: polc learn [-o DRAFT] [--name NAME] [--within BOUNDARY] [--run 'CMD']... [--timeout S]
                  [--no-hardening] [--save-recording FILE] [--recording FILE]... [-- CMD ARGS...]
       polc learn --against POLICY [-o PATCH] [--let-refused-through] [--timeout S]
                  [--format human|json] [--run 'CMD']... [-- CMD ARGS...]
       polc learn --from EVENTS [-o PATCH] [--format human|json] POLICY

Runs a workload in a recording mode and drafts a policy from what it did: every syscall (with
the arguments policies filter on), every file access with the Landlock right it needed, every
program executed, every endpoint connected to or bound, every name looked up. Nothing of polc's
own setup is recorded. Several runs (CMD after `--`, and each --run, through /bin/sh -c) merge
into one draft. The workload runs with your permissions, unconfined: learn from a workload you
would run anyway, in a disposable environment.

The draft is formatted, commented (where each rule came from) and proved before it is written:
`polc check --strict` is clean on it, it allows every recorded call, path and endpoint (replayed
through the IR evaluator), and with --within it grants nothing BOUNDARY refuses (the diff
engine); what the runs needed beyond BOUNDARY, and sensitive paths (~/.ssh, .env, ...), are left
out and listed. See docs/learn.md for the rules the draft follows.

  -o FILE              write the draft (or the patch) to FILE, atomically (default: stdout,
                       after whatever the workload itself prints there)
  --name NAME          the draft policy's name (default: learned)
  --within BOUNDARY    a policy the draft must stay within
  --run 'CMD'          one more run, a shell command (repeatable)
  --timeout S          stop a run after S seconds (its whole process tree); the draft is partial
  --no-hardening       do not import std.hardening
  --save-recording F   also write what was recorded (JSON), for --recording later
  --recording F        draft from a saved recording instead of (or besides) running

  --against POLICY     run under POLICY's decisions (applied by the recorder: refused calls fail
                       with the policy's errno, paths and endpoints with EACCES) and print what
                       the runs needed that POLICY refuses, as a unified diff of POLICY (stdout).
                       An emulation for learning, not a sandbox: confine with sbx-exec
  --let-refused-through
                       with --against: record refusals but let them through, to see what a run
                       does after them. FOR LEARNING ONLY: nothing is refused
  --from EVENTS        the same patch from sbx-exec's telemetry events (--events FILE)
  --format FMT         human (default) or json (the patch as data)

exit status: 0 drafted (or nothing refused), 1 errors (nothing written), 2 usage error,
3 the policy refuses something the runs needed (the patch says what)
)";

// In the order `polc help` lists them.
constexpr Verb kVerbs[] = {
    {"check", cmd_check, "check FILE...", "check policies and modules for errors (exit 0 clean, 1 errors, 2 usage)",
     kCheckHelp},
    {"build", cmd_build, "build FILE -o DIR",
     "compile a policy into its bundle DIR/<name>/ (seccomp, Landlock, nftables, proxy, OS layer)", kBuildHelp},
    {"run", cmd_run, "run FILE -- CMD", "build a policy into a temporary bundle and run CMD under sbx-exec (unsigned)",
     kRunHelp},
    {"eval", cmd_eval, "eval FILE QUERY", "show what a policy decides for one syscall, path or connection, and why",
     kEvalHelp},
    {"test", cmd_test, "test FILE", "run a policy's `test` blocks (text, JSON or JUnit XML results)", kTestHelp},
    {"diff", cmd_diff, "diff OLD NEW", "what NEW permits that OLD refused and the reverse (exit 3 when widened)",
     kDiffHelp},
    {"learn", cmd_learn, "learn -- CMD", "draft a verified policy from real runs, or patch one (--against, --from)",
     kLearnHelp},
    {"fmt", cmd_fmt, "fmt FILE...", "print, check (--check) or rewrite (--write) files in canonical layout", kFmtHelp},
    {"ir", cmd_ir, "ir FILE", "print the normalized, per-architecture policy as JSON", kIrHelp},
    {"import", cmd_import, "import oci FILE", "translate an OCI/Docker seccomp profile (JSON) into a .sbx policy",
     kImportHelp},
    {"keygen", cmd_keygen, "keygen --out NAME",
     "make an Ed25519 signing key (NAME.key, NAME.pub) and print its trust entry", kKeygenHelp},
    {"trust", cmd_trust, "trust init|add ...", "write a trust file (keys, threshold, policy floors) or extend one",
     kTrustHelp},
    {"sign", cmd_sign, "sign DIR --key K", "add K's signature over a bundle's manifest to DIR/signatures.json",
     kSignHelp},
    {"verify", cmd_verify, "verify DIR", "check a bundle's files, signatures, expiry and version against a trust file",
     kVerifyHelp},
    {"inspect", cmd_inspect, "inspect DIR", "the review report of a bundle: grants, denies, coverage, proofs, signers",
     kInspectHelp},
    {"explain", cmd_explain, "explain CODE", "explain a diagnostic code (E0201) or list them all (--list)",
     kExplainHelp},
    {"help", cmd_help, "help [VERB]", "show help for polc or one verb", kHelpHelp},
};

}  // namespace

std::span<const Verb> all_verbs() { return kVerbs; }

const Verb* find_verb(std::string_view name) {
  const auto* it = std::find_if(std::begin(kVerbs), std::end(kVerbs), [&](const Verb& v) { return v.name == name; });
  return it == std::end(kVerbs) ? nullptr : it;
}

}  // namespace polc::driver
