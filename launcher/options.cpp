// Stage: launcher. Parses the sbx-exec command line. Hand-written (no getopt) because the grammar
// is tiny and the payload's own options after "--" must never be touched.
#include "launcher/options.h"

#include <charconv>
#include <string_view>

#include "launcher/errors.h"

namespace polc::launcher {

const char* network_mode_name(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::NewNamespace: return "netns";
    case NetworkMode::JoinNamespace: return "join-netns";
    case NetworkMode::EnforcedExternally: return "enforced-externally";
  }
  return "?";
}

namespace {

[[noreturn]] void usage(const std::string& message) {
  throw Failure(ExitCode::Usage, message + " (see sbx-exec --help)");
}

void set_network(Options& options, NetworkMode mode, std::string_view flag) {
  if (options.network) usage("choose one network mode; " + std::string(flag) + " conflicts with an earlier one");
  options.network = mode;
}

// --keep-fd's value: a descriptor number above 2. 0, 1 and 2 are always passed (the payload's
// stdin, stdout and stderr), so naming one would only suggest the others are not.
int keep_fd_value(const std::string& text) {
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || fd < 0)
    usage("--keep-fd needs a descriptor number, got '" + text + "'");
  if (fd <= 2) usage("--keep-fd " + text + ": descriptors 0, 1 and 2 are always passed; name only those above 2");
  return fd;
}

// A name under /run/netns, as `ip netns add` makes it: one path component.
bool valid_netns_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  int i = 1;
  auto value = [&](std::string_view flag) -> std::string {
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      return options;
    }
    if (arg == "--bundle") {
      if (!options.bundle.empty()) usage("--bundle given twice");
      options.bundle = value(arg);
      if (options.bundle.empty()) usage("--bundle needs a directory");
    } else if (arg.starts_with("--bundle=")) {
      if (!options.bundle.empty()) usage("--bundle given twice");
      options.bundle = std::string(arg.substr(9));
      if (options.bundle.empty()) usage("--bundle needs a directory");
    } else if (arg == "--netns") {
      set_network(options, NetworkMode::NewNamespace, arg);
    } else if (arg == "--join-netns" || arg.starts_with("--join-netns=")) {
      set_network(options, NetworkMode::JoinNamespace, "--join-netns");
      options.netns_name = arg == "--join-netns" ? value(arg) : std::string(arg.substr(13));
      if (!valid_netns_name(options.netns_name))
        usage("--join-netns needs a namespace name as made by `ip netns add` (no '/')");
    } else if (arg == "--network-enforced-externally") {
      set_network(options, NetworkMode::EnforcedExternally, arg);
    } else if (arg == "--dry-run") {
      options.dry_run = true;
    } else if (arg == "--strict-paths") {
      options.strict_paths = true;
    } else if (arg == "--quiet-skipped-paths") {
      options.quiet_skipped_paths = true;
    } else if (arg == "--audit-log" || arg.starts_with("--audit-log=")) {
      if (options.audit_log) usage("--audit-log given twice");
      options.audit_log = arg == "--audit-log" ? value(arg) : std::string(arg.substr(12));
      if (options.audit_log->empty()) usage("--audit-log needs a file");
    } else if (arg == "--user" || arg.starts_with("--user=")) {
      if (options.user) usage("--user given twice");
      options.user = arg == "--user" ? value(arg) : std::string(arg.substr(7));
      if (options.user->empty()) usage("--user needs a user name or uid");
    } else if (arg == "--trust" || arg.starts_with("--trust=")) {
      if (options.trust) usage("--trust given twice");
      options.trust = arg == "--trust" ? value(arg) : std::string(arg.substr(8));
      if (options.trust->empty()) usage("--trust needs a trust file");
    } else if (arg == "--keep-fd" || arg.starts_with("--keep-fd=")) {
      int fd = keep_fd_value(arg == "--keep-fd" ? value(arg) : std::string(arg.substr(10)));
      for (int kept : options.keep_fds)
        if (kept == fd) usage("--keep-fd " + std::to_string(fd) + " given twice");
      options.keep_fds.push_back(fd);
    } else if (arg == "--events" || arg.starts_with("--events=")) {
      if (options.events) usage("--events given twice");
      options.events = arg == "--events" ? value(arg) : std::string(arg.substr(9));
      if (options.events->empty()) usage("--events needs a file, - or fd:N");
      if (options.events->starts_with("fd:")) {
        const std::string number = options.events->substr(3);
        int fd = -1;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), fd);
        if (number.empty() || ec != std::errc() || end != number.data() + number.size() || fd <= 2)
          usage("--events fd:N needs a descriptor number above 2, got '" + number + "'");
      }
    } else if (arg == "--proxy-log" || arg.starts_with("--proxy-log=")) {
      if (options.proxy_log) usage("--proxy-log given twice");
      options.proxy_log = arg == "--proxy-log" ? value(arg) : std::string(arg.substr(12));
      if (options.proxy_log->empty()) usage("--proxy-log needs the proxy's access log file");
    } else if (arg == "--proxy-client" || arg.starts_with("--proxy-client=")) {
      options.proxy_clients.push_back(arg == "--proxy-client" ? value(arg) : std::string(arg.substr(15)));
      if (options.proxy_clients.back().empty()) usage("--proxy-client needs an address");
    } else if (arg == "--workspace-staging" || arg.starts_with("--workspace-staging=")) {
      if (options.workspace_staging) usage("--workspace-staging given twice");
      options.workspace_staging = arg == "--workspace-staging" ? value(arg) : std::string(arg.substr(20));
      if (options.workspace_staging->empty() || (*options.workspace_staging)[0] != '/')
        usage("--workspace-staging needs an absolute directory");
    } else if (arg == "--exec-in-place") {
      options.exec_in_place = true;
    } else if (arg == "--insecure-dev-unsigned") {
      options.insecure_dev_unsigned = true;
    } else {
      // Anything else before "--" is a mistake; guessing where the command starts could run a
      // payload with the launcher's options as its arguments.
      usage("unknown option '" + std::string(arg) + "'; put the command after --");
    }
  }
  for (; i < argc; ++i) options.command.emplace_back(argv[i]);

  if (options.bundle.empty()) usage("missing --bundle DIR");
  if (!options.network)
    usage(
        "choose how the policy's nftables rules are enforced: --netns (new network namespace, "
        "needs CAP_SYS_ADMIN), --join-netns NAME (a namespace made by `ip netns add`), or "
        "--network-enforced-externally (you have applied nftables.nft to the payload's namespace)");
  if (options.trust && options.insecure_dev_unsigned)
    usage(
        "--trust and --insecure-dev-unsigned exclude each other: the bundle's signatures are either checked "
        "against the trust file or not at all");
  if (!options.trust && !options.insecure_dev_unsigned)
    usage(
        "pass --trust FILE: the trust file (polc.trust/1) listing the keys whose signatures the bundle needs; "
        "for development only, --insecure-dev-unsigned runs an unsigned bundle without checking signatures");
  if (options.command.empty()) usage("missing command after --");
  if (options.exec_in_place && (options.events || options.proxy_log))
    usage(std::string(options.events ? "--events" : "--proxy-log") +
          " needs the supervisor, which --exec-in-place leaves out: choose one");
  if (!options.proxy_clients.empty() && !options.proxy_log) usage("--proxy-client needs --proxy-log");
  if (options.proxy_log && options.network == NetworkMode::NewNamespace)
    usage("--proxy-log with --netns: the new namespace has only loopback and reaches no proxy; use --join-netns");
  if (options.proxy_log && options.network == NetworkMode::EnforcedExternally && options.proxy_clients.empty())
    usage(
        "--proxy-log with --network-enforced-externally needs --proxy-client ADDRESS: sbx-exec cannot tell "
        "which of the proxy's clients is the payload");
  if (options.events && options.events->starts_with("fd:"))
    for (int kept : options.keep_fds)
      if ("fd:" + std::to_string(kept) == *options.events)
        usage("--events " + *options.events + " is the launcher's; it cannot also be passed with --keep-fd");
  return options;
}

const char* help_text() {
  return "usage: sbx-exec --bundle DIR TRUST NETWORK [--user USER[:GROUP]] [--keep-fd N]... [--dry-run]\n"
         "                [--strict-paths] [--quiet-skipped-paths] [--audit-log FILE]\n"
         "                [--events DEST | --exec-in-place] -- CMD [ARGS...]\n"
         "\n"
         "Verifies a polc bundle (every listed file's size and SHA-256 against manifest.json, no\n"
         "unlisted file, then its signatures against the trust file) and runs CMD confined by it:\n"
         "network namespace and nftables, proxy environment, no_new_privs, Landlock (filesystem,\n"
         "TCP ports, scopes), then the seccomp filter for this architecture. Anything that cannot\n"
         "be verified or applied as the bundle says stops the launch before CMD runs; an exec the\n"
         "policy refuses is explained (which file lacks which right, and the rule to add). CMD inherits\n"
         "descriptors 0, 1 and 2 and those given with --keep-fd, no other. The bundle's OS layer\n"
         "(os.json: namespaces with sbx-exec's own init, cgroup limits, rlimits, mounts, workspaces\n"
         "committed only when CMD ends cleanly) is applied too; --dry-run shows it.\n"
         "\n"
         "sbx-exec stays as CMD's supervisor, outside the sandbox: it relays signals, reports every\n"
         "refusal (seccomp, Landlock, nftables, the proxy) with the policy statement that decided it,\n"
         "kills what is left of CMD's processes when CMD ends, and exits with CMD's status (128+N\n"
         "when a signal N killed it). A summary of the refusals goes to stderr.\n"
         "\n"
         "TRUST (exactly one):\n"
         "  --trust FILE                   check signatures.json against FILE (polc.trust/1: keys,\n"
         "                                 threshold, policies with min_version) before anything is\n"
         "                                 applied; refuse (121) unless enough trusted keys signed this\n"
         "                                 manifest, it has not expired and its version is not below\n"
         "                                 min_version\n"
         "  --insecure-dev-unsigned        DEVELOPMENT ONLY: check no signature (a warning on every run,\n"
         "                                 recorded in the audit line); never use this in production\n"
         "\n"
         "NETWORK (exactly one; the policy's network deny rules are enforced only by nftables):\n"
         "  --netns                        new network namespace with only loopback (up), nftables.nft\n"
         "                                 applied in it; needs CAP_SYS_ADMIN\n"
         "  --join-netns NAME              enter /run/netns/NAME (`ip netns add NAME`) and apply\n"
         "                                 nftables.nft there\n"
         "  --network-enforced-externally  apply nothing: you vouch that nftables.nft governs the\n"
         "                                 namespace CMD runs in (recorded in the audit line)\n"
         "\n"
         "options:\n"
         "  --bundle DIR       the bundle directory: polc build POLICY -o OUT writes OUT/<policy name>\n"
         "  --dry-run          print what would be applied and what this kernel supports, and check\n"
         "                     the files CMD's exec opens (CMD on PATH, its #! interpreters, ELF\n"
         "                     loaders) for the execute and read_file rights; apply and run nothing;\n"
         "                     exit 0, the code a real run would refuse with, or 126/127 when the\n"
         "                     exec would fail\n"
         "  --strict-paths     refuse (123) when a Landlock rule path does not exist here: such a\n"
         "                     rule grants nothing (a rule is attached to an existing file), and is\n"
         "                     otherwise skipped with a warning on stderr\n"
         "  --quiet-skipped-paths  no stderr warning per skipped rule path (the audit line lists them)\n"
         "  --audit-log FILE   append the JSON audit line to FILE instead of stderr\n"
         "  --user USER[:GROUP]  run CMD as this user (name or uid; its primary group unless GROUP\n"
         "                     is given), with no supplementary groups and no capabilities: every\n"
         "                     set emptied and the securebits locked; uid 0 is refused. Landlock does\n"
         "                     not confine chmod, chown or pathname unix sockets: a dedicated user\n"
         "                     that owns nothing outside the sandbox does\n"
         "  --keep-fd N        let CMD inherit descriptor N (above 2; repeatable; recorded in the\n"
         "                     audit line). Every other descriptor above 2 is closed on exec: Landlock\n"
         "                     does not check a descriptor that is already open\n"
         "  --events DEST      write every refusal as one JSON line (docs/telemetry.md) to DEST: a\n"
         "                     file (appended, created 0600), - for stdout, or fd:N (a descriptor\n"
         "                     the caller opened; CMD does not inherit it)\n"
         "  --workspace-staging DIR  where the policy's workspaces keep their changes until the run\n"
         "                     ends (default /var/tmp/polc-workspaces): committed when it ends cleanly,\n"
         "                     discarded when it does not\n"
         "  --proxy-log FILE   read the egress proxy's refusals of CMD's requests from its access log\n"
         "                     (the format polc's squid.conf sets); with --join-netns, requests from\n"
         "                     that namespace's addresses, else those of --proxy-client\n"
         "  --proxy-client ADDRESS  the source address of CMD's requests as the proxy sees them\n"
         "                     (repeatable)\n"
         "  --exec-in-place    no supervisor: exec CMD in place of sbx-exec; no telemetry (recorded\n"
         "                     in the audit line), no signal relay, no cleanup of CMD's processes\n"
         "  -h, --help         this text\n"
         "\n"
         "exit status:\n";
}

}  // namespace polc::launcher
