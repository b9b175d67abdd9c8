// Unit tests of the trust decision (compiler/bundle/trust.h) on a real signed bundle: thresholds,
// duplicate, forged and unknown signatures, expiry, rollback; and the strict parsing of
// signatures.json and trust files, whose every fault is a Problem, never an exception.
#include "tests/unit/bundle_test_support.h"

using namespace polc;
using namespace polc::test::bundles;
using State = bundle::SignerStatus::State;

TEST_CASE("trust threshold: 2-of-3 is accepted with two or three distinct signers, not fewer") {
  const SignedBundle b;
  SUBCASE("0, 1, 2 and 3 signers") {
    struct Row {
      std::vector<Signer> signers;
      unsigned valid;
      bool accepted;
    };
    for (const Row& row : std::vector<Row>{
             {{}, 0, false}, {{Carol}, 1, false}, {{Alice, Carol}, 2, true}, {{Alice, Bob, Carol}, 3, true}}) {
      INFO(row.signers.size() << " signers");
      b.sign(row.signers);
      const Outcome o = b.check();
      INFO(dump(o.all()));
      CHECK(o.bundle.intact());
      CHECK(o.bundle.signatures_bytes.has_value() == !row.signers.empty());
      CHECK(o.report.valid_signers == row.valid);
      CHECK(o.report.accepted() == row.accepted);
      CHECK(has(o.report.problems, ProblemKind::TooFewSigners, bundle::kSignaturesFile) == !row.accepted);
      CHECK(o.report.problems.size() == (row.accepted ? 0u : 1u));
    }
  }
  SUBCASE("not signed by: names the missing keys") {
    b.sign({Bob});
    const Outcome o = b.check();
    CHECK(mentions(o.report.problems, "1 of the 2 distinct trusted signatures needed"));
    CHECK(mentions(o.report.problems, "alice"));
    CHECK(mentions(o.report.problems, "carol"));
    CHECK(o.report.signers[0].state == State::Missing);
    CHECK(o.report.signers[1].state == State::Signed);
    CHECK(o.report.signers[2].state == State::Missing);
  }
  SUBCASE("threshold 3 of 3 with two signers") {
    const Outcome o = check_dir(b.dir, trust_of(trust_doc(3, {Alice, Bob, Carol})));
    CHECK(has(o.report.problems, ProblemKind::TooFewSigners));
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("threshold 1 with one good signature") {
    b.sign({Carol});
    CHECK(check_dir(b.dir, trust_of(trust_doc(1, {Alice, Bob, Carol}))).accepted());
    CHECK(check_dir(b.dir, trust_of(trust_doc(1, {Carol}))).accepted());
    b.sign({});
    CHECK_FALSE(check_dir(b.dir, trust_of(trust_doc(1, {Carol}))).accepted());
  }
}

TEST_CASE("trust signatures: one key twice counts once") {
  const SignedBundle b;
  const std::string m = b.manifest();
  b.write_signatures(
      b.signatures_doc({{id_of(Alice), signature_by(Alice, m)}, {id_of(Alice), signature_by(Alice, m)}}));
  Outcome o = b.check();
  CHECK(o.bundle.intact());
  CHECK(o.report.valid_signers == 1);
  CHECK(o.report.problems.size() == 1);
  CHECK(has(o.report.problems, ProblemKind::TooFewSigners));
  // Twice alice plus bob: two distinct signers, accepted.
  b.write_signatures(b.signatures_doc({{id_of(Alice), signature_by(Alice, m)},
                                       {id_of(Bob), signature_by(Bob, m)},
                                       {id_of(Alice), signature_by(Alice, m)}}));
  o = b.check();
  CHECK(o.report.valid_signers == 2);
  CHECK(o.accepted());
  // signatures_json (what polc sign writes) keeps one entry per key.
  bundle::Signatures twice{bundle::sha256_hex(m),
                           {{id_of(Alice), signature_by(Alice, m)}, {id_of(Alice), signature_by(Alice, m)}}};
  CHECK(json::parse(bundle::signatures_json(twice))["signatures"].size() == 1);
}

TEST_CASE("trust signatures: a forged, a misattributed or a stale signature is a BadSignature") {
  const SignedBundle b;
  const std::string m = b.manifest();
  SUBCASE("labelled alice, made by bob (with bob and carol also valid)") {
    b.write_signatures(b.signatures_doc({{id_of(Alice), signature_by(Bob, m)},
                                         {id_of(Bob), signature_by(Bob, m)},
                                         {id_of(Carol), signature_by(Carol, m)}}));
    const Outcome o = b.check();
    CHECK(o.report.valid_signers == 2);  // the threshold is met...
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::BadSignature, bundle::kSignaturesFile));  // ...but a bad one rejects
    CHECK(mentions(o.report.problems, "alice"));
    CHECK(o.report.signers[0].state == State::Invalid);
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("a bad then a good signature by the same key stay invalid") {
    b.write_signatures(b.signatures_doc({{id_of(Alice), signature_by(Bob, m)},
                                         {id_of(Alice), signature_by(Alice, m)},
                                         {id_of(Bob), signature_by(Bob, m)}}));
    const Outcome o = b.check();
    CHECK(o.report.signers[0].state == State::Invalid);
    CHECK(has(o.report.problems, ProblemKind::BadSignature));
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("over the manifest without the context line") {
    const bundle::SignatureBytes raw = key(Alice).sign(m);
    b.write_signatures(b.signatures_doc(
        {{id_of(Alice), bundle::base64_encode(raw.data(), raw.size())}, {id_of(Bob), signature_by(Bob, m)}}));
    CHECK(has(b.check().report.problems, ProblemKind::BadSignature));
  }
  SUBCASE("made for an earlier manifest (the same policy, another expiry)") {
    b.edit_manifest([](json& mf) { mf["expires"] = "2099-01-01T00:00:00Z"; });
    const std::string newer = b.manifest();
    REQUIRE(newer != m);
    b.write_signatures(
        b.signatures_doc({{id_of(Alice), signature_by(Alice, m)}, {id_of(Bob), signature_by(Bob, newer)}}));
    const Outcome o = b.check();
    CHECK(has(o.report.problems, ProblemKind::BadSignature));
    CHECK(o.report.valid_signers == 1);
  }
  SUBCASE("every single bit of a signature flipped") {
    const std::string good = signature_by(Alice, m);
    const auto raw = bundle::base64_decode(good);
    REQUIRE(raw);
    size_t rejected = 0;
    for (size_t bit = 0; bit < raw->size() * 8; ++bit) {
      std::vector<uint8_t> bad = *raw;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      rejected +=
          !bundle::verify_signature(key(Alice).public_key(), bundle::signing_message(m), bad.data(), bad.size());
    }
    CHECK(rejected == 512);
    CHECK(bundle::verify_signature(key(Alice).public_key(), bundle::signing_message(m), raw->data(), raw->size()));
  }
}

TEST_CASE("trust signatures: a signature by an unknown key rejects even when the threshold is met") {
  const SignedBundle b({Alice, Bob, Dave});
  const Outcome o = b.check();
  CHECK(o.bundle.intact());
  CHECK(o.report.valid_signers == 2);
  CHECK(o.report.problems.size() == 1);
  CHECK(has(o.report.problems, ProblemKind::UnknownSigner, bundle::kSignaturesFile));
  CHECK(o.report.unknown_signers == std::vector<std::string>{id_of(Dave)});
  CHECK(mentions(o.report.problems, id_of(Dave).substr(0, 16)));
  CHECK_FALSE(o.accepted());
  // A trust file that lists dave accepts the same bundle.
  CHECK(check_dir(b.dir, trust_of(trust_doc(2, {Alice, Bob, Carol, Dave}))).accepted());
}

TEST_CASE("trust expiry: a bundle is accepted strictly before its expires time") {
  const SignedBundle b;
  const std::time_t now = std::time(nullptr);
  SUBCASE("in the past") {
    b.edit_manifest([&](json& m) { m["expires"] = bundle::format_utc_time(now - 86400); });
    const Outcome o = b.check(now);
    CHECK(o.bundle.intact());
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::Expired, bundle::kManifestFile));
    CHECK(mentions(o.report.problems, "expired at " + bundle::format_utc_time(now - 86400)));
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("in the future, and the boundary") {
    const std::time_t at = now + 3600;
    b.edit_manifest([&](json& m) { m["expires"] = bundle::format_utc_time(at); });
    const Outcome o = b.check(now);
    CHECK(o.accepted());
    CHECK(o.bundle.manifest.expires == bundle::format_utc_time(at));
    CHECK(o.bundle.expires_at == at);
    CHECK(bundle::evaluate_trust(o.bundle, b.trust, at - 1).accepted());
    const auto at_expiry = bundle::evaluate_trust(o.bundle, b.trust, at);  // expires_at <= now: expired
    CHECK(at_expiry.problems.size() == 1);
    CHECK(has(at_expiry.problems, ProblemKind::Expired));
    CHECK(has(bundle::evaluate_trust(o.bundle, b.trust, at + 1).problems, ProblemKind::Expired));
  }
  SUBCASE("an expiry added without signing again") {
    const std::string signatures = read_file(b.path(bundle::kSignaturesFile));
    b.edit_manifest([&](json& m) { m["expires"] = "2099-01-01T00:00:00Z"; });
    write_file(b.path(bundle::kSignaturesFile), signatures);
    const Outcome o = b.check(now);
    CHECK(has(o.report.problems, ProblemKind::MalformedSignatures));  // made for another manifest
    CHECK_FALSE(o.accepted());
  }
}

TEST_CASE("trust rollback: the policy must be named at or above its minimum version") {
  const SignedBundle b;
  CHECK(check_dir(b.dir, trust_of(trust_doc(2, {Alice, Bob, Carol}, kPolicyVersion))).accepted());
  CHECK(check_dir(b.dir, trust_of(trust_doc(2, {Alice, Bob, Carol}, 0))).accepted());
  {
    const Outcome o = check_dir(b.dir, trust_of(trust_doc(2, {Alice, Bob, Carol}, kPolicyVersion + 1)));
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::Rollback, bundle::kManifestFile));
    CHECK(o.report.min_version == kPolicyVersion + 1);
    CHECK(mentions(o.report.problems, "version 5 is below"));
  }
  {
    // An older version, properly signed in its day, is still a rollback.
    b.edit_manifest([](json& m) { m["policy"]["version"] = kPolicyVersion - 1; });
    const Outcome o = b.check();
    CHECK(o.bundle.intact());
    CHECK(o.report.valid_signers == 2);
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::Rollback));
  }
  {
    const Outcome o = check_dir(b.dir, trust_of(trust_doc(2, {Alice, Bob, Carol}, std::nullopt)));
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::PolicyNotTrusted, "trust.json"));
    CHECK_FALSE(o.report.min_version.has_value());
  }
  {
    json doc = trust_doc(2, {Alice, Bob, Carol}, std::nullopt);
    doc["policies"]["TRUSTY"] = {{"min_version", 1}};  // names are exact
    CHECK(has(check_dir(b.dir, trust_of(doc)).report.problems, ProblemKind::PolicyNotTrusted));
  }
}

TEST_CASE("trust signatures.json: every malformation is reported, never thrown") {
  const SignedBundle b;
  const std::string m = b.manifest();
  const json good = b.signatures_doc({{id_of(Alice), signature_by(Alice, m)}, {id_of(Bob), signature_by(Bob, m)}});
  const std::string good_bytes = good.dump(-1);
  struct Case {
    const char* what;
    std::string bytes;
    ProblemKind kind;
  };
  auto with = [&](const std::function<void(json&)>& edit) {
    json doc = good;
    edit(doc);
    return doc.dump(-1);
  };
  // The signature by alice, with its canonical padding bits set: OpenSSL decodes it to the same
  // 64 bytes, so only the strict decoder stands between it and a second valid spelling.
  std::string trailing = signature_by(Alice, m);
  REQUIRE(trailing.size() == 88);
  REQUIRE(trailing.substr(86) == "==");
  {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    trailing[85] = alphabet[alphabet.find(trailing[85]) | 1];
  }
  const std::vector<Case> cases = {
      {"empty", "", ProblemKind::MalformedSignatures},
      {"truncated", good_bytes.substr(0, good_bytes.size() / 2), ProblemKind::MalformedSignatures},
      {"truncated by one", good_bytes.substr(0, good_bytes.size() - 1), ProblemKind::MalformedSignatures},
      {"not an object", "[" + good_bytes + "]", ProblemKind::MalformedSignatures},
      {"another format", with([](json& d) { d["format"] = "polc.signatures/2"; }), ProblemKind::MalformedSignatures},
      {"no format", with([](json& d) { d.erase("format"); }), ProblemKind::MalformedSignatures},
      {"an unknown key", with([](json& d) { d["comment"] = "hi"; }), ProblemKind::MalformedSignatures},
      {"an unknown key in an entry", with([](json& d) { d["signatures"][0]["note"] = 1; }),
       ProblemKind::MalformedSignatures},
      {"for another manifest", with([](json& d) { d["manifest_sha256"] = bundle::sha256_hex(std::string("x")); }),
       ProblemKind::MalformedSignatures},
      {"manifest_sha256 in uppercase", with([&](json& d) {
         std::string s = bundle::sha256_hex(m);
         for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         d["manifest_sha256"] = s;
       }),
       ProblemKind::MalformedSignatures},
      {"no manifest_sha256", with([](json& d) { d.erase("manifest_sha256"); }), ProblemKind::MalformedSignatures},
      {"signatures not an array", with([](json& d) { d["signatures"] = json::object(); }),
       ProblemKind::MalformedSignatures},
      {"an entry not an object", with([](json& d) { d["signatures"].push_back("sig"); }),
       ProblemKind::MalformedSignatures},
      {"another algorithm", with([](json& d) { d["signatures"][0]["algorithm"] = "rsa"; }),
       ProblemKind::MalformedSignatures},
      {"no algorithm", with([](json& d) { d["signatures"][0].erase("algorithm"); }), ProblemKind::MalformedSignatures},
      {"key_id in uppercase", with([&](json& d) {
         std::string s = id_of(Alice);
         for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         d["signatures"][0]["key_id"] = s;
       }),
       ProblemKind::MalformedSignatures},
      {"key_id short", with([&](json& d) { d["signatures"][0]["key_id"] = id_of(Alice).substr(0, 16); }),
       ProblemKind::MalformedSignatures},
      {"signature a number", with([](json& d) { d["signatures"][0]["signature"] = 7; }),
       ProblemKind::MalformedSignatures},
      {"signature not base64", with([](json& d) { d["signatures"][0]["signature"] = "!!!!"; }),
       ProblemKind::BadSignature},
      {"signature empty", with([](json& d) { d["signatures"][0]["signature"] = ""; }), ProblemKind::BadSignature},
      {"signature with trailing bits set", with([&](json& d) { d["signatures"][0]["signature"] = trailing; }),
       ProblemKind::BadSignature},
      {"signature unpadded",
       with([&](json& d) { d["signatures"][0]["signature"] = signature_by(Alice, m).substr(0, 86); }),
       ProblemKind::BadSignature},
      {"signature with a line break",
       with([&](json& d) { d["signatures"][0]["signature"] = signature_by(Alice, m).insert(64, "\n"); }),
       ProblemKind::BadSignature},
      {"signature of 63 bytes",
       with([](json& d) { d["signatures"][0]["signature"] = bundle::base64_encode(std::vector<uint8_t>(63, 1)); }),
       ProblemKind::BadSignature},
      {"signature of 65 bytes", with([&](json& d) {
         auto raw = *bundle::base64_decode(signature_by(Alice, m));
         raw.push_back(0);
         d["signatures"][0]["signature"] = bundle::base64_encode(raw);
       }),
       ProblemKind::BadSignature},
      {"an unknown key id", with([&](json& d) { d["signatures"][0]["key_id"] = std::string(64, 'a'); }),
       ProblemKind::UnknownSigner},
  };
  for (const Case& c : cases) {
    INFO(std::string(c.what));
    write_file(b.path(bundle::kSignaturesFile), c.bytes);
    Outcome o;
    CHECK_NOTHROW(o = b.check());
    INFO(dump(o.all()));
    CHECK(o.bundle.intact());  // signatures.json is not part of the bundle's integrity
    CHECK(has(o.report.problems, c.kind, bundle::kSignaturesFile));
    CHECK_FALSE(o.report.accepted());
  }
  // The base line: the good document passes; the trailing-bit spelling is refused by the decoder.
  write_file(b.path(bundle::kSignaturesFile), good_bytes);
  CHECK(b.check().accepted());
  CHECK(bundle::base64_decode(trailing) == std::nullopt);
  SUBCASE("nested 100,000 levels deep: refused, not a stack overflow") {
    write_file(b.path(bundle::kSignaturesFile),
               "{\"signatures\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
    Outcome o;
    CHECK_NOTHROW(o = b.check());
    CHECK(has(o.report.problems, ProblemKind::MalformedSignatures));
    CHECK_FALSE(o.report.accepted());
  }
  SUBCASE("no signatures at all") {
    write_file(b.path(bundle::kSignaturesFile), with([](json& d) { d["signatures"] = json::array(); }));
    const Outcome o = b.check();
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::TooFewSigners));
  }
}

namespace {

struct TrustCase {
  const char* what;
  std::function<void(json&)> edit;
  const char* needle;  // what the message names
};

}  // namespace

TEST_CASE("trust file: every malformed field is refused as MalformedTrust, never thrown") {
  const json good = trust_doc(2, {Alice, Bob, Carol});
  const std::vector<TrustCase> cases = {
      {"not JSON", [](json& d) { d = "{"; }, "not valid JSON"},
      {"an array", [](json& d) { d = json::array({d}); }, "not a JSON object"},
      {"another format", [](json& d) { d["format"] = "polc.trust/2"; }, "\"format\""},
      {"no format", [](json& d) { d.erase("format"); }, "\"format\""},
      {"a misspelt key", [](json& d) { d["treshold"] = 1; }, "unknown key \"treshold\""},
      {"threshold 0", [](json& d) { d["threshold"] = 0; }, "\"threshold\""},
      {"threshold negative", [](json& d) { d["threshold"] = -1; }, "\"threshold\""},
      {"threshold a float", [](json& d) { d["threshold"] = 1.5; }, "\"threshold\""},
      {"threshold a string", [](json& d) { d["threshold"] = "2"; }, "\"threshold\""},
      {"threshold missing", [](json& d) { d.erase("threshold"); }, "\"threshold\""},
      {"threshold above the key count", [](json& d) { d["threshold"] = 4; }, "more than the 3 usable key(s)"},
      {"threshold huge", [](json& d) { d["threshold"] = uint64_t{1} << 40; }, "\"threshold\""},
      {"keys missing", [](json& d) { d.erase("keys"); }, "\"keys\""},
      {"keys empty", [](json& d) { d["keys"] = json::array(); }, "\"keys\""},
      {"keys an object", [](json& d) { d["keys"] = d["keys"][0]; }, "\"keys\""},
      {"a key not an object", [](json& d) { d["keys"][0] = d["keys"][0]["public_key"]; }, "key 1 is not an object"},
      {"an unknown key in a key", [](json& d) { d["keys"][1]["comment"] = "x"; }, "unknown key \"comment\" in key 2"},
      {"a key's name not a string", [](json& d) { d["keys"][0]["name"] = 1; }, "\"name\""},
      {"public_key of 31 bytes",
       [](json& d) { d["keys"][0]["public_key"] = bundle::base64_encode(std::vector<uint8_t>(31, 7)); },
       "\"public_key\""},
      {"public_key of 33 bytes",
       [](json& d) { d["keys"][0]["public_key"] = bundle::base64_encode(std::vector<uint8_t>(33, 7)); },
       "\"public_key\""},
      {"public_key not base64", [](json& d) { d["keys"][0]["public_key"] = "not base64"; }, "\"public_key\""},
      {"public_key as PEM", [](json& d) { d["keys"][0]["public_key"] = key(Alice).public_pem(); }, "\"public_key\""},
      {"public_key missing", [](json& d) { d["keys"][0].erase("public_key"); }, "\"public_key\""},
      {"id of another key", [](json& d) { d["keys"][0]["id"] = d["keys"][1]["id"]; }, "\"id\" is not the SHA-256"},
      {"id in uppercase",
       [](json& d) {
         std::string s = d["keys"][0]["id"];
         for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         d["keys"][0]["id"] = s;
       },
       "\"id\" is not the SHA-256"},
      {"id missing", [](json& d) { d["keys"][0].erase("id"); }, "\"id\""},
      {"a key listed twice", [](json& d) { d["keys"][2] = d["keys"][0]; }, "a second time"},
      {"a key listed twice under another name",
       [](json& d) {
         d["keys"].push_back(d["keys"][0]);
         d["keys"][3]["name"] = "mallory";
       },
       "a second time"},
      {"policies missing", [](json& d) { d.erase("policies"); }, "\"policies\""},
      {"policies an array", [](json& d) { d["policies"] = json::array(); }, "\"policies\""},
      {"a policy not an object", [](json& d) { d["policies"]["trusty"] = 5; }, "policy \"trusty\" is not an object"},
      {"min_version negative", [](json& d) { d["policies"]["trusty"]["min_version"] = -1; }, "\"min_version\""},
      {"min_version a string", [](json& d) { d["policies"]["trusty"]["min_version"] = "5"; }, "\"min_version\""},
      {"min_version a float", [](json& d) { d["policies"]["trusty"]["min_version"] = 5.0; }, "\"min_version\""},
      {"min_version above INT64_MAX", [](json& d) { d["policies"]["trusty"]["min_version"] = uint64_t{1} << 63; },
       "\"min_version\""},
      {"min_version missing", [](json& d) { d["policies"]["trusty"].erase("min_version"); }, "\"min_version\""},
      {"an unknown key in a policy", [](json& d) { d["policies"]["trusty"]["max_version"] = 9; },
       "unknown key \"max_version\""},
  };
  SUBCASE("each field wrong in turn") {
    for (const TrustCase& c : cases) {
      INFO(std::string(c.what));
      json doc = good;
      c.edit(doc);
      const std::string bytes = doc.is_string() ? doc.get<std::string>() : doc.dump(2);
      Problems problems;
      std::optional<bundle::Trust> trust;
      CHECK_NOTHROW(trust = bundle::parse_trust(bytes, "etc/trust.json", problems));
      INFO(dump(problems));
      CHECK_FALSE(trust.has_value());
      CHECK(only(problems, ProblemKind::MalformedTrust));
      CHECK(has(problems, ProblemKind::MalformedTrust, "etc/trust.json"));
      CHECK(mentions(problems, c.needle));
    }
  }
  SUBCASE("nested 100,000 levels deep: refused, not a stack overflow") {
    Problems problems;
    std::optional<bundle::Trust> trust;
    CHECK_NOTHROW(trust = bundle::parse_trust("{\"keys\":" + std::string(100000, '[') + std::string(100000, ']') + "}",
                                              "t", problems));
    CHECK_FALSE(trust.has_value());
    CHECK(only(problems, ProblemKind::MalformedTrust));
  }
  SUBCASE("truncated at every length") {
    const std::string bytes = good.dump(-1);
    size_t refused = 0;
    for (size_t n = 0; n < bytes.size(); ++n) {
      Problems problems;
      refused += !bundle::parse_trust(bytes.substr(0, n), "t", problems) && only(problems, ProblemKind::MalformedTrust);
    }
    CHECK(refused == bytes.size());
  }
  SUBCASE("the good file: every field as written") {
    Problems problems;
    const auto trust = bundle::parse_trust(good.dump(), "etc/trust.json", problems);
    REQUIRE(trust);
    CHECK(problems.empty());
    CHECK(trust->file == "etc/trust.json");
    CHECK(trust->threshold == 2);
    REQUIRE(trust->keys.size() == 3);
    CHECK(trust->keys[1].name == "bob");
    CHECK(trust->keys[1].id == id_of(Bob));
    CHECK(trust->keys[1].public_key == key(Bob).public_key());
    CHECK(trust->policies.at("trusty").min_version == kPolicyVersion);
    // A key without a name, a policy with no bundle yet, and compact spelling are all fine.
    json other = good;
    other["keys"][0].erase("name");
    other["policies"]["later"] = {{"min_version", 0}};
    const auto t2 = bundle::parse_trust(other.dump(-1), "t", problems);
    REQUIRE(t2);
    CHECK(t2->keys[0].name.empty());
    CHECK(t2->policies.size() == 2);
  }
}
