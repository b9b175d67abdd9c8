// What the kernel tests consume from the polc binary: `polc build` into a fresh temporary
// directory (the x86_64 filter as a sock_filter array), `polc ir` (the policy's meaning, for
// ir_oracle.h) and `polc eval` (polc's own verdict on a call, and what its interpreter of the
// compiled program returns).
#pragma once

#include <linux/filter.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kernel_test {

struct Artifacts {
  std::vector<sock_filter> filter;  // seccomp.x86_64.bpf
  nlohmann::json ir;                // `polc ir` output
  std::string error;                // non-empty when something could not be produced
  std::string filter_source;        // where `filter` was read from
};

// Builds examples/NAME.sbx with `polc` into a temporary directory that is removed afterwards.
// POLC_KERNEL_TEST_FILTER_OVERRIDE=NAME:FILE (or *:FILE) replaces the built x86_64 filter with
// FILE, to check by hand that the tests fail on a weakened filter.
Artifacts build_example(const std::filesystem::path& polc, const std::filesystem::path& source_dir,
                        const std::string& name);

// Builds the policy file `source`, whose policy is called `name`, the same way.
Artifacts build_policy(const std::filesystem::path& polc, const std::filesystem::path& source, const std::string& name);

// Reads a raw `struct sock_filter` array in host byte order; sets `error` on a malformed file.
std::vector<sock_filter> read_filter(const std::filesystem::path& file, std::string& error);

struct EvalResult {
  std::string action;         // the policy's decision: "allow", "errno(1)", "kill_process", ...
  std::string filter_action;  // what polc's interpreter of seccomp.x86_64.bpf returns
  bool agrees = false;        // polc's own comparison of the two
  std::string error;          // set when eval failed or printed something unexpected
};

// `polc eval examples/NAME.sbx --arch x86_64 --format json CALL` for each call, run in parallel.
std::vector<EvalResult> eval_calls(const std::filesystem::path& polc, const std::filesystem::path& source_dir,
                                   const std::string& name, const std::vector<std::string>& calls);

}  // namespace kernel_test
