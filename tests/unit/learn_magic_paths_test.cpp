// Unit tests: paths that name a process's own files (compiler/learn/path_text.h), which drafts,
// patches and --against's judge must not take by their names.
#include <doctest/doctest.h>

#include "compiler/ir/ir.h"
#include "compiler/learn/compile_text.h"
#include "compiler/learn/draft.h"
#include "compiler/learn/judge.h"
#include "compiler/learn/path_text.h"

using namespace polc;
using namespace polc::learn;

TEST_CASE("learn paths: process-relative paths and magic links") {
  for (const char* p : {"/proc/self/maps", "/proc/thread-self/status", "/proc/self", "/dev/fd/3", "/dev/stdin",
                        "/dev/stderr", "/proc/self/root/etc/shadow"})
    CHECK_MESSAGE(process_relative(p), p);
  for (const char* p : {"/proc/meminfo", "/proc/1/root", "/dev/null", "/devx/fd/3", "/proc/selfish"})
    CHECK_MESSAGE(!process_relative(p), p);
  for (const char* p : {"/proc/self/root/etc/shadow", "/proc/1/cwd", "/proc/42/task/43/fd/3", "/proc/thread-self/exe",
                        "/proc/self/map_files/400000-401000", "/dev/fd/3", "/dev/stdout", "/proc/self/fd/0"})
    CHECK_MESSAGE(through_magic_link(p), p);
  for (const char* p : {"/proc/self/maps", "/proc/self/fd", "/proc/1/status", "/dev/fd", "/proc/meminfo",
                        "/procx/self/root", "/proc/abc/root"})
    CHECK_MESSAGE(!through_magic_link(p), p);
}

TEST_CASE("learn paths: --against refuses a path through a magic link, whatever the rules say") {
  const auto c = compile_text(
      "policy p version 1 {\n  targets x86_64\n  filesystem {\n    landlock abi >= 1\n    read \"/proc\", \"/etc/hostname\"\n  }\n}\n");
  REQUIRE(c->policy);
  CHECK(judge(*c->policy, FileAccess{"/etc/hostname", "read_file", FileAccess::Kind::File}).kind ==
        Judgement::Kind::Allow);
  CHECK(judge(*c->policy, FileAccess{"/proc/meminfo", "read_file", FileAccess::Kind::File}).kind ==
        Judgement::Kind::Allow);
  const Judgement j = judge(*c->policy, FileAccess{"/proc/self/root/etc/shadow", "read_file", FileAccess::Kind::File});
  CHECK(j.kind == Judgement::Kind::Refuse);
  CHECK(j.err == EACCES);
}

TEST_CASE("learn paths: a draft never grants a path through /proc/self") {
  Recording rec;
  rec.runs.push_back(Run{});
  rec.add(FileAccess{"/proc/self/root/etc/shadow", "read_file", FileAccess::Kind::File}, 1);
  rec.add(FileAccess{"/proc/self/maps", "read_file", FileAccess::Kind::File}, 1);
  rec.add(FileAccess{"/dev/fd/0", "read_file", FileAccess::Kind::Other}, 1);
  const Draft d = draft_policy(rec, DraftOptions{});
  CHECK(d.text.find("/proc/self") == std::string::npos);
  CHECK(d.text.find("/dev/fd") == std::string::npos);
  CHECK(d.excluded.size() == 3);
}
