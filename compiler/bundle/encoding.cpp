// Stage: bundle. Base64 through OpenSSL's EVP block coder, with the strictness it lacks added:
// a signature or key has exactly one accepted spelling, so a document cannot be altered without
// changing what it decodes to.
#include "compiler/bundle/encoding.h"

#include <openssl/evp.h>

#include <algorithm>

namespace polc::bundle {

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > (1u << 20)) return std::nullopt;
  const bool alphabet = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
  });
  if (!alphabet) return std::nullopt;
  const size_t padding = text.size() - text.find_last_not_of('=') - 1;
  if (padding > 2 || text.find('=') < text.size() - padding) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 4 * 3);
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts padding as zero bytes
  // Canonical: unused low bits of the last symbol must be zero, which re-encoding checks.
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

bool is_lower_hex(const std::string& s, size_t length) {
  return s.size() == length &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace polc::bundle
