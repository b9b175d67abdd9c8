// Helpers of the recorder's kernel tests: run a workload under polc::record::run and look events up.
#pragma once

#include <string>
#include <vector>

#include "compiler/learn/recording.h"
#include "launcher/record/recorder.h"
#include "tests/support/temp_dir.h"

namespace polc::record::test {

// The test workload (workload.c) built beside the tests.
inline const std::string kWorkload = RECORD_WORKLOAD;

struct Recorded {
  learn::Recording recording;
  learn::Run run;
};

// Records `argv` (fails the test when it cannot be started).
Recorded record(const std::vector<std::string>& argv, Options options = {});

// Records `argv` from a child process that runs as nobody (uid and gid 65534, no capabilities):
// what a non-root `polc learn` can and cannot see of its workload. The recording comes back as
// its JSON (fails the test when the child could not record).
Recorded record_unprivileged(const std::vector<std::string>& argv, Options options = {});

// How often a call named `name` was seen (every arch, every argument form).
uint64_t calls_named(const learn::Recording& recording, const std::string& name);
// The Call events named `name`.
std::vector<learn::Call> call_forms(const learn::Recording& recording, const std::string& name);
// Whether a FileAccess (path, right) was recorded.
bool has_access(const learn::Recording& recording, const std::string& path, const std::string& right);
const learn::Seen* find(const learn::Recording& recording, const learn::Event& event);

// A fresh temporary directory (resolved), removed with its contents on destruction.
using polc::test::TempDir;

}  // namespace polc::record::test
