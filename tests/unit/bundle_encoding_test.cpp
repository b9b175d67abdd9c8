// Unit tests of the encodings a bundle's trust rests on: UTC times (compiler/bundle/bundle_reader.h),
// strict base64 (compiler/bundle/encoding.h) and Ed25519 keys and signatures
// (compiler/bundle/ed25519.h), including keys made by the openssl command line.
#include <cstdio>

#include "tests/unit/bundle_test_support.h"

using namespace polc;
using namespace polc::test::bundles;

TEST_CASE("bundle expiry: parse_utc_time accepts exactly the two documented forms") {
  CHECK(bundle::parse_utc_time("2027-01-31") == std::time_t{1801353600});
  CHECK(bundle::parse_utc_time("2027-01-31T00:00:00Z") == std::time_t{1801353600});
  CHECK(bundle::parse_utc_time("2027-01-31T12:34:56Z") == std::time_t{1801398896});
  CHECK(bundle::parse_utc_time("1970-01-01T00:00:00Z") == std::time_t{0});
  CHECK(bundle::parse_utc_time("9999-12-31T23:59:59Z") == std::time_t{253402300799});
  CHECK(bundle::parse_utc_time("2024-02-29").has_value());  // leap years
  CHECK(bundle::parse_utc_time("2000-02-29").has_value());
  for (const char* bad : {"2027-02-30",
                          "2023-02-29",
                          "2100-02-29",
                          "2027-13-01",
                          "2027-00-10",
                          "2027-01-00",
                          "2027-01-32",
                          "2027-04-31",
                          "2027-01-31T24:00:00Z",
                          "2027-01-31T23:60:00Z",
                          "2027-01-31T23:59:60Z",
                          "2027-01-31T12:00:00",
                          "2027-01-31T12:00:00z",
                          "2027-01-31t12:00:00Z",
                          "2027-01-31T12:00:00Zx",
                          "2027-01-31T12:00:00Z ",
                          "2027-01-31x",
                          "2027-01-31 ",
                          "2027-01-31 12:00:00Z",
                          "2027-01-31T12:00:00+00:00",
                          "2027-01-31T12:00Z",
                          "2027-01-31T12:00:00.5Z",
                          "1969-12-31",
                          "",
                          "27-01-31",
                          "2027/01/31",
                          "20270131",
                          "2027-1-31",
                          "2027-01-1",
                          " 2027-1-31",
                          "2027-+1-31",
                          "2027-01-+1",
                          "2027- 1-31",
                          "2027-01-31T+1:00:00Z",
                          "2027-01-31T 1:00:00Z",
                          "2027-01-31T01:-0:00Z",
                          "+2027-01-31",
                          "-2027-01-31"}) {
    const std::string text = bad;
    INFO(text);
    CHECK_FALSE(bundle::parse_utc_time(bad).has_value());
  }
  CHECK_FALSE(bundle::parse_utc_time(std::string("2027-01-31\0", 11)).has_value());
}

TEST_CASE("bundle expiry: format_utc_time is canonical and round-trips through parse_utc_time") {
  CHECK(bundle::format_utc_time(0) == "1970-01-01T00:00:00Z");
  CHECK(bundle::format_utc_time(1801398896) == "2027-01-31T12:34:56Z");
  CHECK(bundle::format_utc_time(*bundle::parse_utc_time("2027-01-31")) == "2027-01-31T00:00:00Z");
  for (std::time_t t : {std::time_t{0}, std::time_t{1}, std::time_t{951782400} /* 2000-02-29 */,
                        std::time_t{1801398896}, std::time(nullptr), std::time_t{253402300799}}) {
    INFO(t);
    CHECK(bundle::parse_utc_time(bundle::format_utc_time(t)) == t);
  }
}

TEST_CASE("base64: RFC 4648 vectors, round trips, and a strict decoder") {
  auto bytes = [](const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  const std::vector<std::pair<std::string, std::string>> vectors = {{"f", "Zg=="},         {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},       {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  CHECK(bundle::base64_encode(std::vector<uint8_t>{}).empty());
  for (const auto& [plain, encoded] : vectors) {
    const std::string& shown = plain;  // clang 14 cannot capture a structured binding (INFO does)
    INFO(shown);
    CHECK(bundle::base64_encode(bytes(plain)) == encoded);
    CHECK(bundle::base64_decode(encoded) == bytes(plain));
  }
  // Every length up to 100 and every byte value round-trip.
  for (size_t n = 1; n <= 100; ++n) {
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 37 + n * 11);
    CHECK(bundle::base64_decode(bundle::base64_encode(data)) == data);
  }
  size_t single = 0;
  for (int v = 0; v < 256; ++v) {
    const std::vector<uint8_t> one{static_cast<uint8_t>(v)};
    single += bundle::base64_decode(bundle::base64_encode(one)) == one;
  }
  CHECK(single == 256);
  // One spelling per value: anything else is refused, not repaired.
  for (const char* bad :
       {"",     "Zg",       "Zg=",       "Zm8",      "Zh==",  "Zm9=",  "Zn==",       "Z===",         "====",
        "=Zg=", "Zg==Zg==", "Zm9v====",  "Zg==\n",   " Zg==", "Zg== ", "Zm9v\nYg==", "Zm9v\r\nYg==", "Zm-v",
        "Zm_v", "Zm9v!A==", "Zm9vYmFy=", "Zm9vYmF=y"}) {
    const std::string text = bad;
    INFO(text);
    CHECK_FALSE(bundle::base64_decode(bad).has_value());
  }
  CHECK_FALSE(bundle::base64_decode(std::string("Zm\0v", 4)).has_value());
  CHECK(bundle::is_lower_hex("0123456789abcdef", 16));
  CHECK_FALSE(bundle::is_lower_hex("0123456789ABCDEF", 16));
  CHECK_FALSE(bundle::is_lower_hex("0123456789abcdef", 15));
  CHECK_FALSE(bundle::is_lower_hex("0123456789abcdeg", 16));
}

namespace {

// Runs a shell command and returns its standard output, or nullopt when it failed.
std::optional<std::string> run(const std::string& command) {
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

bool have_openssl() { return run("openssl version").has_value(); }

}  // namespace

TEST_CASE("ed25519: keys round-trip through PEM and their id is the SHA-256 of the raw public key") {
  const bundle::PrivateKey& k = key(Alice);
  const std::string pem = k.to_pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  std::string error;
  const auto back = bundle::PrivateKey::from_pem(pem, error);
  REQUIRE_MESSAGE(back, error);
  CHECK(back->public_key() == k.public_key());
  CHECK(back->to_pem() == pem);
  const std::string message = bundle::signing_message("{}");
  CHECK(back->sign(message) == k.sign(message));  // deterministic, and the same key

  const std::string pub_pem = k.public_pem();
  CHECK(pub_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  const auto pub = bundle::public_key_from_pem(pub_pem, error);
  REQUIRE_MESSAGE(pub, error);
  CHECK(*pub == k.public_key());

  // The id is over the raw 32 bytes, which are the last 32 of the 44-byte SubjectPublicKeyInfo.
  const std::string body = pub_pem.substr(27, pub_pem.find("\n-----END") - 27);
  const auto der = bundle::base64_decode(body);
  REQUIRE(der);
  REQUIRE(der->size() == 44);
  CHECK(std::equal(der->end() - 32, der->end(), k.public_key().begin()));
  CHECK(bundle::key_id(k.public_key()) == bundle::sha256_hex(k.public_key().data(), 32));
  CHECK(bundle::key_id(k.public_key()) != bundle::sha256_hex(*der));
  CHECK(bundle::is_lower_hex(id_of(Alice), 64));
  CHECK(id_of(Alice) != id_of(Bob));

  // Signatures verify under their key only, over their message only.
  const bundle::SignatureBytes sig = k.sign(message);
  CHECK(bundle::verify_signature(k.public_key(), message, sig.data(), sig.size()));
  CHECK_FALSE(bundle::verify_signature(key(Bob).public_key(), message, sig.data(), sig.size()));
  CHECK_FALSE(bundle::verify_signature(k.public_key(), message + " ", sig.data(), sig.size()));
  CHECK_FALSE(bundle::verify_signature(k.public_key(), message, sig.data(), 63));
  bundle::PublicKey not_a_point{};
  not_a_point.fill(0xff);
  CHECK_FALSE(bundle::verify_signature(not_a_point, message, sig.data(), sig.size()));
}

TEST_CASE("ed25519: anything but an unencrypted Ed25519 PEM key is refused") {
  std::string error;
  for (const std::string& junk :
       {std::string(), std::string("not a key"), key(Alice).public_pem(), key(Alice).to_pem().substr(0, 60)}) {
    error.clear();
    CHECK_FALSE(bundle::PrivateKey::from_pem(junk, error).has_value());
    CHECK_FALSE(error.empty());
  }
  for (const std::string& junk : {std::string(), std::string("-----BEGIN PUBLIC KEY-----\n"), key(Alice).to_pem()}) {
    error.clear();
    CHECK_FALSE(bundle::public_key_from_pem(junk, error).has_value());
    CHECK_FALSE(error.empty());
  }
  if (!have_openssl()) {
    MESSAGE("openssl not found: other key types not tested");
    return;
  }
  struct Other {
    const char* what;
    const char* command;
    const char* error;
  };
  for (const Other& o :
       {Other{"EC P-256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", "not an Ed25519 key"},
        Other{"RSA 1024", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024", "not an Ed25519 key"},
        Other{"X25519", "openssl genpkey -algorithm X25519", "not an Ed25519 key"},
        Other{"Ed448", "openssl genpkey -algorithm ED448", "not an Ed25519 key"},
        Other{"encrypted Ed25519", "openssl genpkey -algorithm ED25519 -aes-256-cbc -pass pass:secret",
              "not an unencrypted PEM private key"}}) {
    INFO(std::string(o.what));
    const auto pem = run(o.command);
    REQUIRE(pem);
    error.clear();
    CHECK_FALSE(bundle::PrivateKey::from_pem(*pem, error).has_value());
    CHECK(error.find(o.error) != std::string::npos);
    if (std::string(o.what) != "encrypted Ed25519") {
      const auto pub = run("printf '%s' '" + *pem + "' | openssl pkey -pubout");
      REQUIRE(pub);
      error.clear();
      CHECK_FALSE(bundle::public_key_from_pem(*pub, error).has_value());
      CHECK(error == "not an Ed25519 public key");
    }
  }
  // openssl's own Ed25519 keys are read, and polc's key id matches the raw key openssl prints.
  const auto pem = run("openssl genpkey -algorithm ED25519");
  REQUIRE(pem);
  const auto k = bundle::PrivateKey::from_pem(*pem, error);
  REQUIRE_MESSAGE(k, error);
  const auto pub = run("printf '%s' '" + *pem + "' | openssl pkey -pubout");
  REQUIRE(pub);
  CHECK(bundle::public_key_from_pem(*pub, error) == k->public_key());
}

TEST_CASE("ed25519: public keys of small order or non-canonical encoding are weak, and verify nothing") {
  // The y coordinates of the eight small-order points (either sign of x), and y = p, p + 1 (y >= p
  // is non-canonical). Under the identity point, R = identity and S = 0 satisfy the verification
  // equation for every message: a trust file listing it would accept a forgery.
  std::vector<bundle::PublicKey> weak;
  auto y = [](std::initializer_list<uint8_t> low, uint8_t top, uint8_t fill) {
    bundle::PublicKey k{};
    k.fill(fill);
    size_t i = 0;
    for (uint8_t b : low) k[i++] = b;
    k[31] = top;
    return k;
  };
  weak.push_back(y({0}, 0x00, 0x00));
  weak.push_back(y({1}, 0x00, 0x00));
  weak.push_back(y({0xec}, 0x7f, 0xff));  // p - 1
  weak.push_back(y({0xed}, 0x7f, 0xff));  // p
  weak.push_back(y({0xee}, 0x7f, 0xff));  // p + 1
  weak.push_back(y({0xff}, 0x7f, 0xff));  // 2^255 - 1
  const size_t unsigned_count = weak.size();
  for (size_t i = 0; i < unsigned_count; ++i) {
    bundle::PublicKey negative = weak[i];
    negative[31] |= 0x80;
    weak.push_back(negative);
  }
  for (const bundle::PublicKey& k : weak) CHECK(bundle::is_weak_public_key(k));

  bundle::PublicKey identity{};
  identity[0] = 1;
  uint8_t forged[64] = {1};  // R = the identity's encoding, S = 0
  CHECK_FALSE(bundle::verify_signature(identity, "polc.signature/1\n{}", forged, sizeof forged));

  for (int i = 0; i < 64; ++i) CHECK_FALSE(bundle::is_weak_public_key(bundle::PrivateKey::generate().public_key()));
}
