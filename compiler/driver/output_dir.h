// Stage: driver. Writes a build's artifacts as one directory, atomically: everything goes into a
// temporary directory beside the destination, which then replaces the destination in one rename.
// A reader (or a launcher) sees the old output or the new one, never a mix, and a failure leaves
// the old output untouched.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polc::driver {

using Artifacts = std::map<std::string, std::vector<uint8_t>>;  // file name -> bytes (sorted: deterministic)

// Replaces `dir` (created with its parents if needed) by a directory holding exactly `files`.
// Returns an error message on failure, after removing everything it created.
std::optional<std::string> write_directory_atomically(const std::string& dir, const Artifacts& files);

}  // namespace polc::driver
