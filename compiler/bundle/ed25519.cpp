// Stage: bundle. Ed25519 through OpenSSL 3's EVP interface (one-shot DigestSign/DigestVerify:
// Ed25519 hashes internally and takes no separate digest).
#include "compiler/bundle/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <stdexcept>

#include "compiler/bundle/sha256.h"

namespace polc::bundle {

namespace {

EVP_PKEY* as_pkey(void* p) { return static_cast<EVP_PKEY*>(p); }

// Failures here mean libcrypto itself is broken (no Ed25519 provider), not bad input.
[[noreturn]] void crypto_failure(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

std::string last_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not a PEM key";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

bool is_ed25519(EVP_PKEY* pkey) { return EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519; }

}  // namespace

PrivateKey::~PrivateKey() { EVP_PKEY_free(as_pkey(pkey_)); }
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : pkey_(other.pkey_) { other.pkey_ = nullptr; }
PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  std::swap(pkey_, other.pkey_);
  return *this;
}

PrivateKey PrivateKey::generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) crypto_failure("Ed25519 key generation");
  return PrivateKey(pkey);
}

std::optional<PrivateKey> PrivateKey::from_pem(const std::string& pem, std::string& error) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) crypto_failure("BIO_new_mem_buf");
  // An empty passphrase callback: an encrypted key is refused rather than prompting.
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(
      bio, nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) {
    error = "not an unencrypted PEM private key (" + last_error() + ")";
    return std::nullopt;
  }
  if (!is_ed25519(pkey)) {
    EVP_PKEY_free(pkey);
    error = "not an Ed25519 key";
    return std::nullopt;
  }
  return PrivateKey(pkey);
}

std::string PrivateKey::to_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, as_pkey(pkey_), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    crypto_failure("PEM_write_bio_PrivateKey");
  return bio_text(bio);
}

std::string PrivateKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, as_pkey(pkey_)) != 1) crypto_failure("PEM_write_bio_PUBKEY");
  return bio_text(bio);
}

PublicKey PrivateKey::public_key() const {
  PublicKey key{};
  size_t size = key.size();
  if (EVP_PKEY_get_raw_public_key(as_pkey(pkey_), key.data(), &size) != 1 || size != key.size())
    crypto_failure("EVP_PKEY_get_raw_public_key");
  return key;
}

SignatureBytes PrivateKey::sign(const std::string& message) const {
  SignatureBytes sig{};
  size_t size = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, as_pkey(pkey_)) == 1 &&
                  EVP_DigestSign(ctx, sig.data(), &size, reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1 &&
                  size == sig.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) crypto_failure("Ed25519 signing");
  return sig;
}

std::optional<PublicKey> public_key_from_pem(const std::string& pem, std::string& error) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) crypto_failure("BIO_new_mem_buf");
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) {
    error = "not a PEM public key (" + last_error() + ")";
    return std::nullopt;
  }
  PublicKey key{};
  size_t size = key.size();
  const bool ok = is_ed25519(pkey) && EVP_PKEY_get_raw_public_key(pkey, key.data(), &size) == 1 && size == key.size();
  EVP_PKEY_free(pkey);
  if (!ok) {
    error = "not an Ed25519 public key";
    return std::nullopt;
  }
  return key;
}

bool is_weak_public_key(const PublicKey& key) {
  // The y coordinates (little-endian, sign bit cleared) of the eight points of order 1, 2, 4 and
  // 8: 0, 1, the two order-8 values, and p - 1. Computed from the curve equation; the same list
  // as libsodium's small-order blocklist.
  static const uint8_t kSmallOrder[][32] = {
      {0},
      {1},
      {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
       0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
      {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
       0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
      {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
  };
  PublicKey y = key;
  y[31] &= 0x7f;
  for (const auto& weak : kSmallOrder)
    if (std::equal(y.begin(), y.end(), weak)) return true;
  // Non-canonical: y >= p = 2^255 - 19, i.e. 0x7fff...ffed and above.
  const bool top_all_ones =
      y[31] == 0x7f && std::all_of(y.begin() + 1, y.begin() + 31, [](uint8_t b) { return b == 0xff; });
  return top_all_ones && y[0] >= 0xed;
}

bool verify_signature(const PublicKey& key, const std::string& message, const uint8_t* signature, size_t size) {
  if (size != 64 || is_weak_public_key(key)) return false;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
  if (pkey == nullptr) return false;  // not a valid curve point: no signature verifies
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, signature, size, reinterpret_cast<const unsigned char*>(message.data()),
                                   message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return ok;
}

std::string key_id(const PublicKey& key) { return sha256_hex(key.data(), key.size()); }

}  // namespace polc::bundle
