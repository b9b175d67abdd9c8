// Stage: backends/seccomp. Code generation through libseccomp: the partitioned rules of one or
// more architectures become one BPF program, with libseccomp's binary-tree optimisation and the
// kill action for every other architecture.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/seccomp/partition.h"

namespace polc::backends::seccomp {

struct GeneratedProgram {
  std::vector<uint8_t> raw;  // struct sock_filter array, in the first arch's byte order
};

// `arches` are the partitions to combine (same byte order; the first is the program's own arch).
// On failure returns nullopt and sets `error` to what libseccomp refused (an internal error: the
// partition only produces rules libseccomp accepts).
std::optional<GeneratedProgram> generate(const std::vector<const ArchPartition*>& arches,
                                         const ir::Action& default_action, std::string* error);

}  // namespace polc::backends::seccomp
