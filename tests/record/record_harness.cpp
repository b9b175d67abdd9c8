// Helpers of the recorder's kernel tests (record_harness.h).
#include "record_harness.h"

#include <doctest/doctest.h>
#include <limits.h>
#include <stdlib.h>

#include <filesystem>

namespace polc::record::test {

Recorded record(const std::vector<std::string>& argv, Options options) {
  options.argv = argv;
  Recorded out;
  std::string error;
  const auto run = polc::record::run(options, out.recording, error);
  INFO("error: " << error);
  REQUIRE(run.has_value());
  out.run = *run;
  return out;
}

uint64_t calls_named(const learn::Recording& recording, const std::string& name) {
  uint64_t n = 0;
  for (const auto& [event, seen] : recording.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == name) n += seen.count;
  return n;
}

std::vector<learn::Call> call_forms(const learn::Recording& recording, const std::string& name) {
  std::vector<learn::Call> out;
  for (const auto& [event, seen] : recording.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == name) out.push_back(*call);
  return out;
}

bool has_access(const learn::Recording& recording, const std::string& path, const std::string& right) {
  for (const auto& [event, seen] : recording.events)
    if (const auto* a = std::get_if<learn::FileAccess>(&event); a && a->path == path && a->right == right) return true;
  return false;
}

const learn::Seen* find(const learn::Recording& recording, const learn::Event& event) {
  const auto it = recording.events.find(event);
  return it == recording.events.end() ? nullptr : &it->second;
}

TempDir::TempDir() {
  char name[] = "/tmp/polc-record-XXXXXX";
  REQUIRE(mkdtemp(name) != nullptr);
  char real[PATH_MAX];
  REQUIRE(realpath(name, real) != nullptr);
  path_ = real;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace polc::record::test
