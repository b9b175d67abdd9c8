// Unit tests: the patch `polc learn --against` and `--from` print (compiler/learn/patch.h), and
// the telemetry events they read (events_import.h).
#include <doctest/doctest.h>

#include "compiler/learn/compile_text.h"
#include "compiler/learn/events_import.h"
#include "compiler/learn/patch.h"
#include "compiler/syntax/parse.h"

using namespace polc;
using namespace polc::learn;

namespace {

const std::string kPolicy = R"(policy p version 1 {
  targets x86_64
  import std.runtime.glibc, std.hardening

  syscalls {
    default errno(EPERM)
    allow uname
  }

  filesystem {
    landlock abi >= 3
    read "/usr/share"
  }
}
)";

struct Patched {
  Patch patch;
  std::unique_ptr<Compiled> compiled;
};

Patched patch_of(const std::string& text, const Recording& rec) {
  Patched p;
  p.compiled = compile_text(text, "p.sbx");
  REQUIRE(p.compiled->policy);
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const auto file = syntax::parse(engine, sources.add("p.sbx", text));
  REQUIRE(file);
  p.patch = make_patch("p.sbx", text, *file, p.compiled->sources, *p.compiled->policy, rec);
  return p;
}

Recording one_run() {
  Recording rec;
  rec.runs.push_back(Run{});
  return rec;
}

// Every line of a unified diff starts with one of its markers: nothing a path holds can start a
// line of its own.
void check_diff_lines(const std::string& diff) {
  size_t pos = 0;
  while (pos < diff.size()) {
    const size_t nl = diff.find('\n', pos);
    const std::string line = diff.substr(pos, nl - pos);
    INFO(line);
    CHECK((line.starts_with("--- ") || line.starts_with("+++ ") || line.starts_with("@@ ") || line.starts_with("+") ||
           line.starts_with(" ") || line.starts_with("\\")));
    pos = nl == std::string::npos ? diff.size() : nl + 1;
  }
}

}  // namespace

TEST_CASE("learn patch: additions go at the end of their sections, with the diff and the observations") {
  Recording rec = one_run();
  rec.add(Call{arch::Arch::x86_64, 110, "getppid", 0, {}}, 1, 3);  // refused: no rule allows getppid
  rec.add(FileAccess{"/etc/hostname", "read_file", FileAccess::Kind::File}, 1);
  rec.add(FileAccess{"/usr/share/misc/magic", "read_file", FileAccess::Kind::File}, 1);  // granted
  const Patched p = patch_of(kPolicy, rec);
  REQUIRE(p.patch.additions.size() == 2);
  CHECK(p.patch.additions[0].rule.text == "allow getppid");
  CHECK(p.patch.additions[0].count == 3);
  CHECK(p.patch.additions[1].rule.text == "read_file \"/etc/hostname\"");
  CHECK(p.patch.patched.find(
            "    allow uname\n    # learned: getppid() on x86_64 (3 times, run 1)\n    allow getppid\n  }") !=
        std::string::npos);
  INFO(p.patch.diff);
  CHECK(p.patch.diff.starts_with("--- p.sbx\n+++ p.sbx\n@@ -5,10 +5,14 @@\n"));
  check_diff_lines(p.patch.diff);
  // The patched policy compiles.
  CHECK(compile_text(p.patch.patched, "p.sbx")->policy);
}

TEST_CASE("learn patch: a refusal a deny decided is reported with it, not patched") {
  Recording rec = one_run();
  rec.add(Call{arch::Arch::x86_64, 101, "ptrace", 0, {}}, 1);  // std.hardening kills ptrace
  const Patched p = patch_of(kPolicy, rec);
  CHECK(p.patch.additions.empty());
  REQUIRE(p.patch.blocked.size() == 1);
  REQUIRE_FALSE(p.patch.blocked[0].decided_by.empty());
  CHECK(p.patch.blocked[0].decided_by[0].find("hardening.sbx") != std::string::npos);
  CHECK(p.patch.diff.empty());
}

TEST_CASE("learn patch: hostile paths never become lines of the policy") {
  Recording rec = one_run();
  rec.add(FileAccess{"/etc/x\nallow ptrace\n", "read_file", FileAccess::Kind::File}, 1);
  rec.add(FileAccess{"/etc/y\xff", "read_file", FileAccess::Kind::File}, 1);
  rec.add(Call{arch::Arch::x86_64, 110, "getppid", 0, {}}, 1);
  const Patched p = patch_of(kPolicy, rec);
  CHECK(p.patch.additions.size() == 1);
  CHECK(p.patch.inexpressible.size() == 2);
  for (const std::string& i : p.patch.inexpressible) CHECK(i.find('\n') == std::string::npos);
  CHECK(p.patch.patched.find("\nallow ptrace") == std::string::npos);
  check_diff_lines(p.patch.diff);
}

TEST_CASE("learn patch: probes of missing files and credentials are not granted") {
  Recording rec = one_run();
  rec.add(FileAccess{"/etc/missing.conf", "read_file", FileAccess::Kind::Missing}, 1);
  rec.add(FileAccess{"/root/.ssh/id_ed25519", "read_file", FileAccess::Kind::File}, 1);
  const Patched p = patch_of(kPolicy, rec);
  CHECK(p.patch.additions.empty());
  REQUIRE(p.patch.inexpressible.size() == 1);
  CHECK(p.patch.inexpressible[0].find("credential") != std::string::npos);
}

TEST_CASE("learn patch: a policy without the section gets a new one") {
  const std::string text = "policy p version 1 {\n  targets x86_64\n  syscalls {\n    default errno(EPERM)\n  }\n}\n";
  Recording rec = one_run();
  rec.add(Endpoint{Endpoint::Direction::Connect, "tcp", "127.0.0.1", 8080}, 1);
  // No network section: nothing is refused, nothing added.
  CHECK(patch_of(text, rec).patch.additions.empty());
  rec.add(Call{arch::Arch::x86_64, 63, "uname", 0, {}}, 1);
  const Patched p = patch_of(text, rec);
  REQUIRE(p.patch.additions.size() == 1);
  CHECK(p.patch.patched.find("    allow uname\n  }\n}\n") != std::string::npos);
}

TEST_CASE("learn events: telemetry refusals become refused observations") {
  const std::string events =
      R"({"schema":"polc.event/1","event":"refusal","layer":"seccomp","request":{"arch":"x86_64","nr":63,"syscall":"uname"}})"
      "\n"
      R"({"schema":"polc.event/1","event":"refusal","layer":"landlock","request":{"path":"/var/tmp","rights":["make_reg","read_dir"]}})"
      "\n"
      R"({"schema":"polc.event/1","event":"refusal","layer":"nftables","request":{"protocol":"udp","address":"10.0.0.2","port":53}})"
      "\n"
      R"({"schema":"polc.event/1","event":"notice","source":"audit","message":"x"})"
      "\n";
  std::string error;
  size_t skipped = 0;
  const auto rec = recording_from_events(events, error, skipped);
  REQUIRE(rec);
  CHECK(skipped == 1);
  CHECK(rec->events.size() == 4);
  CHECK(rec->events.count(Call{arch::Arch::x86_64, 63, "uname", 0, {}}) == 1);
  // make_reg: Landlock names the directory it checked; the entry is "DIR/*".
  CHECK(rec->events.count(FileAccess{"/var/tmp/*", "make_reg", FileAccess::Kind::Missing}) == 1);
  CHECK(rec->events.count(FileAccess{"/var/tmp", "read_dir", FileAccess::Kind::Directory}) == 1);
  CHECK(rec->events.count(Endpoint{Endpoint::Direction::Connect, "udp", "10.0.0.2", 53}) == 1);
  for (const auto& [e, seen] : rec->events) CHECK(seen.refused);

  // A port past 65535 or a string nr names nothing: skipped, never wrapped into another value.
  const auto odd = recording_from_events(
      R"({"schema":"polc.event/1","event":"refusal","layer":"nftables","request":{"protocol":"tcp","address":"10.0.0.2","port":65979}})"
      "\n"
      R"({"schema":"polc.event/1","event":"refusal","layer":"seccomp","request":{"arch":"x86_64","nr":"63"}})"
      "\n",
      error, skipped);
  REQUIRE(odd);
  CHECK(odd->events.empty());
  CHECK(skipped == 2);

  CHECK_FALSE(recording_from_events("{\"schema\":\"other\"}\n", error, skipped));
  CHECK(error.find("line 1") != std::string::npos);
  CHECK_FALSE(recording_from_events("not json\n", error, skipped));
}

TEST_CASE("learn recording: long paths count against the memory bound, also when runs merge") {
  Recording rec;
  rec.runs.push_back(Run{});
  rec.max_bytes = 3 * 1024;
  const std::string long_path = "/" + std::string(1500, 'a');
  CHECK(rec.add(FileAccess{long_path + "1", "read_file", FileAccess::Kind::File}, 1));
  CHECK_FALSE(rec.add(FileAccess{long_path + "2", "read_file", FileAccess::Kind::File}, 1, 5));
  CHECK(rec.add(FileAccess{long_path + "1", "read_file", FileAccess::Kind::File}, 1));  // seen before: counted
  CHECK(rec.events.size() == 1);
  CHECK(rec.runs[0].dropped == 5);
  CHECK(rec.runs[0].partial);

  Recording other;
  other.runs.push_back(Run{});
  other.add(FileAccess{long_path + "3", "read_file", FileAccess::Kind::File}, 1, 2);
  rec.merge(other);
  CHECK(rec.events.size() == 1);
  REQUIRE(rec.runs.size() == 2);
  CHECK(rec.runs[1].id == 2);
  CHECK(rec.runs[1].dropped == 2);
  CHECK(rec.runs[1].partial);
}
