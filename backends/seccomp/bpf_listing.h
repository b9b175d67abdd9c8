// Stage: backends/seccomp. A disassembly of a seccomp filter for human reviewers: one line per
// instruction, absolute jump targets, and comments that say what each load reads, which syscall or
// arch a constant names and what each return does. Deterministic, so listings can be diffed.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "backends/seccomp/bpf_program.h"

namespace polc::backends::seccomp {

struct ListingContext {
  std::string title;        // printed first, each line as a "; " comment
  uint32_t audit_arch = 0;  // the arch the syscall names belong to (AUDIT_ARCH_*)
  bool big_endian = false;  // the arch's byte order: which half of a 64-bit field a load reads
  const std::map<uint32_t, std::string>* syscall_names = nullptr;  // nr -> name; may be null
};

std::string listing(std::span<const Insn> program, const ListingContext& ctx);

}  // namespace polc::backends::seccomp
