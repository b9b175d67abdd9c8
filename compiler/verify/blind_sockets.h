// Stage: verify. Sockets that Landlock's TCP rules cannot see. Landlock (ABI 4 to at least 7)
// checks bind(2) and connect(2) only on sockets the kernel calls TCP (sk_is_tcp(): AF_INET or
// AF_INET6, SOCK_STREAM, IPPROTO_TCP; its ABI 4 erratum 1 deliberately left MPTCP, SCTP and SMC
// stream sockets out). A policy whose network rules Landlock enforces is only as strong as its
// socket rules: a socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) it lets through binds and listens on
// any port and connects to any port, whatever the `bind` and `connect` rules say. E0407 refuses
// such a policy, with the rule that closes the hole.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::verify {

// A socket(2) (or x86/s390x socketcall(2)) call that the policy lets run and that makes a socket
// Landlock's TCP rules do not see, or an io_uring_setup(2)/io_uring_enter(2) call it lets run (a
// ring's IORING_OP_SOCKET makes any socket without a socket(2) call).
struct BlindSocket {
  arch::Arch arch = arch::Arch::x86_64;
  std::string syscall;               // "socket", "socketcall", "io_uring_setup" or "io_uring_enter"
  std::array<uint64_t, 6> args{};    // the argument registers of one such call
  std::string call;                  // "socket(AF_INET, SOCK_STREAM, 262)" as a reader writes it
  std::vector<ir::Origin> deciding;  // the rules that let it run (the default's origin if none)
};

// True when the policy's network rules rely on Landlock's TCP layer: it has a network section and
// landlock.json gets the layer (minimum ABI 4, or `landlock best_effort network`).
bool relies_on_landlock_tcp(const ir::Policy& policy);

// One call that makes a socket Landlock's TCP rules cannot see and that the policy lets run
// (allow, log, trace or user_notif), proved over every argument value with Z3; nullopt when there
// is none. Blind sockets: AF_INET/AF_INET6 sockets of any type but SOCK_DGRAM (which carries no
// TCP) that are not SOCK_STREAM with protocol 0 or IPPROTO_TCP (MPTCP, SCTP, SMC, raw sockets),
// and the families that carry IP traffic beside them (AF_PACKET, AF_RDS, AF_SMC, AF_XDP); and any
// io_uring_setup or io_uring_enter, whose rings make sockets without socket(2).
// `unknown` is set when the solver gave up (the caller then refuses, failing closed).
std::optional<BlindSocket> find_blind_socket(const ir::Policy& policy, bool& unknown, uint64_t& queries);

// Reports E0407 when the policy relies on Landlock's TCP layer and lets a blind socket through.
// Returns the solver queries asked.
uint64_t check_blind_sockets(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::verify
