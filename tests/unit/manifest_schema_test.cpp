// Unit tests of manifest.json's one type (compiler/bundle/manifest_schema.h): every golden
// bundle's manifest reads without a problem and writes back to the same bytes, and what is read
// is what the manifest says.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/bundle/manifest_schema.h"

using namespace polc;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("manifest schema: to_json(from_json(x)) == x for every golden bundle's manifest") {
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/tests/golden/build")) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 23 || name.compare(name.size() - 23, 23, ".manifest.json.expected") != 0) continue;
    INFO(name);
    const std::string bytes = read_file(entry.path());
    bundle::Problems problems;
    const bundle::Manifest m = bundle::from_json(bytes, problems);
    CHECK(problems.empty());
    CHECK(bundle::to_json(m) == bytes);
    bundle::Problems again;
    CHECK(bundle::from_json(bundle::to_json(m), again) == m);
    ++checked;
  }
  CHECK(checked >= 5);
}

TEST_CASE("manifest schema: the fields read are the manifest's") {
  const std::string bytes =
      read_file(std::string(POLC_SOURCE_DIR) + "/tests/golden/build/example_python_agent.manifest.json.expected");
  bundle::Problems problems;
  const bundle::Manifest m = bundle::from_json(bytes, problems);
  REQUIRE(problems.empty());
  CHECK(m.format == bundle::kBundleFormat);
  CHECK(m.policy_name == "python_agent");
  CHECK(m.compiler.rfind("polc ", 0) == 0);
  CHECK(m.backends == std::vector<std::string>{"landlock", "nftables", "oci", "os", "proxy", "seccomp"});
  CHECK(!m.artifacts.empty());
  REQUIRE(!m.sources.empty());
  CHECK(m.sources[0].role == "policy");
  CHECK(!m.coverage.empty());
  REQUIRE(m.verification.has_value());
  CHECK(!m.verification->programs.empty());
  for (const bundle::ManifestProgram& p : m.verification->programs) CHECK(p.result == "equivalent");
}

TEST_CASE("manifest schema: a fault in what launchers rely on is a problem; reviewers' fields are lenient") {
  bundle::Problems problems;
  bundle::from_json(R"({"format":"polc.bundle/1"})", problems);
  CHECK(problems.size() == 5);  // name, version, compiler, artifacts, sources
  for (const bundle::Problem& p : problems) CHECK(p.kind == bundle::ProblemKind::MalformedManifest);

  problems.clear();
  const bundle::Manifest m = bundle::from_json(
      R"({"artifacts":[],"backends":[1,"seccomp"],"compiler":"polc 0.1.0","coverage":7,"format":"polc.bundle/1","policy":{"name":"p","version":3},"sources":[],"verification":{"tests":{"passed":-2}}})",
      problems);
  CHECK(problems.empty());
  CHECK(m.backends == std::vector<std::string>{"seccomp"});
  CHECK(m.coverage.empty());
  REQUIRE(m.verification.has_value());
  CHECK(m.verification->tests_passed == 0);
  CHECK(m.policy_version == 3);
}
