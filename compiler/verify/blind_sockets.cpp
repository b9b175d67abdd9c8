// Stage: verify. Sockets Landlock's TCP rules cannot see (see blind_sockets.h).
#include "compiler/verify/blind_sockets.h"

#include <algorithm>
#include <functional>

#include "compiler/ir/evaluate.h"
#include "compiler/sema/syscall_table.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_model.h"

namespace polc::verify {

namespace {

// The socket ABI is the same on every target polc has (no MIPS, Alpha or SPARC, where the type
// numbers and flags differ).
constexpr uint64_t kAfInet = 2, kAfInet6 = 10;
constexpr uint64_t kSockStream = 1, kSockDgram = 2;
constexpr uint64_t kSockTypeMask = 0xf, kSockNonblock = 0x800, kSockCloexec = 0x80000;
constexpr uint64_t kIpprotoTcp = 6, kIpprotoMptcp = 262, kIpprotoSctp = 132;
// Families other than AF_INET/AF_INET6 whose sockets carry IP traffic that Landlock never checks:
// AF_PACKET (raw frames), AF_RDS (RDS over TCP), AF_SMC (SMC, a TCP connection underneath),
// AF_XDP (raw frames).
constexpr std::array<uint64_t, 4> kIpCarryingFamilies = {17, 21, 43, 44};
constexpr uint64_t kSysSocket = 1;  // socketcall's call number for socket(2)

const ir::ArchFilter* filter_of(const ir::Policy& policy, arch::Arch a) {
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a) return &f;
  return nullptr;
}

// The kernel reads socket(2)'s arguments as int: the low 32 bits of each register.
z3::expr low32(const z3::expr& reg) { return reg.extract(31, 0); }

// socket(domain, type, protocol) makes a socket Landlock's TCP rules do not see (and the kernel
// accepts the type's flags: other bits are EINVAL, not a socket).
z3::expr blind(z3::context& ctx, const ArgVars& args) {
  const z3::expr domain = low32(args[0]), type = low32(args[1]), protocol = low32(args[2]);
  auto c = [&](uint64_t v) { return ctx.bv_val(v, 32); };
  const z3::expr kind = type & c(kSockTypeMask);
  const z3::expr valid_type = (type & c(~(kSockTypeMask | kSockNonblock | kSockCloexec) & 0xffffffffu)) == c(0);
  const z3::expr inet = domain == c(kAfInet) || domain == c(kAfInet6);
  const z3::expr tcp = kind == c(kSockStream) && (protocol == c(0) || protocol == c(kIpprotoTcp));
  z3::expr other = ctx.bool_val(false);
  for (uint64_t f : kIpCarryingFamilies) other = other || domain == c(f);
  return valid_type && ((inet && kind != c(kSockDgram) && !tcp) || other);
}

bool blind_concrete(const std::array<uint64_t, 6>& a) {
  const uint64_t domain = a[0] & 0xffffffffu, type = a[1] & 0xffffffffu, protocol = a[2] & 0xffffffffu;
  if ((type & ~(kSockTypeMask | kSockNonblock | kSockCloexec)) != 0) return false;
  const uint64_t kind = type & kSockTypeMask;
  if (std::find(kIpCarryingFamilies.begin(), kIpCarryingFamilies.end(), domain) != kIpCarryingFamilies.end())
    return true;
  const bool tcp = kind == kSockStream && (protocol == 0 || protocol == kIpprotoTcp);
  return (domain == kAfInet || domain == kAfInet6) && kind != kSockDgram && !tcp;
}

std::string family_name(uint64_t d) {
  switch (d) {
    case kAfInet: return "AF_INET";
    case kAfInet6: return "AF_INET6";
    case 17: return "AF_PACKET";
    case 21: return "AF_RDS";
    case 43: return "AF_SMC";
    case 44: return "AF_XDP";
    default: return std::to_string(d);
  }
}

std::string type_name(uint64_t t) {
  static const char* const kNames[] = {"0",        "SOCK_STREAM",    "SOCK_DGRAM", "SOCK_RAW",
                                       "SOCK_RDM", "SOCK_SEQPACKET", "SOCK_DCCP"};
  const uint64_t kind = t & kSockTypeMask;
  std::string out = kind < std::size(kNames) ? kNames[kind] : std::to_string(kind);
  if (t & kSockNonblock) out += " | SOCK_NONBLOCK";
  if (t & kSockCloexec) out += " | SOCK_CLOEXEC";
  return out;
}

std::string protocol_name(uint64_t p) {
  switch (p) {
    case kIpprotoMptcp: return "IPPROTO_MPTCP";
    case kIpprotoSctp: return "IPPROTO_SCTP";
    case kIpprotoTcp: return "IPPROTO_TCP";
    default: return std::to_string(p);
  }
}

// Actions under which the call runs, or may (a tracer or supervisor decides).
bool lets_run(const ir::Action& a) { return a.kind >= ir::ActionKind::UserNotif; }

// The rules that decided a concrete call (the winners), or the default's origin.
std::vector<ir::Origin> deciding(const ir::Policy& policy, arch::Arch a, int nr, const std::array<uint64_t, 6>& args) {
  std::vector<ir::Origin> out;
  const auto d = ir::decide(policy, arch::audit_arch(a), nr, args);
  for (const ir::SyscallRule* r : d.matched)
    if (r->action == d.action) out.insert(out.end(), r->origins.begin(), r->origins.end());
  if (out.empty() && policy.syscalls.default_written) out.push_back(policy.syscalls.default_origin);
  return out;
}

// Calls a reader recognizes, tried before asking the solver for any witness at all.
constexpr std::array<std::array<uint64_t, 3>, 7> kLikely = {{
    {kAfInet, kSockStream, kIpprotoMptcp},
    {kAfInet6, kSockStream, kIpprotoMptcp},
    {kAfInet, kSockStream, kIpprotoSctp},
    {kAfInet, 5 /*SOCK_SEQPACKET*/, 0},
    {kAfInet, 3 /*SOCK_RAW*/, kIpprotoTcp},
    // Raw sockets with protocol 0: tried before asking Z3, whose witness (any model) can be a
    // socket type no program would use.
    {kAfInet, 3 /*SOCK_RAW*/, 0},
    {kAfInet6, 3 /*SOCK_RAW*/, 0},
}};

}  // namespace

bool relies_on_landlock_tcp(const ir::Policy& policy) {
  const ir::Filesystem& fs = policy.filesystem;
  return policy.network.present && (fs.min_abi >= ir::kNetworkAbi || (fs.best_effort & ir::layer::kNetwork) != 0);
}

namespace {

// A call to syscall `nr` of `f` with arguments meeting `also` that the policy lets run, asked of
// Z3. nullopt when there is none; `unknown` set when the solver could not decide, or when the
// concrete evaluator disagrees with the formula about the witness (a bug, and refusing is the
// safe side).
std::optional<std::array<uint64_t, 6>> runnable_call(const ir::Policy& policy, const ir::ArchFilter& f, int nr,
                                                     const std::function<z3::expr(const ArgVars&)>& also, bool& unknown,
                                                     uint64_t& queries) {
  z3::context& ctx = shared_context();
  Query query(ctx);
  const ArgVars args = make_args(ctx);
  const z3::expr decided = decision(ctx, rules_for(f, nr), policy.syscalls.default_action, args);
  const Answer answer =
      query.check(also(args) && z3::uge(decided, ctx.bv_val(rank({ir::ActionKind::UserNotif, 0}), 32)));
  queries += query.checks();
  if (answer == Answer::Unknown) unknown = true;
  if (answer != Answer::Sat) return std::nullopt;
  std::array<uint64_t, 6> values{};
  for (unsigned i = 0; i < 6; ++i) values[i] = query.value(args[i]);
  if (!lets_run(ir::decide(policy, arch::audit_arch(f.arch), nr, values).action)) {
    unknown = true;
    return std::nullopt;
  }
  return values;
}

}  // namespace

std::optional<BlindSocket> find_blind_socket(const ir::Policy& policy, bool& unknown, uint64_t& queries) {
  unknown = false;
  z3::context& ctx = shared_context();
  for (arch::Arch a : policy.targets) {
    const ir::ArchFilter* filter = filter_of(policy, a);
    const ir::ArchFilter empty{a, {}};
    const ir::ArchFilter& f = filter ? *filter : empty;

    if (auto nr = sema::syscall_number("socket", a)) {
      for (const auto& likely : kLikely) {
        const std::array<uint64_t, 6> args{likely[0], likely[1], likely[2], 0, 0, 0};
        if (!lets_run(ir::decide(policy, arch::audit_arch(a), *nr, args).action)) continue;
        return BlindSocket{
            a, "socket", args,
            "socket(" + family_name(args[0]) + ", " + type_name(args[1]) + ", " + protocol_name(args[2]) + ")",
            deciding(policy, a, *nr, args)};
      }
      const auto values = runnable_call(
          policy, f, *nr, [&](const ArgVars& args) { return blind(ctx, args); }, unknown, queries);
      if (unknown) return std::nullopt;
      if (values) {
        if (!blind_concrete(*values)) {
          unknown = true;
          return std::nullopt;
        }
        return BlindSocket{a, "socket", *values,
                           "socket(" + family_name((*values)[0] & 0xffffffffu) + ", " +
                               type_name((*values)[1] & 0xffffffffu) + ", " +
                               protocol_name((*values)[2] & 0xffffffffu) + ")",
                           deciding(policy, a, *nr, *values)};
      }
    }
    // x86 and s390x: socketcall(SYS_SOCKET, args) creates any socket, its arguments in memory
    // where seccomp cannot see them.
    if (auto nr = sema::syscall_number("socketcall", a)) {
      const auto values = runnable_call(
          policy, f, *nr, [&](const ArgVars& args) { return low32(args[0]) == ctx.bv_val(kSysSocket, 32); }, unknown,
          queries);
      if (unknown) return std::nullopt;
      if (values)
        return BlindSocket{a, "socketcall", *values,
                           "socketcall(SYS_SOCKET, ...) (any socket: its arguments are in memory)",
                           deciding(policy, a, *nr, *values)};
    }
    // Every arch: io_uring's IORING_OP_SOCKET (Linux 5.19) makes any socket, MPTCP included,
    // from a submission queue entry in memory, without a socket(2) call for seccomp to see.
    // io_uring_setup makes a ring; io_uring_enter submits to any ring the payload holds (one it
    // made, or one passed to it), so a policy that lets either run has no socket rule at all.
    for (const char* ring_call : {"io_uring_setup", "io_uring_enter"}) {
      auto nr = sema::syscall_number(ring_call, a);
      if (!nr) continue;
      const auto values = runnable_call(
          policy, f, *nr, [&](const ArgVars&) { return ctx.bool_val(true); }, unknown, queries);
      if (unknown) return std::nullopt;
      if (values)
        return BlindSocket{a, ring_call, *values,
                           std::string(ring_call) + "(...) (IORING_OP_SOCKET makes any socket without socket(2))",
                           deciding(policy, a, *nr, *values)};
    }
  }
  return std::nullopt;
}

namespace {

// The byte offset where the line holding `offset` starts, and that line's indentation.
std::pair<uint32_t, std::string> line_start(const diag::SourceManager& sources, diag::FileId file, uint32_t offset) {
  const diag::LineCol lc = sources.line_col(file, offset);
  const std::string_view text = sources.line_text(file, lc.line);
  uint32_t bytes = 0, points = 0;  // the first column-1 code points of the line, in bytes
  while (bytes < text.size() && points + 1 < lc.column) {
    ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) ++bytes;
    ++points;
  }
  const size_t indent = text.find_first_not_of(" \t");
  return {offset - bytes, std::string(text.substr(0, indent == std::string_view::npos ? text.size() : indent))};
}

}  // namespace

uint64_t check_blind_sockets(const ir::Policy& policy, diag::Engine& engine) {
  if (!relies_on_landlock_tcp(policy)) return 0;
  bool unknown = false;
  uint64_t queries = 0;
  const std::optional<BlindSocket> found = find_blind_socket(policy, unknown, queries);
  const std::string deny_inet =
      "deny socket(domain in {AF_INET, AF_INET6} && type & 0xf != SOCK_DGRAM && "
      "!(type & 0xf == SOCK_STREAM && protocol in {0, IPPROTO_TCP})) errno(EPROTONOSUPPORT)";
  const std::string deny_families = "deny socket(domain in {AF_PACKET, AF_RDS, AF_SMC, AF_XDP}) errno(EAFNOSUPPORT)";
  if (unknown) {
    engine
        .report(diag::Code::LandlockBlindSocket, {},
                "could not prove that the socket rules refuse every socket Landlock's TCP rules cannot see")
        .with_help("refuse them explicitly: `" + deny_inet + "`");
    return queries;
  }
  if (!found) return queries;

  // Where to point: the first deciding statement written in the policy itself (a fix-it edits the
  // policy, never a module), else the first deciding statement wherever it is.
  const ir::Origin* at = nullptr;
  for (const ir::Origin& o : found->deciding)
    if (o.range.valid() && o.module.empty()) {
      at = &o;
      break;
    }
  const bool in_policy = at != nullptr;
  if (!at)
    for (const ir::Origin& o : found->deciding)
      if (o.range.valid()) {
        at = &o;
        break;
      }

  const bool inet = found->syscall == "socket" &&
                    ((found->args[0] & 0xffffffffu) == kAfInet || (found->args[0] & 0xffffffffu) == kAfInet6);
  const std::string fix = found->syscall == "socketcall"       ? "kill socketcall"
                          : found->syscall == "io_uring_setup" ? "deny io_uring_setup errno(ENOSYS)"
                          : found->syscall == "io_uring_enter" ? "kill io_uring_enter"
                          : inet                               ? deny_inet
                                                               : deny_families;
  auto& d = engine.report(diag::Code::LandlockBlindSocket, at ? at->range : diag::SourceRange{},
                          "on " + std::string(arch::name(found->arch)) + ", this policy lets " + found->call +
                              " run, a socket Landlock's TCP rules do not see: it can bind, listen and connect on "
                              "ports the network section never grants");
  d.note(
      "Landlock checks bind(2) and connect(2) only on TCP sockets (AF_INET/AF_INET6, SOCK_STREAM, protocol 0 or "
      "IPPROTO_TCP); MPTCP, SCTP and SMC stream sockets, raw and packet sockets pass unchecked");
  for (const ir::Origin& o : found->deciding)
    if (&o == at) continue;
    else if (o.range.valid())
      d.note(o.range, "allowed by this rule" + std::string(o.module.empty() ? "" : " (in " + o.module + ")"));
    else d.note("allowed by " + (o.where.empty() ? std::string("the default") : o.where));
  d.with_help("refuse them in the syscalls section: `" + fix + "`");
  if (in_policy) {
    auto [start, indent] = line_start(engine.sources(), at->range.file, at->range.begin);
    d.fix({at->range.file, start, start}, indent + fix + "\n");
  }
  return queries;
}

}  // namespace polc::verify
