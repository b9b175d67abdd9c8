// Unit tests of manifest.json's strict reading (compiler/bundle/bundle_reader.h) on a real signed
// bundle: every malformed field, truncation, other spelling of the same document or oversized file
// is refused as MalformedManifest, however many trusted keys signed it, and nothing it lists is read.
#include <sys/stat.h>

#include "tests/unit/bundle_test_support.h"

using namespace polc;
using namespace polc::test::bundles;

namespace {

// A manifest edit that read_bundle must refuse, and a word its message must hold.
struct ManifestCase {
  const char* what;
  std::function<void(json&)> edit;
  const char* needle;
};

json& first_artifact(json& m) { return m["artifacts"][0]; }

}  // namespace

TEST_CASE("bundle manifest: every malformed field is refused as MalformedManifest, even when signed") {
  const std::vector<ManifestCase> cases = {
      {"format another version", [](json& m) { m["format"] = "polc.bundle/2"; }, "\"format\""},
      {"format missing", [](json& m) { m.erase("format"); }, "\"format\""},
      {"format a number", [](json& m) { m["format"] = 1; }, "\"format\""},
      {"policy not an object", [](json& m) { m["policy"] = "trusty"; }, "policy.name"},
      {"policy.name empty", [](json& m) { m["policy"]["name"] = ""; }, "policy.name"},
      {"policy.name a number", [](json& m) { m["policy"]["name"] = 5; }, "policy.name"},
      {"policy.name missing", [](json& m) { m["policy"].erase("name"); }, "policy.name"},
      {"policy.version a string", [](json& m) { m["policy"]["version"] = "5"; }, "policy.version"},
      {"policy.version negative", [](json& m) { m["policy"]["version"] = -5; }, "policy.version"},
      {"policy.version a float", [](json& m) { m["policy"]["version"] = 5.5; }, "policy.version"},
      {"policy.version a whole float", [](json& m) { m["policy"]["version"] = 5.0; }, "policy.version"},
      {"policy.version above INT64_MAX", [](json& m) { m["policy"]["version"] = uint64_t{1} << 63; }, "policy.version"},
      {"policy.version missing", [](json& m) { m["policy"].erase("version"); }, "policy.version"},
      {"compiler missing", [](json& m) { m.erase("compiler"); }, "\"compiler\""},
      {"compiler not a string", [](json& m) { m["compiler"] = json::array(); }, "\"compiler\""},
      {"artifacts not an array", [](json& m) { m["artifacts"] = json::object(); }, "\"artifacts\" array"},
      {"artifacts missing", [](json& m) { m.erase("artifacts"); }, "\"artifacts\" array"},
      {"sources not an array", [](json& m) { m["sources"] = "sources/"; }, "\"sources\" array"},
      {"sources missing", [](json& m) { m.erase("sources"); }, "\"sources\" array"},
      {"an artifact not an object", [](json& m) { first_artifact(m) = "landlock.json"; }, "no \"path\" string"},
      {"an artifact without a path", [](json& m) { first_artifact(m).erase("path"); }, "no \"path\" string"},
      {"a path not a string", [](json& m) { first_artifact(m)["path"] = 1; }, "no \"path\" string"},
      {"sha256 in uppercase",
       [](json& m) {
         std::string s = first_artifact(m)["sha256"];
         for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         first_artifact(m)["sha256"] = s;
       },
       "sha256"},
      {"sha256 one digit short",
       [](json& m) { first_artifact(m)["sha256"] = first_artifact(m)["sha256"].get<std::string>().substr(1); },
       "sha256"},
      {"sha256 missing", [](json& m) { first_artifact(m).erase("sha256"); }, "sha256"},
      {"sha256 not hex", [](json& m) { first_artifact(m)["sha256"] = std::string(64, 'g'); }, "sha256"},
      {"size negative", [](json& m) { first_artifact(m)["size"] = -1; }, "valid size"},
      {"size a string", [](json& m) { first_artifact(m)["size"] = "100"; }, "valid size"},
      {"size a float", [](json& m) { first_artifact(m)["size"] = 100.5; }, "valid size"},
      {"size missing", [](json& m) { m["sources"][0].erase("size"); }, "valid size"},
      {"a path listed twice", [](json& m) { m["artifacts"].push_back(first_artifact(m)); }, "twice"},
      {"a path both artifact and source", [](json& m) { m["sources"].push_back(first_artifact(m)); }, "twice"},
      {"a path with ..", [](json& m) { first_artifact(m)["path"] = "../trusty/landlock.json"; }, "invalid path"},
      {"a path with .. inside", [](json& m) { first_artifact(m)["path"] = "sources/../landlock.json"; },
       "invalid path"},
      {"an absolute path", [](json& m) { first_artifact(m)["path"] = "/etc/passwd"; }, "invalid path"},
      {"a path with .", [](json& m) { first_artifact(m)["path"] = "./landlock.json"; }, "invalid path"},
      {"a path with an empty component", [](json& m) { m["sources"][0]["path"] = "sources//policy.sbx"; },
       "invalid path"},
      {"a path ending in /", [](json& m) { m["sources"][0]["path"] = "sources/"; }, "invalid path"},
      {"an empty path", [](json& m) { first_artifact(m)["path"] = ""; }, "invalid path"},
      {"a path with a NUL", [](json& m) { first_artifact(m)["path"] = std::string("landlock.json\0x", 15); },
       "invalid path"},
      {"manifest.json listed", [](json& m) { first_artifact(m)["path"] = "manifest.json"; }, "invalid path"},
      {"signatures.json listed", [](json& m) { first_artifact(m)["path"] = "signatures.json"; }, "invalid path"},
      {"expires a number", [](json& m) { m["expires"] = 1801353600; }, "\"expires\""},
      {"expires a date only", [](json& m) { m["expires"] = "2099-01-31"; }, "\"expires\""},
      {"expires not a date", [](json& m) { m["expires"] = "2099-02-30T00:00:00Z"; }, "\"expires\""},
      {"expires with an offset", [](json& m) { m["expires"] = "2099-01-31T00:00:00+01:00"; }, "\"expires\""},
      {"expires null", [](json& m) { m["expires"] = nullptr; }, "\"expires\""},
      {"the document an array", [](json& m) { m = json::array({m}); }, "not a JSON object"},
  };
  const SignedBundle b;
  const std::string pristine = b.manifest();
  for (const ManifestCase& c : cases) {
    INFO(std::string(c.what));
    b.edit_manifest(c.edit);  // and signed by alice and bob: signatures do not make a manifest valid
    Outcome o;
    CHECK_NOTHROW(o = b.check());
    INFO(dump(o.all()));
    CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
    CHECK(mentions(o.bundle.problems, c.needle));
    for (const auto& f : o.bundle.files) CHECK(f.bytes.empty());  // nothing is read by an untrusted manifest
    CHECK_FALSE(o.accepted());
    write_file(b.path(bundle::kManifestFile), pristine);
  }
  b.sign({Alice, Bob});
  CHECK(b.check().accepted());
}

TEST_CASE("bundle manifest: truncated, non-canonical and oversized manifests are refused") {
  const SignedBundle b;
  const std::string pristine = b.manifest();
  const json parsed = json::parse(pristine);

  SUBCASE("truncated at several lengths: a parse error with its offset") {
    for (size_t length : {size_t{0}, size_t{1}, size_t{2}, size_t{17}, pristine.size() / 3, pristine.size() / 2,
                          pristine.size() - 2, pristine.size() - 1}) {
      INFO("length " << length);
      write_file(b.path(bundle::kManifestFile), pristine.substr(0, length));
      b.sign({Alice, Bob});
      Outcome o;
      CHECK_NOTHROW(o = b.check());
      CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
      REQUIRE(o.bundle.problems.size() == 1);
      CHECK(mentions(o.bundle.problems, "not valid JSON"));
      REQUIRE(o.bundle.problems[0].offset.has_value());
      CHECK(*o.bundle.problems[0].offset <= length);
      CHECK_FALSE(o.accepted());
    }
  }

  SUBCASE("the same manifest spelt otherwise, even signed") {
    // Each spelling parses to the same manifest; only the canonical one is accepted, so what is
    // signed is exactly what every reader parses.
    const std::vector<std::pair<const char*, std::string>> spellings = {
        {"pretty-printed", parsed.dump(2)},
        {"a trailing newline", pristine + "\n"},
        {"a leading space", " " + pristine},
        {"a duplicated key", "{\"policy\":{\"name\":\"other\",\"version\":99}," + pristine.substr(1)},
        {"an escaped character",
         [&] {
           std::string s = pristine;
           const size_t at = s.find("\"trusty\"");
           REQUIRE(at != std::string::npos);
           return s.replace(at, 8, "\"\\u0074rusty\"");
         }()},
        {"unsorted keys",
         [&] {
           // "format" moved to the front: the same object, keys out of order.
           json copy = parsed;
           const std::string format = copy["format"];
           copy.erase("format");
           return "{\"format\":\"" + format + "\"," + copy.dump(-1).substr(1);
         }()},
    };
    for (const auto& [what, bytes] : spellings) {
      const std::string shown(what);  // clang 14 cannot capture a structured binding (INFO does)
      INFO(shown);
      REQUIRE(bytes != pristine);
      write_file(b.path(bundle::kManifestFile), bytes);
      b.sign({Alice, Bob});
      const Outcome o = b.check();
      CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
      // A duplicated key is refused while parsing, before the canonical-form check.
      CHECK((mentions(o.bundle.problems, "canonical") || mentions(o.bundle.problems, "appears twice")));
      CHECK_FALSE(o.accepted());
    }
  }

  SUBCASE("invalid UTF-8 in a string") {
    std::string s = pristine;
    s.replace(s.find("\"trusty\""), 8, "\"tr\xffsty\"");
    write_file(b.path(bundle::kManifestFile), s);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
    CHECK(mentions(o.bundle.problems, "not valid JSON"));
  }
  SUBCASE("nested 100,000 levels deep: refused, not a stack overflow") {
    for (const std::string& deep : {std::string(100000, '[') + std::string(100000, ']'),
                                    "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}"}) {
      write_file(b.path(bundle::kManifestFile), deep);
      b.sign({Alice, Bob});
      Outcome o;
      CHECK_NOTHROW(o = b.check());
      CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
      CHECK_FALSE(o.accepted());
    }
  }
  SUBCASE("larger than 16 MiB (sparse, never read)") {
    REQUIRE(truncate(b.path(bundle::kManifestFile).c_str(), (16 << 20) + 1) == 0);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
    CHECK(mentions(o.bundle.problems, "too large"));
  }
  SUBCASE("a symlink to a copy of the manifest") {
    const std::string copy = b.tmp.path() + "/manifest.json";
    REQUIRE(rename(b.path(bundle::kManifestFile).c_str(), copy.c_str()) == 0);
    REQUIRE(symlink(copy.c_str(), b.path(bundle::kManifestFile).c_str()) == 0);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("a digest changed and re-signed: the file no longer matches") {
    b.edit_manifest([](json& m) { m["sources"][0]["sha256"] = std::string(64, '0'); });
    const Outcome o = b.check();
    CHECK(o.report.accepted());            // the signatures are over this manifest...
    CHECK(o.bundle.problems.size() == 1);  // ...which the files do not match
    CHECK(has(o.bundle.problems, ProblemKind::FileModified,
              json::parse(b.manifest())["sources"][0]["path"].get<std::string>()));
    CHECK_FALSE(o.accepted());
  }
}
