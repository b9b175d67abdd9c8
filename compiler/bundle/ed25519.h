// Stage: bundle. Ed25519 keys and signatures through OpenSSL 3: key generation, PEM files
// (PKCS#8 private keys, SubjectPublicKeyInfo public keys, as `openssl genpkey -algorithm ed25519`
// writes them), signing and verification. A key's id is the SHA-256 of its raw 32-byte public key.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polc::bundle {

using PublicKey = std::array<uint8_t, 32>;
using SignatureBytes = std::array<uint8_t, 64>;

// A private key, owned (OpenSSL's EVP_PKEY behind an opaque pointer).
class PrivateKey {
 public:
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;

  static PrivateKey generate();
  // Parses a PEM private key; nullopt (with `error` set) unless it is an unencrypted Ed25519 key.
  static std::optional<PrivateKey> from_pem(const std::string& pem, std::string& error);

  std::string to_pem() const;      // "-----BEGIN PRIVATE KEY-----..."
  std::string public_pem() const;  // "-----BEGIN PUBLIC KEY-----..."
  PublicKey public_key() const;
  SignatureBytes sign(const std::string& message) const;

 private:
  explicit PrivateKey(void* pkey) : pkey_(pkey) {}
  void* pkey_ = nullptr;  // EVP_PKEY*
};

// Parses a PEM public key; nullopt (with `error` set) unless it is Ed25519.
std::optional<PublicKey> public_key_from_pem(const std::string& pem, std::string& error);
// True for encodings no honest key has: points of small order (for which signatures can be forged
// without a private key: the identity point accepts R = identity, S = 0 over any message) and
// non-canonical encodings (y >= p). Trust files refuse them, and no signature verifies under one.
bool is_weak_public_key(const PublicKey& key);
bool verify_signature(const PublicKey& key, const std::string& message, const uint8_t* signature, size_t size);
std::string key_id(const PublicKey& key);  // lowercase hex SHA-256 of the raw key

}  // namespace polc::bundle
