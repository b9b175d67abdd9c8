// Stage: bundle. Base64 (RFC 4648, padded, no line breaks) for keys and signatures in JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polc::bundle {

std::string base64_encode(const uint8_t* data, size_t size);
inline std::string base64_encode(const std::vector<uint8_t>& bytes) {
  return base64_encode(bytes.data(), bytes.size());
}
// Strict: padded, canonical, no whitespace; nullopt for anything else.
std::optional<std::vector<uint8_t>> base64_decode(const std::string& text);

bool is_lower_hex(const std::string& s, size_t length);

}  // namespace polc::bundle
