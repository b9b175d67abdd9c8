// Stage: diagnostics. The code registry's rows and the long explanations shown by `polc explain`.
#include "compiler/diag/codes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace polc::diag {

namespace {
using enum Code;
constexpr Severity E = Severity::Error;
constexpr Severity W = Severity::Warning;

constexpr std::array kCodes = std::to_array<CodeInfo>({
    {SyntaxError, "E0001", "syntax-error", E, "the source does not match the .sbx grammar",
     "The parser met a token it did not expect. polc reports the first syntax error in each file\n"
     "(later ones are usually consequences of the first). The caret marks the unexpected token and\n"
     "the note lists what the grammar allows there. Common causes: a missing comma between list\n"
     "items, a missing closing brace, or a keyword used where a value belongs."},
    {LexicalError, "E0002", "lexical-error", E, "a character or string that cannot start any token",
     "The source contains a character the language does not use (for example `;` or `$`), or a\n"
     "string literal that is not closed before the end of its line. Strings are written in double\n"
     "quotes on one line; comments start with `#`."},
    {UnreadableFile, "E0003", "unreadable-file", E, "a source file could not be read",
     "polc could not open or read a file named on the command line or by an import. The message\n"
     "carries the operating system's reason. Check the path and permissions."},
    {InvalidUtf8, "E0004", "invalid-utf8", E, "the source is not valid UTF-8",
     ".sbx files are UTF-8 text. The caret marks the first byte that is not part of a valid UTF-8\n"
     "sequence. NUL bytes are also rejected. Re-save the file as UTF-8."},
    {IntegerTooLarge, "E0005", "integer-too-large", E, "an integer literal does not fit in 64 bits",
     "Integer literals (decimal, 0x hex, 0o octal, 0b binary, with optional `_` separators) must fit\n"
     "in an unsigned 64-bit value, because syscall arguments are at most 64 bits wide."},
    {NestingTooDeep, "E0006", "nesting-too-deep", E, "brackets or expressions are nested too deeply",
     "polc limits nesting of parentheses and braces to 256 levels so that no input can exhaust the\n"
     "compiler's stack. Real policies never come close; flatten the expression."},
    {PolicyTooLarge, "E0007", "policy-too-large", E, "the policy is larger than polc's documented size",
     "polc checks and compiles a policy in time and memory close to linear in its size, up to a\n"
     "documented size: 200,000 syscall rules (one per syscall and target architecture, groups\n"
     "expanded), 200,000 filesystem paths, and 200,000 network hosts and port ranges (host sets\n"
     "expanded), in source files of at most 16 MiB each. A policy beyond one of these is refused as\n"
     "soon as the count is passed, before any of its rules is verified or compiled. No sandbox\n"
     "needs rules on this scale: grant a parent directory, an address block or a port range, or\n"
     "merge syscall conditions into `arg in {...}` sets."},

    {DuplicateDefinition, "E0101", "duplicate-definition", E, "a name is defined twice",
     "Groups (`group @x`), host sets (`hosts @x`) and constants (`const X`) share one namespace per\n"
     "policy, including everything brought in by imports. Two definitions of one name would make\n"
     "rules ambiguous. Rename one of them; the note shows the other definition."},
    {UnknownGroup, "E0102", "unknown-group", E, "an `@name` that no group or host set defines",
     "`@name` refers to a `group` (syscalls) or `hosts` (network) definition in this file or in a\n"
     "module it imports. Define it, fix its spelling, or import the module that defines it\n"
     "(the standard groups such as @file_io live in std.groups)."},
    {UnknownConstant, "E0103", "unknown-constant", E, "a name used as a value is not a known constant",
     "Values in conditions may be integers, `const` definitions, or polc's named constants (AF_*,\n"
     "SOCK_*, O_*, CLONE_*, PROT_*, MAP_*, ioctl requests, personality values, ...). An unknown\n"
     "constant is an error rather than zero, so a typo can never weaken a rule."},
    {ImportCycle, "E0104", "import-cycle", E, "modules import each other in a cycle",
     "Imports must form a tree (or a DAG): a module that, through its imports, imports itself has no\n"
     "well-defined meaning. The notes list the cycle. Move the shared part into a third module."},
    {ModuleNotFound, "E0105", "module-not-found", E, "an imported module does not exist",
     "`import std.x.y` loads stdlib/x/y.sbx from polc's standard library, and no such module\n"
     "exists (a missing file import, `import \"./file.sbx\"`, is E0003). `polc help import` lists\n"
     "the standard modules."},
    {WithoutNotInImport, "E0106", "without-not-in-import", E, "`without` names something the import lacks",
     "`import M without X` removes X (a syscall, an @group, a path or a host) from the rules that M\n"
     "brings in. If M never mentions X the exception is meaningless and probably a typo or a stale\n"
     "line left after M changed, so it is an error. Remove X from the `without` list."},
    {ModuleNameMismatch, "E0107", "module-name-mismatch", E, "an imported file is not the module it should be",
     "A file loaded by `import` must start with `module NAME { ... }`, and a standard-library module's\n"
     "NAME must match its import path. Policies (`policy NAME version N`) cannot be imported."},
    {NotAllowedInModule, "E0108", "not-allowed-in-module", E, "a statement only a policy may contain",
     "`targets` and the syscall `default` decide the shape of the whole filter, so only the policy\n"
     "that imports modules may set them. Move the statement into the policy."},
    {DuplicateStatement, "E0109", "duplicate-statement", E, "a statement that may appear once appears twice",
     "A policy has one `targets` list, one syscall `default`, and one `landlock abi` requirement. Two\n"
     "of them would leave the intended value ambiguous. Keep one; the note shows the first."},
    {MissingTargets, "E0110", "missing-targets", E, "the policy does not name its target architectures",
     "Seccomp filters are per architecture and syscall numbers differ between them, so a policy must\n"
     "say which architectures it is for: `targets x86_64, aarch64`. Calls from architectures it does\n"
     "not name are to be killed by the seccomp filters polc generates."},
    {UnknownArch, "E0111", "unknown-arch", E, "an architecture name polc does not support",
     "Supported targets: x86_64, x86, x32, aarch64, arm, riscv64, s390x."},
    {GroupCycle, "E0112", "group-cycle", E, "groups include each other in a cycle",
     "A group may include other groups, but not itself through any chain of inclusions."},
    {WrongKindOfName, "E0113", "wrong-kind-of-name", E, "a group used where a host set is needed, or the reverse",
     "`group @x` holds syscalls and may be used in syscall rules; `hosts @x` holds addresses and\n"
     "domains and may be used in network rules. The note shows the definition."},
    {BadImportPath, "E0114", "bad-import-path", E, "a relative import path is absolute or not normal",
     "File imports are relative to the importing file, written with `/`, without `.` segments (a\n"
     "leading `./` is fine) or repeated slashes, and end in `.sbx`. `..` may climb to a shared\n"
     "directory. This keeps a policy's meaning independent of the directory polc is run from."},
    {WithoutOnSeveralImports, "E0115", "without-on-several-imports", E, "`without` on an import of several modules",
     "`import A, B without X` would leave unclear which module X is removed from. An import with a\n"
     "`without` list names exactly one module: write `import A` and `import B without X` on\n"
     "separate lines."},

    {ConstCycle, "E0116", "const-cycle", E, "a constant defined in terms of itself",
     "`const A = B | 1` with `const B = A` has no value. Constants may use other constants, but not\n"
     "themselves through any chain of definitions. The notes list the chain."},
    {PolicyNameUnusable, "E0117", "policy-name-unusable", E, "a policy name too long to name its bundle",
     "A policy's name names what is built from it: the bundle directory `OUT/NAME` and the\n"
     "temporary directory `.NAME.tmp-XXXXXX` it is written in, the nftables table `polc_NAME` and\n"
     "the proxy's log file. Every one of those names has a length limit (255 bytes for a file name,\n"
     "256 for an nftables table), so `polc check` refuses a name longer than 128 characters, which\n"
     "leaves room for all of them: a policy that checks also builds. Choose a shorter name."},

    {UnknownSyscall, "E0201", "unknown-syscall", E, "a name that is not a syscall on any architecture",
     "Syscall names are resolved with libseccomp's tables. A name that no supported architecture\n"
     "knows is an error, never a silently dropped rule. The help line suggests the closest name."},
    {SyscallNotOnArch, "E0202", "syscall-not-on-arch", E, "a syscall that a target architecture does not have",
     "Some syscalls exist only on some architectures (aarch64 has no `open`, only `openat`). Naming one\n"
     "for a target that lacks it is an error so that the policy's meaning is explicit on every target.\n"
     "Write `name?` to mean \"where this architecture has it\", or use the portable syscall."},
    {UnknownArgument, "E0203", "unknown-argument", E, "a condition names an argument the syscall does not have",
     "Arguments are named as in the kernel's prototype (`socket(domain, type, protocol)`), or by\n"
     "position as arg0..arg5. The note lists the argument names polc knows for this syscall."},
    {ArgumentIndexOutOfRange, "E0204", "argument-index-out-of-range", E, "argN with N outside 0..5",
     "Seccomp sees six syscall arguments, arg0 to arg5. Syscalls with a known prototype also reject\n"
     "indexes past their last argument."},
    {ValueOutOfRange, "E0205", "value-out-of-range", E, "a value does not fit the argument's width",
     "The kernel reads `int` and `unsigned int` arguments as 32 bits and ignores the upper half of the\n"
     "register. polc compares such arguments in 32 bits (so setting the upper half cannot bypass a\n"
     "rule), and a value that does not fit in 32 bits could never match. Negative values (down to\n"
     "-2^31 for 32-bit arguments) are written as their two's complement at the argument's width."},
    {MalformedCondition, "E0206", "malformed-condition", E, "a condition that does not compare an argument",
     "Each comparison must have a syscall argument on one side (optionally masked: `flags & X == 0`)\n"
     "and a constant value on the other; sets are written `arg in {A, B}`. Comparing two constants or\n"
     "two arguments is not something a seccomp filter can do."},
    {BadErrno, "E0207", "bad-errno", E, "an errno name that does not exist or a value outside 1..4094",
     "errno actions take a name such as EPERM or ENOSYS, or a number from 1 to 4094: the kernel's\n"
     "range for error returns ends at 4095, which libseccomp, and so every runtime that compiles OCI\n"
     "profiles with it, refuses."},
    {ConditionOnGroup, "E0208", "condition-on-group", E, "argument conditions on a group",
     "Argument names and positions differ between syscalls, so a condition cannot apply to a whole\n"
     "group. Write the syscalls that need conditions as separate rules."},
    {BadAction, "E0209", "bad-action", E, "an action written in a form that has no meaning",
     "A trailing `errno(N)` belongs only to `deny`; `trace(N)` takes a value from 0 to 65535."},
    {ConditionTooComplex, "E0210", "condition-too-complex", E, "a condition expands to too many alternatives",
     "Seccomp filters test one comparison per argument per rule, so polc normalizes conditions into a\n"
     "disjunction of conjunctions. This condition would need more than 1024 of them. Split the rule,\n"
     "or use sets (`arg in {...}`), which expand linearly."},
    {ConditionExpected, "E0211", "condition-expected", E, "a plain value where a condition is needed, or the reverse",
     "Rules and assertions take conditions (`socket(domain == AF_INET)`); tests take the concrete\n"
     "arguments of one call (`socket(AF_INET, SOCK_STREAM, 0)`). Mixing the two forms is an error."},

    {RelativePath, "E0301", "relative-path", E, "a filesystem path that is not absolute",
     "Landlock rules are attached to files the launcher opens; a relative path would depend on the\n"
     "launcher's working directory. Write the absolute path."},
    {NonNormalPath, "E0302", "non-normal-path", E, "a path with `.`, `..`, `//`, a trailing `/` or control characters",
     "Paths must be in normal form so that reviewers, the verifier and the launcher all mean the same\n"
     "file. The fix-it shows the normal form where one exists."},
    {UnknownRight, "E0303", "unknown-right", E, "a filesystem right polc does not know",
     "Rights: read, write, execute (composites), and the Landlock rights read_file, read_dir,\n"
     "write_file, truncate, remove_file, remove_dir, make_reg, make_dir, make_sym, make_sock,\n"
     "make_fifo, make_char, make_block, refer, ioctl_dev."},
    {RightNeedsNewerAbi, "E0304", "right-needs-newer-abi", E, "a right the declared Landlock ABI cannot enforce",
     "refer needs Landlock ABI 2, truncate ABI 3, ioctl_dev ABI 5. A policy that grants or relies on a\n"
     "right its minimum ABI cannot enforce would run less confined than written. Raise `landlock abi`."},
    {BadLandlockAbi, "E0305", "bad-landlock-abi", E, "a Landlock ABI version outside 1..7",
     "Landlock ABI versions run from 1 (Linux 5.13) to 7 (Linux 6.15). Name the lowest ABI your\n"
     "launch hosts provide."},
    {MissingLandlockAbi, "E0306", "missing-landlock-abi", E, "filesystem rules without a Landlock ABI minimum",
     "Which filesystem rights can be restricted depends on the kernel's Landlock ABI, so a\n"
     "filesystem section must state the lowest ABI it needs: `landlock abi >= 3`."},
    {UnknownLandlockName, "E0307", "unknown-landlock-name", E, "a Landlock scope or layer name polc does not know",
     "`landlock scope` takes `signal` and `abstract_unix_socket` (Landlock ABI 6): the sandbox may\n"
     "not signal processes outside it, or connect to abstract unix sockets they created.\n"
     "`landlock best_effort` takes the layers newer than the policy's minimum ABI that launchers may\n"
     "drop on older kernels: `network` (TCP ports, ABI 4) and `scope` (ABI 6)."},

    {MalformedAddress, "E0401", "malformed-address", E, "an IP address or CIDR that is not valid",
     "Addresses are IPv4 (10.0.0.1, 10.0.0.0/8) or IPv6 (fd00::1, 2001:db8::/32). A CIDR must not\n"
     "have bits set below its prefix; the fix-it shows the network address."},
    {MalformedDomain, "E0402", "malformed-domain", E, "a domain name that is not valid",
     "Domains are lowercase LDH labels of 1..63 characters separated by dots, at most 253 characters,\n"
     "optionally starting with `*.` to cover every subdomain (not the domain itself)."},
    {BadPort, "E0403", "bad-port", E, "a port outside 1..65535 or an empty range",
     "Ports are 1..65535; ranges are written low-high with low <= high."},
    {IncompleteNetRule, "E0404", "incomplete-net-rule", E, "a network rule that lacks its direction, protocol or ports",
     "Allow rules say what they allow: `connect tcp 443 to \"example.org\"` or `bind tcp 8080`.\n"
     "Only deny rules may leave parts out (`deny to @cloud_metadata` denies every port and protocol)."},
    {BadNetTarget, "E0405", "bad-net-target", E, "a host that a rule of this kind cannot use",
     "`bind` rules (allow or deny) take ports only. Domains can only be enforced by a proxy, which\n"
     "sees TCP connections, so a rule that names a domain must say `connect tcp` (or `tcp` in a deny\n"
     "rule): a udp or protocol-less rule with a domain could not be enforced as written."},
    {DomainNeedsProxy, "E0406", "domain-needs-proxy", E, "domain rules without a `proxy` to enforce them",
     "Firewalls see addresses, not names, so rules that name domains are enforced by an egress\n"
     "proxy: nftables lets the sandbox reach only the proxy, and the proxy (squid.conf, or any proxy\n"
     "configured from egress.json) allows only the policy's domains and ports. Say where that proxy\n"
     "listens with `proxy 127.0.0.1 port 3128` in the network section; launchers point the\n"
     "HTTP(S)_PROXY variables at it. A second `proxy` statement is E0109."},
    {LandlockBlindSocket, "E0407", "landlock-blind-socket", E,
     "socket rules that let through sockets Landlock's TCP rules cannot see",
     "Landlock's network rules (ABI 4 and later) check bind(2) and connect(2) on TCP sockets only:\n"
     "AF_INET/AF_INET6, SOCK_STREAM, protocol 0 or IPPROTO_TCP. An MPTCP socket\n"
     "(socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)), an SCTP or SMC socket, a raw or packet socket\n"
     "binds, listens and connects on any port whatever the network section says. When landlock.json\n"
     "enforces the network rules, the socket rules must refuse all of them (proved over every\n"
     "argument value): restrict the protocol of stream sockets, or add the rule of the fix-it,\n"
     "`deny socket(domain in {AF_INET, AF_INET6} && type & 0xf != SOCK_DGRAM && !(type & 0xf ==\n"
     "SOCK_STREAM && protocol in {0, IPPROTO_TCP})) errno(EPROTONOSUPPORT)`. io_uring makes\n"
     "sockets without socket(2) (IORING_OP_SOCKET), so io_uring_setup and io_uring_enter must not\n"
     "run either; on x86 and s390x, neither may socketcall."},

    {MalformedQuery, "E0501", "malformed-query", E, "an assertion or test query that cannot be evaluated",
     "Queries name one syscall (with a condition in assertions, concrete arguments in tests), one\n"
     "right on one absolute path, or one connection (`connect tcp 443 to 10.0.0.1`)."},
    {DuplicateTest, "E0502", "duplicate-test", E, "two tests with the same name",
     "Test names identify results in reports (JUnit, CI logs), so they must be unique in a policy."},
    {BadExpectation, "E0503", "bad-expectation", E, "an expected action that cannot apply to the query",
     "Filesystem and network queries are either allowed or denied; syscall queries may expect any\n"
     "action (allow, deny meaning any refusal, errno(N), kill, trap, log, ...)."},
    {AssertionFailed, "E0504", "assertion-failed", E, "an `assert` the policy does not satisfy",
     "polc proves every `assert never` and `assert always` over all inputs with the Z3 solver: every\n"
     "architecture, syscall argument value, path beneath the query's path, port and address. A failed\n"
     "assertion comes with a counterexample (the call, path or connection that breaks it) and the rule\n"
     "that decides it. `never` holds when every matching request is refused (kill, trap or errno; a\n"
     "tracer or notifier could allow it, so trace and user_notif do not count as refusals); `always`\n"
     "holds when every matching request is allowed (allow or log). Fix the rule or the assertion."},
    {TestFailed, "E0505", "test-failed", E, "a `test` expectation the policy does not meet",
     "Tests state concrete requests and the outcome they must get; polc evaluates each one with the\n"
     "policy's reference semantics (the same as `polc eval`). The message shows what the policy\n"
     "decides instead and which rule decides it. `polc test FILE` runs only the tests, and writes\n"
     "JUnit XML for CI with `--format junit`."},

    {ConditionNotExpressible, "E0601", "condition-not-expressible", E,
     "a condition the target's seccomp filter cannot compare exactly",
     "libseccomp compares only the low 32 bits of each argument on x86, arm and x32. A condition on\n"
     "a 64-bit argument of an x32 syscall (a `long` or pointer) would be truncated there, which could\n"
     "let calls through that the policy denies, so the build refuses it. Compare only the low 32\n"
     "bits (`arg & 0xffffffff == ...`), or drop x32 from the targets."},
    {FilterTooLarge, "E0602", "filter-too-large", E, "conditions that need more filter rules or instructions than allowed",
     "libseccomp tests one comparison per argument in each rule, so conditions are spelled as\n"
     "several rules: a range becomes a few masked comparisons, `!=` on a 32-bit argument up to 32,\n"
     "and rules with different actions on one syscall are split so that the most restrictive one\n"
     "wins. The kernel loads at most 4096 instructions per program: the build refuses a program\n"
     "that exceeds them, and stops earlier when one syscall alone needs more than 4096 rules (each\n"
     "needs an instruction of its own). Use sets (`in {...}`) or masks instead of ranges, or\n"
     "simplify overlapping rules."},
    {OutputNotWritten, "E0603", "output-not-written", E, "the build output could not be written",
     "`polc build` writes every artifact into a temporary directory beside the destination and\n"
     "renames it into place, so a failure leaves the previous output untouched. Check that the\n"
     "output directory exists or can be created and is writable."},
    {FilterMismatch, "E0604", "filter-mismatch", E, "an emitted filter that decides a call differently from the policy",
     "After generating each seccomp program, polc runs it in its own BPF interpreter against the\n"
     "policy's meaning on every syscall number and on argument values at the edges of every\n"
     "condition. A disagreement is a bug in polc or libseccomp; the build fails rather than ship a\n"
     "filter that does not do what the policy says. Please report it with the witness shown."},
    {NotEnforced, "E0605", "not-enforced", E, "a statement that no selected backend enforces",
     "Every statement of a policy must be enforced by at least one artifact of the build; the\n"
     "coverage map (`polc build --explain-coverage`, and the bundle's manifest) says which. A\n"
     "statement that no selected backend enforces would be a promise nothing keeps: select the\n"
     "backend that enforces it (`--backends`), or remove the statement. Some statements no backend\n"
     "can enforce at all: `bind udp` (Landlock restricts only TCP ports and nftables sees no binds)."},
    {DenyInsideAllow, "E0606", "deny-inside-allow", E, "a filesystem deny that overlaps what another rule grants",
     "Landlock is allow-only: a rule grants rights on a path and everything beneath it, and nothing\n"
     "can take a right back beneath a path that has it. A `deny` inside an allowed tree (or an allow\n"
     "inside a denied one) would therefore not be enforced. Grant the rights on the sibling paths\n"
     "you mean instead of the parent (for example `read, write \"/workspace/src\"` beside\n"
     "`read \"/workspace/.git\"`), or narrow the deny to rights the parent does not grant."},
    {SolverInconclusive, "E0607", "solver-inconclusive", E, "a proof the solver could not finish within its limit",
     "Assertions and the translation validation of every emitted seccomp program are proofs: a build\n"
     "only succeeds when Z3 answers them. Each query runs under a deterministic resource limit (not a\n"
     "wall-clock timeout, so the outcome does not depend on the machine); when Z3 gives up, polc fails\n"
     "closed rather than claim what it could not prove. Simplify the condition or split the rule, and\n"
     "report the policy if it is small."},

    {DuplicateEntry, "W0001", "duplicate-entry", W, "the same item appears twice in one list",
     "Listing an item twice has no effect; it is usually a merge leftover. Remove the repetition."},
    {UnusedDefinition, "W0002", "unused-definition", W, "a group, host set or constant that nothing uses",
     "A definition in a policy file that no rule uses is dead text that reviewers must still read."},
    {RedundantOptional, "W0003", "redundant-optional", W, "`name?` on a syscall every target has",
     "`?` marks a syscall that some targets lack. When every target has it, the `?` only hides a\n"
     "future mistake (a new target without the syscall would silently skip the rule)."},
    {RuleMatchesNothing, "W0004", "rule-matches-nothing", W, "a rule whose condition can never be true",
     "After normalization the condition has no satisfiable alternative (`fd < 0 && fd > 10`, or\n"
     "`x == 1 && x == 2`), so the rule never decides anything. It is probably a typo or a leftover."},
    {MetadataAllowed, "W0005", "metadata-allowed", W, "a rule that opens a cloud metadata endpoint",
     "polc denies the cloud instance-metadata endpoints (169.254.169.254, fd00:ec2::254,\n"
     "100.100.100.200, 168.63.129.16 and their IPv4-mapped forms) unless the policy itself names one\n"
     "exactly in a connect rule; then only that rule's protocol and ports open, and this warning\n"
     "makes the decision visible to reviewers. Rules in imported modules never open them."},
    {MultiplexerBypass, "W0006", "multiplexer-bypass", W, "a rule the socketcall or ipc multiplexer can bypass",
     "On x86 and s390x the socket calls can also be made through socketcall(2), and the SysV IPC\n"
     "calls through ipc(2). Both pass their arguments in memory, where seccomp cannot inspect them, so\n"
     "a rule that denies or conditions `socket` there is bypassed when the multiplexer is allowed\n"
     "(by a rule, or by an allowing default). Deny or kill the multiplexer; libcs built for Linux\n"
     "4.3+ (sockets) and 5.1+ (IPC) use the direct calls."},
    {OciProfileSkipped, "W0007", "oci-profile-skipped", W, "no OCI profile can express the policy on every target",
     "An OCI seccomp profile (seccomp.oci.json) is a list of rules by syscall name that the runtime\n"
     "applies to every architecture it lists. polc compiles the profile it would write the way runc\n"
     "does and checks it against the policy on each target; when the rules of one syscall must differ\n"
     "between targets (clone's flags are argument 1 on s390x, constants or widths differ, or\n"
     "libseccomp rewrites x86's socket calls into socketcall), no single profile is exact, and polc\n"
     "writes the BPF programs without it. Build those targets from separate policies to get profiles."},
    {OverlappingRules, "W0008", "overlapping-rules", W, "two rules with different actions match some of the same calls",
     "Syscall rules are unordered: where several match, the most restrictive action wins (kill_process\n"
     "> kill_thread > trap > errno > user_notif > trace > log > allow). Carving an exception out of a\n"
     "broader rule (`allow clone` with `kill clone(flags & CLONE_NEWUSER != 0)`) is the normal way to\n"
     "write a policy and is not reported. This warning is for a partial overlap, where neither rule\n"
     "contains the other: some calls match both, and the witness shows one and the action it gets.\n"
     "Narrow one of the rules so that the overlap is deliberate, or make one contain the other."},
    {DeadRule, "W0009", "dead-rule", W, "a rule that never decides anything",
     "Every request the rule matches is decided the same way, or more restrictively, by other rules: a\n"
     "syscall rule covered by more restrictive ones, or a filesystem grant whose rights an enclosing\n"
     "path already grants. Removing it changes nothing, so it misleads reviewers; it is usually a\n"
     "leftover of an edit. The note names the rules that decide instead."},
    {ConflictingErrno, "W0010", "conflicting-errno", W, "overlapping rules that return different errno values",
     "Where two errno rules match the same call, the kernel-style precedence cannot choose between\n"
     "them, so polc returns the lower errno value (deterministic and documented). The witness shows a\n"
     "call both match. Make the conditions disjoint, or use one errno."},
    {AllowShadowedByDeny, "W0011", "allow-shadowed-by-deny", W, "a network allow rule that deny rules take away entirely",
     "Network deny rules always win. When every endpoint an allow rule names is also denied (by a\n"
     "written deny or by the implicit cloud-metadata deny), the allow has no effect. Narrow the deny,\n"
     "or remove the allow."},
    {NarrowedValue, "W0013", "narrowed-value", W, "a value the kernel reads differently for some values of another argument",
     "Some arguments are read at a narrower type depending on another argument: fcntl reads `(int)arg`\n"
     "for F_SETFL but the whole register for F_GETLK (docs/argument-widths.md lists them). polc compares\n"
     "such an argument as the kernel reads it, so where it is narrowed the written value is taken as\n"
     "the kernel reads it from a register holding it: 0x100000000 is 0 to `(int)arg`. The rule still\n"
     "matches that register, and also every other register the kernel reads the same way. An\n"
     "ordering (<, <=, >, >=) with such a value is decided by the narrow type's range: `arg < 3` holds\n"
     "for every F_SETFD call, whose arg the kernel reads as 0 or 1. Write the value the kernel sees,\n"
     "one that fits the narrow type."},

    {OciMalformedJson, "E0701", "oci-malformed-json", E, "the seccomp profile is not valid JSON",
     "`polc import oci` reads an OCI runtime-spec or Docker seccomp profile, which is a JSON document\n"
     "(UTF-8, at most 16 MiB). The caret marks where the JSON parser gave up and the message says what\n"
     "it expected. Nothing is imported from a profile that does not parse. Like every JSON document\n"
     "polc reads, the profile is read strictly: a key written twice in one object is refused (the\n"
     "note shows the first), since which one takes effect would depend on the reader, and so is a\n"
     "number no double can hold, like `1e400`."},
    {OciWrongType, "E0702", "oci-wrong-type", E, "a profile field has the wrong JSON type, or a required one is missing",
     "Each field of a seccomp profile has one JSON type: `defaultAction` and `action` are strings,\n"
     "`names` is an array of strings, `args` an array of objects with unsigned integer `index`,\n"
     "`value` and `valueTwo` and a string `op`, `errnoRet` an unsigned integer, `includes` and\n"
     "`excludes` objects with `caps`, `arches` (arrays of strings) and `minKernel` (a string).\n"
     "`defaultAction` and each entry's `action` are required. The message names the field by its\n"
     "JSON path (`syscalls[3].args[0].value`). runc and Docker reject such profiles too; so does polc\n"
     "rather than guess."},
    {OciBadValue, "E0703", "oci-bad-value", E, "a profile field has a value polc does not know or cannot express",
     "An action (SCMP_ACT_*), comparison operator (SCMP_CMP_*), architecture (SCMP_ARCH_* or a\n"
     "Docker name such as amd64), capability (CAP_*), kernel version (\"MAJOR.MINOR\"), argument index\n"
     "(0 to 5), errno value (1 to 4094; trace data 0 to 65535) or syscall name that is misspelt or\n"
     "out of range. A typo must not silently change which entries apply, so polc stops; the note\n"
     "lists the accepted values."},
    {OciUnknownField, "E0704", "oci-unknown-field", E, "a profile field polc does not know",
     "The field is neither one polc translates nor one it knows to be harmless to ignore. A misspelt\n"
     "`syscalls` or `includes` would otherwise drop rules without a word, so polc stops. Fix the\n"
     "spelling (the help suggests the closest known field) or remove the field."},
    {OciArchDependentEntry, "E0705", "oci-arch-dependent-entry", E, "an entry would need different rules on different targets",
     "The entry applies on some of the import's targets only (because of `includes.arches` or\n"
     "`excludes.arches`), but a syscall it names also exists on a target where it does not apply.\n"
     "A polc rule names its syscalls for every target that has them, so one policy cannot say this.\n"
     "Import one architecture at a time (`--arch x86_64`, then `--arch s390x`), one policy each."},
    {OciUnsupportedComparison, "E0706", "oci-unsupported-comparison", E, "an argument comparison polc cannot express",
     "polc compares each argument at the width the kernel reads (32 bits for `int` arguments, see\n"
     "`polc explain W0702`). A profile value or mask with bits above that width, other than the\n"
     "sign extension of a negative value, or an argument index past the syscall's prototype, has no\n"
     "faithful translation. Rewrite the comparison in the profile, or write the polc rule by hand."},
    {OciTargetNotInProfile, "E0707", "oci-target-not-in-profile", E, "a target architecture the profile does not cover",
     "The profile's `architectures` (or `archMap`) lists the architectures its filter accepts; runc\n"
     "kills every syscall made under any other. Importing it for a target it does not list would\n"
     "invent rules the profile never had there. Drop that `--arch`, or add the architecture to the\n"
     "profile."},
    {OciFieldIgnored, "W0701", "oci-field-ignored", W, "a profile field that does not change the filter was ignored",
     "The field is known and does not decide which syscalls are allowed, so the import leaves it out:\n"
     "`flags` (seccomp filter flags such as SECCOMP_FILTER_FLAG_LOG), `listenerPath` and\n"
     "`listenerMetadata` (where a runtime sends user notifications; polc's user_notif rules are\n"
     "served by its own supervisor), or an `errnoRet` on an action that takes none. The warning\n"
     "makes sure the omission is seen."},
    {OciComparisonWidth, "W0702", "oci-comparison-width", W, "an imported comparison means something else at the width the kernel reads",
     "runc and Docker compare every argument as a 64-bit register, unsigned. The kernel reads `int`\n"
     "and `unsigned int` arguments as 32 bits and ignores the upper half, so a 64-bit comparison can\n"
     "be bypassed: Docker's `socket` rule `arg0 > 40` lets 0x1_0000_0028 through, which the kernel\n"
     "reads as 40 (AF_VSOCK). polc compares the width the kernel reads, and signed arguments as signed\n"
     "numbers, which closes such bypasses but can also change what honest calls do: Docker's\n"
     "`personality` rule `arg0 == 0xffffffff` rejects a sign-extended -1 (0xffff_ffff_ffff_ffff),\n"
     "which polc accepts because the kernel reads it as 0xffffffff. The notes show a value on each\n"
     "side of the difference. This is informational: review the rule if the difference matters."},

    {BundleUnreadable, "E0801", "bundle-unreadable", E, "a bundle, key or trust file cannot be read",
     "The directory or file could not be opened or read (it does not exist, or permissions forbid\n"
     "it). A bundle is the directory `polc build -o DIR` writes: DIR/<policy name>."},
    {BundleMalformedManifest, "E0802", "bundle-malformed-manifest", E, "manifest.json is missing, malformed or not canonical",
     "Every check of a bundle starts from manifest.json: the polc.bundle/1 document `polc build` writes,\n"
     "in canonical JSON (sorted keys, no whitespace), listing every artifact and source with its size\n"
     "and SHA-256. A manifest that does not parse, lacks a field, lists a path outside the bundle or\n"
     "is not in canonical form is refused: signatures cover its exact bytes, so it has exactly one\n"
     "accepted spelling. Rebuild the bundle rather than editing the manifest."},
    {BundleFileModified, "E0803", "bundle-file-modified", E, "a bundle file differs from its size or SHA-256 in manifest.json",
     "The file was changed after `polc build` wrote the bundle (or the manifest was). Nothing in such\n"
     "a bundle is used: a launcher cannot tell which of the two was tampered with. Rebuild it."},
    {BundleFileMissing, "E0804", "bundle-file-missing", E, "a file manifest.json lists is missing from the bundle",
     "Every listed artifact and source must be present: a launcher applies all of them, and a\n"
     "reviewer reads all of them. Copy the whole directory, or rebuild the bundle."},
    {BundleFileUnlisted, "E0805", "bundle-file-unlisted", E, "the bundle holds a file, directory or symlink its manifest does not list",
     "A bundle holds exactly the files its manifest lists, plus signatures.json. Anything else is\n"
     "covered by no digest and no signature, so it is refused rather than ignored: a launcher or a\n"
     "script that picked it up would use unreviewed bytes. Symlinks are refused everywhere in a\n"
     "bundle. Remove the file."},
    {BundleMalformedSignatures, "E0806", "bundle-malformed-signatures", E, "signatures.json is malformed or made for another manifest",
     "signatures.json is the polc.signatures/1 document `polc sign` maintains: the SHA-256 of the\n"
     "manifest it belongs to and one Ed25519 signature per key. A file that does not parse, has\n"
     "unknown keys or belongs to another manifest is refused. Remove it and collect the signatures\n"
     "again."},
    {TrustMalformed, "E0807", "trust-malformed", E, "the trust file is malformed",
     "A trust file (polc.trust/1, see docs/bundle.md) lists the keys that may sign, each with its id\n"
     "(the SHA-256 of the raw public key) and base64 public key, a threshold of distinct signers,\n"
     "and the lowest acceptable version of each policy. Unknown keys are errors (a misspelt\n"
     "\"threshold\" must not silently become 1), a key listed twice is an error (it must not count\n"
     "twice), and a threshold above the number of keys is an error (nothing could be accepted)."},
    {TrustUnknownSigner, "E0808", "trust-unknown-signer", E, "a signature by a key the trust file does not list",
     "Every signature on a bundle must be by a key the trust file lists. A stray signature means the\n"
     "bundle passed through hands the trust file does not know; it is refused so that this is seen.\n"
     "Add the key to the trust file if its holder is trusted, or remove the signature."},
    {TrustBadSignature, "E0809", "trust-bad-signature", E, "a trusted key's signature does not verify over the manifest",
     "The signature was made over another manifest, or either was altered after signing. Ask the\n"
     "key holder to review and sign the bundle again."},
    {TrustTooFewSigners, "E0810", "trust-too-few-signers", E, "fewer distinct trusted signers than the trust file's threshold",
     "The trust file asks for a threshold of distinct keys; the same key signing twice counts once.\n"
     "The message names the keys that have not signed."},
    {BundleExpired, "E0811", "bundle-expired", E, "the bundle's expiry time has passed",
     "`polc build --expires TIME` writes an expiry into the manifest, which the signatures cover.\n"
     "After it, the bundle is refused: policies are reviewed again rather than trusted forever.\n"
     "Build, review and sign a new bundle."},
    {TrustRollback, "E0812", "trust-rollback", E, "the policy's version is below the trust file's minimum",
     "The trust file names the lowest acceptable version of each policy, so that an old, signed\n"
     "bundle (perhaps with a hole since fixed) cannot be replayed. Launch the current version, or\n"
     "lower the minimum deliberately."},
    {TrustPolicyNotNamed, "E0813", "trust-policy-not-named", E, "the trust file does not name the bundle's policy",
     "A trust file accepts only the policies it names, each with a minimum version. Add the policy to\n"
     "its \"policies\" object if these signers are trusted for it."},
    {KeyUnusable, "E0814", "key-unusable", E, "a key file cannot be used",
     "`polc sign` takes an unencrypted Ed25519 private key in PEM (PKCS#8), as `polc keygen` or\n"
     "`openssl genpkey -algorithm ed25519` writes it, readable by its owner only (mode 0600, like\n"
     "ssh keys). `polc keygen` refuses to overwrite an existing key."},
    {BundleNotReproduced, "E0815", "bundle-not-reproduced", E, "a bundle's artifacts are not what its sources compile to",
     "`polc inspect` rebuilds the bundle from the sources it carries. When the manifest names this\n"
     "same polc, the rebuilt artifacts must be byte-identical to the bundle's: otherwise the\n"
     "artifacts were not made from the sources a reviewer reads. Rebuild the bundle from its\n"
     "sources and review it again."},
});

constexpr bool registry_is_dense() {
  for (size_t i = 0; i < kCodes.size(); ++i)
    if (static_cast<size_t>(kCodes[i].code) != i) return false;
  return true;
}
static_assert(registry_is_dense(), "kCodes rows must follow the order of enum Code");

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

const CodeInfo& info(Code code) { return kCodes.at(static_cast<size_t>(code)); }
std::span<const CodeInfo> all_codes() { return kCodes; }

const CodeInfo* find_code(std::string_view id_or_name) {
  for (const auto& c : kCodes)
    if (iequals(c.id, id_or_name) || c.name == id_or_name) return &c;
  return nullptr;
}

}  // namespace polc::diag
