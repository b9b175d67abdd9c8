// Stage: bundle. SHA-256 digests (OpenSSL 3), as lowercase hex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polc::bundle {

std::string sha256_hex(const uint8_t* data, size_t size);
inline std::string sha256_hex(const std::vector<uint8_t>& bytes) { return sha256_hex(bytes.data(), bytes.size()); }
inline std::string sha256_hex(std::string_view s) {
  return sha256_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace polc::bundle
