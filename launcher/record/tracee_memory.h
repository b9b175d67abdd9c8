// Stage: launcher (learning). Reading a stopped caller's memory: the paths, socket addresses and
// payloads its syscall points to. The process is hostile: every read is bounded, a bad pointer is
// a failed read, never a crash or a read of our own memory.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace polc::record {

class TraceeMemory {
 public:
  explicit TraceeMemory(pid_t pid) : pid_(pid) {}

  // Reads `length` bytes at `address` into `out`. False unless all of them could be read.
  bool read(uint64_t address, void* out, size_t length) const;
  // Reads up to `length` bytes; returns how many (stops at the first unreadable page).
  size_t read_some(uint64_t address, void* out, size_t length) const;
  // A NUL-terminated string of at most `max` bytes (without the NUL). nullopt when the pointer is
  // bad or no NUL comes within `max` bytes (the kernel would refuse such a path: ENAMETOOLONG).
  std::optional<std::string> read_string(uint64_t address, size_t max) const;

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

}  // namespace polc::record
