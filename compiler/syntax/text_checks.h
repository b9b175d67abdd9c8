// Stage: syntax (internal). Checks on raw source bytes made before ANTLR sees them, and the
// mapping from ANTLR's code-point indexes back to the byte offsets diagnostics use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace polc::syntax {

// Offset of the first byte that is not valid UTF-8, or a NUL byte; nullopt when the text is clean.
std::optional<uint32_t> first_invalid_utf8(std::string_view text);

// Maps code-point index -> byte offset. Identity (and empty) for pure ASCII text.
class OffsetMap {
 public:
  explicit OffsetMap(std::string_view text);
  uint32_t byte_offset(size_t code_point_index) const;

 private:
  std::vector<uint32_t> starts_;  // empty when ASCII
  uint32_t size_;
};

}  // namespace polc::syntax
