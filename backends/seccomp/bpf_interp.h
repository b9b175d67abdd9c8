// Stage: backends/seccomp. An in-project model of what the kernel does with a seccomp filter: the
// load-time checks, the execution over `struct seccomp_data`, and the action-cache precomputation.
// Tests and benchmarks use it to check what a generated program decides without installing it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "backends/seccomp/bpf_program.h"

namespace polc::backends::seccomp {

// The checks the kernel makes before it accepts a seccomp filter: the classic BPF checker
// (bpf_check_classic: length, opcodes, constant divisors and shifts, jump targets, scratch cells
// written before read on every path, a final return) and seccomp_check_filter (only the opcodes
// seccomp allows, loads aligned and inside seccomp_data). nullopt when the kernel would accept the
// program, else a message naming the first offending instruction.
std::optional<std::string> validate(std::span<const Insn> program);
// True for the opcodes seccomp_check_filter accepts (before any per-instruction check).
bool seccomp_allows_opcode(uint16_t code);

struct RunResult {
  uint32_t ret = 0;       // the filter's return value
  uint32_t executed = 0;  // instructions executed, the final return included
  // Set when the program did something the kernel would have refused to load (it was not
  // validated); `ret` is then kill_process so that such a bug never reads as "allowed".
  const char* fault = nullptr;
};

// Runs a validated program over `data` laid out as the kernel lays it out for an arch of the given
// byte order. Never undefined behaviour, whatever the program.
RunResult run(std::span<const Insn> program, const SeccompData& data, bool big_endian);

// The kernel's action-cache precomputation (Linux 5.11+, seccomp_is_const_allow): it walks the
// program knowing only the arch and the syscall number. AlwaysAllow: the kernel caches the syscall
// as allowed and skips the filter. NotAllow: the walk reached a return of another action. Depends:
// the walk met an instruction it does not emulate (any argument or ip load, for one). The kernel
// runs the filter in both of the latter cases.
enum class CacheVerdict : uint8_t { AlwaysAllow, Depends, NotAllow };
CacheVerdict const_action(std::span<const Insn> program, uint32_t audit_arch, int32_t nr, bool big_endian);

}  // namespace polc::backends::seccomp
