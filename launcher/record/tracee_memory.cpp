// Stage: launcher (learning). process_vm_readv, bounded (tracee_memory.h).
#include "launcher/record/tracee_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace polc::record {

namespace {

constexpr uint64_t kPage = 4096;

// One read that does not cross a page boundary: it either succeeds whole or not at all.
ssize_t read_chunk(pid_t pid, uint64_t address, void* out, size_t length) {
  iovec local{out, length};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(address)), length};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

}  // namespace

size_t TraceeMemory::read_some(uint64_t address, void* out, size_t length) const {
  if (address == 0) return 0;
  // Whole if it can: one call for the usual case, page by page only past a failure.
  if (read_chunk(pid_, address, out, length) == static_cast<ssize_t>(length)) return length;
  size_t done = 0;
  while (done < length) {
    const uint64_t at = address + done;
    if (at < address) break;  // wrapped around
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(length - done, kPage - at % kPage));
    if (read_chunk(pid_, at, static_cast<char*>(out) + done, chunk) != static_cast<ssize_t>(chunk)) break;
    done += chunk;
  }
  return done;
}

bool TraceeMemory::read(uint64_t address, void* out, size_t length) const {
  return length == 0 || read_some(address, out, length) == length;
}

std::optional<std::string> TraceeMemory::read_string(uint64_t address, size_t max) const {
  if (address == 0) return std::nullopt;
  std::string out;
  char buffer[kPage];
  // Page by page: a string ending just before an unmapped page is still read.
  uint64_t at = address;
  while (out.size() <= max) {
    const size_t chunk = static_cast<size_t>(kPage - at % kPage);
    if (read_chunk(pid_, at, buffer, chunk) != static_cast<ssize_t>(chunk)) return std::nullopt;
    const char* nul = static_cast<const char*>(std::memchr(buffer, 0, chunk));
    out.append(buffer, nul ? static_cast<size_t>(nul - buffer) : chunk);
    if (nul) return out.size() <= max ? std::optional<std::string>(std::move(out)) : std::nullopt;
    at += chunk;
    if (at < address) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace polc::record
