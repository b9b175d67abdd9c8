// Stage: backends/seccomp. Code generation through libseccomp: the partitioned rules of one or
// more architectures become one BPF program, with libseccomp's binary-tree optimisation and the
// kill action for every other architecture.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/seccomp/partition.h"

#include "backends/seccomp/isolated.h"

namespace polc::backends::seccomp {

struct GeneratedProgram {
  std::vector<uint8_t> raw;  // struct sock_filter array, in the first arch's byte order
};

// An owned libseccomp filter context.
struct ContextDeleter {
  void operator()(void* ctx) const;
};
using Context = std::unique_ptr<void, ContextDeleter>;

// A context for `arches` (one byte order) with polc's attributes: kill_process for any other
// arch, the binary-tree optimisation, and no_new_privs left to the launcher. `optimize` is
// SCMP_FLTATR_CTL_OPTIMIZE: 2 (binary tree) for every artifact; 1 (libseccomp's default, a linear
// list of syscall checks) only for the filter-cost benchmark's comparison (bench/filter_cost.cpp).
std::optional<Context> open_context(std::span<const arch::Arch> arches, uint32_t default_ret, std::string* error,
                                    int optimize = 2);

// The context's BPF program, as libseccomp exports it (the first arch's byte order).
std::optional<std::vector<uint8_t>> export_program(void* ctx, std::string* error);

// `arches` are the partitions to combine (same byte order; the first is the program's own arch).
// On failure returns nullopt and sets `error` to what libseccomp refused (an internal error: the
// partition only produces rules libseccomp accepts).
// `optimize` as for open_context.
std::optional<GeneratedProgram> generate(const std::vector<const ArchPartition*>& arches,
                                         const ir::Action& default_action, std::string* error, int optimize = 2);

// generate(), started in its own child so that several programs are made at once; the job's
// finish() returns the program's bytes (GeneratedProgram::raw).
IsolatedJob start_generate(const std::vector<const ArchPartition*>& arches, const ir::Action& default_action,
                           int optimize = 2);

}  // namespace polc::backends::seccomp
