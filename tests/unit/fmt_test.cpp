// Unit tests of the formatter: canonical layout, comment preservation, idempotence over every
// example and standard-library file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/fmt/format.h"
#include "compiler/syntax/parse.h"

using namespace polc;

namespace {
std::string format_text(const std::string& text) {
  diag::SourceManager sm;
  diag::Engine e(sm);
  const auto fid = sm.add("t.sbx", text);
  auto f = syntax::parse(e, fid);
  REQUIRE_MESSAGE(f, "input must parse: ", text);
  return fmt::format(*f, sm.contents(fid));
}
}  // namespace

TEST_CASE("spacing and indentation are canonical") {
  CHECK(format_text("policy   p version 1{targets x86_64 syscalls{allow read,write}}") ==
        "policy p version 1 {\n  targets x86_64\n  syscalls {\n    allow read, write\n  }\n}\n");
}

TEST_CASE("comments are kept: leading, trailing, between list items, at the end") {
  const std::string src =
      "# header\npolicy p version 1 {\n  # before targets\n  targets x86_64  # trailing\n"
      "  group @g = {\n    # first\n    read,\n    write,  # second\n  }\n}\n# after\n";
  const std::string out = format_text(src);
  for (const char* c : {"# header", "# before targets", "# trailing", "# first", "# second", "# after"})
    CHECK_MESSAGE(out.find(c) != std::string::npos, c);
  CHECK(format_text(out) == out);
}

TEST_CASE("blank lines collapse to one and long lists wrap at the line width") {
  std::string names;
  for (int i = 0; i < 30; ++i) names += (i ? ", " : "") + std::string("syscall_name_") + std::to_string(i);
  const std::string out =
      format_text("policy p version 1 {\n\n\n  targets x86_64\n\n\n\n  syscalls { allow " + names + " }\n}\n");
  CHECK(out.find("\n\n\n") == std::string::npos);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= fmt::kLineWidth);
  CHECK(format_text(out) == out);
}

TEST_CASE("every example and standard-library file formats idempotently") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"examples", "stdlib"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(POLC_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".sbx") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string once = format_text(ss.str());
      CHECK_MESSAGE(format_text(once) == once, e.path().string());
      ++files;
    }
  }
  CHECK(files >= 3);
}

TEST_CASE("long conditions and constants break at operators and stay within the line width") {
  const std::string src =
      "policy p version 1 {\n  targets x86_64\n"
      "  const F = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET\n"
      "  syscalls {\n    allow socket(domain in {AF_UNIX, AF_INET, AF_INET6} && type & 0xf in {SOCK_STREAM, SOCK_DGRAM}, "
      "protocol == 0 || protocol == 6 || protocol == 17)\n  }\n}\n";
  const std::string out = format_text(src);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) CHECK_MESSAGE(line.size() <= fmt::kLineWidth, line);
  CHECK(out.find(" |\n") != std::string::npos);  // the constant broke after an operator
  CHECK(format_text(out) == out);
}
