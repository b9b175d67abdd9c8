// Unit tests of the backend registry (backends/registry.h): every row is complete and named once,
// `--backends` parses from it, each backend names its own files and claims only them, and the
// help text and docs/cli.md list every backend and its files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backends/registry.h"
#include "compiler/driver/build_bundle.h"
#include "compiler/driver/commands.h"
#include "tests/unit/test_support.h"

using namespace polc;

namespace {

// The row's files ("seccomp.<arch>.bpf, seccomp.oci.json") as patterns; <arch> is any name.
std::vector<std::regex> file_patterns(const backends::Backend& b) {
  std::vector<std::regex> out;
  std::stringstream list{std::string(b.files)};
  std::string name;
  while (std::getline(list, name, ',')) {
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    std::string pattern;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name.compare(i, 6, "<arch>") == 0) {
        pattern += "[a-z0-9_]+";
        i += 5;
      } else {
        const bool plain = std::isalnum(static_cast<unsigned char>(name[i])) != 0 || name[i] == '_';
        pattern += plain ? std::string(1, name[i]) : std::string("\\") + name[i];
      }
    }
    out.emplace_back(pattern);
  }
  return out;
}

std::string help_of(std::string_view verb) {
  std::ostringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  driver::print_help(verb);
  std::cout.rdbuf(old);
  return captured.str();
}

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(POLC_SOURCE_DIR) + "/" + relative);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("backend registry: every row has a name, its files and an entry point; names are unique") {
  std::set<std::string_view> names;
  REQUIRE(!backends::registry().empty());
  for (const backends::Backend& b : backends::registry()) {
    CHECK(!b.name.empty());
    CHECK(!b.files.empty());
    CHECK(static_cast<bool>(b.emit));
    CHECK_MESSAGE(names.insert(b.name).second, b.name << " is registered twice");
    CHECK(backends::find_backend(b.name) == &b);
  }
  CHECK(backends::find_backend("apparmor") == nullptr);
}

TEST_CASE("backend registry: --backends selects from the registry, with the same messages") {
  driver::BackendSelection selected = driver::all_backends();
  CHECK(selected.size() == backends::registry().size());
  CHECK(driver::backend_names(selected) ==
        std::vector<std::string>{"landlock", "nftables", "oci", "os", "proxy", "seccomp"});

  CHECK_FALSE(driver::parse_backends({}, selected).has_value());  // no option: all of them
  CHECK(selected.size() == backends::registry().size());

  CHECK_FALSE(driver::parse_backends({"seccomp,nftables", "landlock"}, selected).has_value());
  CHECK(driver::backend_names(selected) == std::vector<std::string>{"landlock", "nftables", "seccomp"});

  CHECK(driver::parse_backends({"seccomp,apparmor"}, selected) ==
        std::optional<std::string>("unknown backend `apparmor` (known: seccomp, landlock, nftables, proxy, os, oci)"));
  CHECK(driver::parse_backends({""}, selected) == std::optional<std::string>("--backends selects no backend"));
  CHECK(driver::parse_backends({"seccomp,,proxy"}, selected) ==
        std::optional<std::string>("unknown backend `` (known: seccomp, landlock, nftables, proxy, os, oci)"));
}

TEST_CASE("backend registry: each backend writes the files its row names and claims only its own files") {
  auto c = test::compile(R"(policy t version 1 {
  targets x86_64, aarch64
  syscalls {
    default errno(EPERM)
    allow read, write, exit_group
  }
  filesystem {
    landlock abi >= 4
    read "/usr"
  }
  network {
    proxy 10.0.0.1 port 3128
    connect tcp 443 to "example.org", 10.1.0.0/16
  }
}
)");
  REQUIRE(c->policy);
  std::set<std::string> every_file;
  for (const backends::Backend& b : backends::registry()) {
    INFO("backend " << b.name);
    auto out = b.emit(*c->policy, c->engine, {});
    REQUIRE(out);
    CHECK(!out->files.empty());
    const auto patterns = file_patterns(b);
    for (const auto& file : out->files) {
      const std::string& path = file.first;
      INFO("file " << path);
      CHECK(std::any_of(patterns.begin(), patterns.end(),
                        [&](const std::regex& p) { return std::regex_match(path, p); }));
      CHECK_MESSAGE(every_file.insert(path).second, path << " is written by two backends");
    }
    for (const backends::Enforcement& e : out->enforced) CHECK_MESSAGE(out->files.count(e.artifact) == 1, e.artifact);
    for (const auto& p : out->programs) CHECK(out->files.count(p.file) == 1);
  }
  CHECK_FALSE(c->engine.has_errors());
}

TEST_CASE("backend registry: the build help and docs/cli.md name every backend and its files") {
  const std::string help = help_of("build");
  const std::string cli = read_doc("docs/cli.md");
  const std::string architecture = read_doc("docs/architecture.md");
  std::string names;
  for (const backends::Backend& b : backends::registry()) names += (names.empty() ? "" : ", ") + std::string(b.name);
  CHECK_MESSAGE(help.find("comma-separated: " + names) != std::string::npos, "polc build --help lists " << names);
  for (const backends::Backend& b : backends::registry()) {
    INFO("backend " << b.name);
    CHECK(cli.find(std::string(b.name)) != std::string::npos);
    CHECK(architecture.find("`" + std::string(b.name) + "`") != std::string::npos);
    std::stringstream list{std::string(b.files)};
    std::string file;
    while (std::getline(list, file, ',')) {
      while (!file.empty() && file.front() == ' ') file.erase(0, 1);
      CHECK_MESSAGE(help.find(file) != std::string::npos, "polc build --help lists " << file);
      CHECK_MESSAGE(cli.find(file) != std::string::npos, "docs/cli.md lists " << file);
    }
  }
}
