// Stage: bundle. SHA-256 through OpenSSL's one-shot EVP digest.
#include "compiler/bundle/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace polc::bundle {

std::string sha256_hex(const uint8_t* data, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Fails only when OpenSSL itself is broken (no SHA-256 provider): not a user error.
  if (EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr) != 1) throw std::runtime_error("OpenSSL SHA-256 failed");
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

}  // namespace polc::bundle
