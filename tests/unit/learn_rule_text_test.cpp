// Unit tests of the one-rule-per-observation text (compiler/learn/rule_text.h): the text for each
// kind of event, what has no rule, and that every rule compiles in a policy.
#include <doctest/doctest.h>

#include "compiler/learn/rule_text.h"
#include "test_support.h"

using namespace polc;
using namespace polc::learn;

namespace {

Seen seen(uint64_t count, std::set<int> runs) {
  Seen s;
  s.count = count;
  s.runs = std::move(runs);
  return s;
}

Call call(std::string name, int32_t nr, uint8_t recorded, std::array<uint64_t, 6> args) {
  Call c;
  c.name = std::move(name);
  c.nr = nr;
  c.recorded = recorded;
  c.args = args;
  return c;
}

// The rule, placed in its section of a minimal x86_64 policy, compiles without errors.
void check_compiles(const RuleText& rule) {
  std::string body;
  switch (rule.section) {
    case RuleText::Section::Syscalls: body = "syscalls {\n" + rule.text + "\n}"; break;
    case RuleText::Section::Filesystem: body = "filesystem {\nlandlock abi >= 5\n" + rule.text + "\n}"; break;
    case RuleText::Section::Network: body = "network {\n" + rule.text + "\n}"; break;
  }
  auto c = test::compile(test::policy_with(body));
  CHECK_MESSAGE(!c->engine.has_errors(), rule.text);
}

}  // namespace

TEST_CASE("rule_for: socket with named domain, masked type and protocol") {
  auto r = rule_for(call("socket", 41, 0b111, {2, 1 | 0x80000, 0, 0, 0, 0}), seen(3, {1, 2}));
  REQUIRE(r);
  CHECK(r->section == RuleText::Section::Syscalls);
  CHECK(r->text == "allow socket(domain == AF_INET, type & 0xf == SOCK_STREAM, protocol == 0)");
  CHECK(r->comment == "3 calls, runs 1,2");
  check_compiles(*r);
}

TEST_CASE("rule_for: AF_UNIX is preferred to its alias; protocols outside inet are numbers") {
  auto r = rule_for(call("socket", 41, 0b111, {1, 2, 0, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow socket(domain == AF_UNIX, type & 0xf == SOCK_DGRAM, protocol == 0)");
  CHECK(r->comment == "1 call, run 1");
  r = rule_for(call("socket", 41, 0b111, {16, 3, 9, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow socket(domain == AF_NETLINK, type & 0xf == SOCK_RAW, protocol == 9)");
  check_compiles(*r);
}

TEST_CASE("rule_for: setresuid(-1, 0, -1), ioctl request, prctl option, W^X and clone") {
  auto r = rule_for(call("setresuid", 117, 0b111, {0xffffffff, 0, 0xffffffff, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow setresuid(ruid == -1, euid == 0, suid == -1)");
  check_compiles(*r);
  r = rule_for(call("ioctl", 16, 0b10, {0, 0x5401, 0, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow ioctl(request == TCGETS)");
  check_compiles(*r);
  r = rule_for(call("prctl", 157, 0b1, {15, 0, 0, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow prctl(option == PR_SET_NAME)");
  check_compiles(*r);
  r = rule_for(call("mprotect", 10, 0b100, {0, 0, 1, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow mprotect(prot & (PROT_WRITE | PROT_EXEC) != PROT_WRITE | PROT_EXEC)");
  check_compiles(*r);
  r = rule_for(call("mmap", 9, 0b1100, {0, 0, 7, 0x22, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow mmap");
  r = rule_for(call("clone", 56, 0b1, {0x1200011, 0, 0, 0, 0, 0}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text ==
        "allow clone(flags & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | "
        "CLONE_NEWPID | CLONE_NEWNET) == 0)");
  check_compiles(*r);
  r = rule_for(call("getpid", 39, 0, {}), seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "allow getpid");
  CHECK_FALSE(rule_for(call("", 999, 0, {}), seen(1, {1})));
}

TEST_CASE("rule_for: file accesses name the path, or its parent for make_* and remove_*") {
  auto r = rule_for(FileAccess{"/usr/share/foo", "read_file", FileAccess::Kind::File}, seen(2, {1}));
  REQUIRE(r);
  CHECK(r->section == RuleText::Section::Filesystem);
  CHECK(r->text == "read_file \"/usr/share/foo\"");
  check_compiles(*r);
  r = rule_for(FileAccess{"/tmp/x/new", "make_reg", FileAccess::Kind::Missing}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "make_reg \"/tmp/x\"");
  CHECK(r->comment == "1 access, run 1, make_reg of /tmp/x/new");
  r = rule_for(FileAccess{"/tmp/a", "truncate", FileAccess::Kind::File}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->comment == "1 access, run 1, needs landlock abi >= 3");
  r = rule_for(FileAccess{"/root/.ssh/id_ed25519", "read_file", FileAccess::Kind::File}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->comment.find("CREDENTIALS") != std::string::npos);
  r = rule_for(FileAccess{"/tmp/a\"b", "read_file", FileAccess::Kind::File}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "read_file \"/tmp/a\\\"b\"");
  check_compiles(*r);
  CHECK_FALSE(rule_for(FileAccess{"/tmp/a\nb", "read_file", FileAccess::Kind::File}, seen(1, {1})));
  CHECK_FALSE(rule_for(FileAccess{"/tmp/\xff", "read_file", FileAccess::Kind::File}, seen(1, {1})));
  CHECK_FALSE(rule_for(FileAccess{"/tmp/../etc", "read_file", FileAccess::Kind::File}, seen(1, {1})));
  CHECK_FALSE(rule_for(FileAccess{"/tmp/a", "fly", FileAccess::Kind::File}, seen(1, {1})));
  r = rule_for(Exec{"/usr/bin/git"}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "execute \"/usr/bin/git\"");
}

TEST_CASE("rule_for: endpoints") {
  auto r = rule_for(Endpoint{Endpoint::Direction::Connect, "tcp", "127.0.0.1", 8080}, seen(4, {1}));
  REQUIRE(r);
  CHECK(r->section == RuleText::Section::Network);
  CHECK(r->text == "connect tcp 8080 to 127.0.0.1");
  check_compiles(*r);
  r = rule_for(Endpoint{Endpoint::Direction::Send, "udp", "::1", 53}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "connect udp 53 to ::1");
  check_compiles(*r);
  r = rule_for(Endpoint{Endpoint::Direction::Bind, "tcp", "0.0.0.0", 8000}, seen(1, {1}));
  REQUIRE(r);
  CHECK(r->text == "bind tcp 8000");
  check_compiles(*r);
  CHECK_FALSE(rule_for(Endpoint{Endpoint::Direction::Bind, "tcp", "0.0.0.0", 0}, seen(1, {1})));
  CHECK_FALSE(rule_for(Endpoint{Endpoint::Direction::Connect, "unix", "/run/x.sock", 0}, seen(1, {1})));
  CHECK_FALSE(rule_for(Endpoint{Endpoint::Direction::Connect, "tcp", "fe80::1%eth0", 80}, seen(1, {1})));
  CHECK_FALSE(rule_for(NameLookup{"example.org"}, seen(1, {1})));
}

TEST_CASE("rule_for: a refused observation says so") {
  Seen s = seen(1, {1});
  s.refused = true;
  s.err = 1;
  auto r = rule_for(Call{arch::Arch::x86_64, 39, "getpid", 0, {}}, s);
  REQUIRE(r);
  CHECK(r->comment == "1 call, run 1, refused with errno 1");
}
