// Unit tests of semantic analysis: what the IR says a policy means, and which errors it reports.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "compiler/diag/render.h"
#include "compiler/sema/stdlib.h"
#include "compiler/sema/syscall_table.h"
#include "compiler/syntax/parse.h"
#include "tests/unit/test_support.h"

using namespace polc;
using diag::Code;
using test::compile;
using test::policy_with;

namespace {
const ir::ArchFilter& arch_filter(const ir::Policy& p, arch::Arch a) {
  for (const auto& f : p.syscalls.arches)
    if (f.arch == a) return f;
  throw std::runtime_error("no filter");
}
std::vector<const ir::SyscallRule*> rules_for(const ir::Policy& p, arch::Arch a, std::string_view name) {
  std::vector<const ir::SyscallRule*> out;
  for (const auto& r : arch_filter(p, a).rules)
    if (r.syscall == name) out.push_back(&r);
  return out;
}
}  // namespace

TEST_CASE("syscalls resolve to per-arch numbers") {
  auto c = compile(policy_with("syscalls { allow read, openat }", "x86_64, aarch64, x86"));
  REQUIRE(c->policy);
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "read").at(0)->nr == 0);
  CHECK(rules_for(*c->policy, arch::Arch::aarch64, "read").at(0)->nr == 63);
  CHECK(rules_for(*c->policy, arch::Arch::x86, "read").at(0)->nr == 3);
  CHECK(rules_for(*c->policy, arch::Arch::aarch64, "openat").at(0)->nr == 56);
}

TEST_CASE("unknown syscalls and syscalls missing on a target are errors") {
  auto c = compile(policy_with("syscalls { allow sokcet }"));
  CHECK(!c->policy);
  CHECK(c->has(Code::UnknownSyscall));
  CHECK(c->engine.diagnostics()[0].help == "did you mean `socket`?");

  auto m = compile(policy_with("syscalls { allow open }", "x86_64, aarch64"));
  CHECK(!m->policy);
  CHECK(m->has(Code::SyscallNotOnArch));

  auto q = compile(policy_with("syscalls { allow open? }", "x86_64, aarch64"));
  REQUIRE(q->policy);
  CHECK(rules_for(*q->policy, arch::Arch::x86_64, "open").size() == 1);
  CHECK(rules_for(*q->policy, arch::Arch::aarch64, "open").empty());

  auto r = compile(policy_with("syscalls { allow read? }"));
  REQUIRE(r->policy);
  CHECK(r->has(Code::RedundantOptional));
}

TEST_CASE("32-bit arguments are compared in 32 bits and values must fit") {
  auto c = compile(policy_with("syscalls { allow socket(domain == AF_INET), ioctl(request == TIOCSTI) }"));
  REQUIRE(c->policy);
  const auto& sock = *rules_for(*c->policy, arch::Arch::x86_64, "socket").at(0);
  REQUIRE(sock.when.size() == 1);
  CHECK(sock.when[0].at(0).width == 32);
  CHECK(sock.when[0].at(0).arg == 0);
  CHECK(sock.when[0].at(0).value == 2);
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "ioctl").at(0)->when[0][0].width == 32);

  auto big = compile(policy_with("syscalls { allow socket(domain == 0x100000002) }"));
  CHECK(big->has(Code::ValueOutOfRange));
  auto neg = compile(policy_with("syscalls { allow socket(domain == -1) }"));
  REQUIRE(neg->policy);
  CHECK(rules_for(*neg->policy, arch::Arch::x86_64, "socket").at(0)->when[0][0].value == 0xffffffffu);
}

TEST_CASE("signed comparisons become unsigned ranges") {
  auto c = compile(policy_with("syscalls { deny openat(dirfd < 0) }"));
  REQUIRE(c->policy);
  const auto& r = *rules_for(*c->policy, arch::Arch::x86_64, "openat").at(0);
  // dirfd < 0  <=>  unsigned dirfd >= 0x80000000 (and < 0, which is vacuous, folded into one clause)
  REQUIRE(r.when.size() == 1);
  bool has_upper_half = false;
  for (const auto& cmp : r.when[0]) has_upper_half |= cmp.op == ir::CmpOp::Ge && cmp.value == 0x80000000u;
  CHECK(has_upper_half);
}

TEST_CASE("conditions normalize to DNF: sets, masks, negation, comma as and") {
  auto c = compile(policy_with(
      "syscalls { allow socket(domain in {AF_UNIX, AF_INET}, !(type == SOCK_RAW)) allow clone(flags & CLONE_NEWUSER == 0) }"));
  REQUIRE(c->policy);
  const auto& s = *rules_for(*c->policy, arch::Arch::x86_64, "socket").at(0);
  REQUIRE(s.when.size() == 2);  // (d==1 && t!=3) || (d==2 && t!=3)
  for (const auto& clause : s.when) {
    REQUIRE(clause.size() == 2);
    CHECK(clause[1].op == ir::CmpOp::Ne);
    CHECK(clause[1].value == 3);
  }
  const auto& cl = *rules_for(*c->policy, arch::Arch::x86_64, "clone").at(0);
  CHECK(cl.when.at(0).at(0).op == ir::CmpOp::MaskedEq);
  CHECK(cl.when.at(0).at(0).mask == 0x10000000);
}

TEST_CASE("argument names are per syscall; mistakes get precise errors") {
  CHECK(compile(policy_with("syscalls { allow socket(domian == AF_INET) }"))->has(Code::UnknownArgument));
  CHECK(compile(policy_with("syscalls { allow socket(arg6 == 1) }"))->has(Code::ArgumentIndexOutOfRange));
  CHECK(compile(policy_with("syscalls { allow socket(arg3 == 1) }"))->has(Code::ArgumentIndexOutOfRange));
  CHECK(compile(policy_with("syscalls { allow socket(domain == AF_INTE) }"))->has(Code::UnknownConstant));
  CHECK(compile(policy_with("syscalls { allow socket(AF_INET) }"))->has(Code::ConditionExpected));
  CHECK(compile(policy_with("syscalls { allow socket(1 == 2) }"))->has(Code::MalformedCondition));
  CHECK(compile(policy_with("syscalls { allow socket(domain < type) }"))->has(Code::MalformedCondition));
  CHECK(compile(policy_with("syscalls { allow clone(flags & 1 > 0) }"))->has(Code::MalformedCondition));
  auto ok = compile(policy_with("syscalls { allow socket(AF_INET == domain) }"));
  CHECK(ok->policy);
}

TEST_CASE("actions: deny is EPERM, trailing errno, kill is kill_process, errno names") {
  auto c = compile(policy_with(
      "syscalls { default kill deny read deny write errno(EACCES) errno(5) close kill_thread dup log dup2 }"));
  REQUIRE(c->policy);
  CHECK(c->policy->syscalls.default_action.kind == ir::ActionKind::KillProcess);
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "read").at(0)->action == ir::Action{ir::ActionKind::Errno, 1});
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "write").at(0)->action == ir::Action{ir::ActionKind::Errno, 13});
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "close").at(0)->action == ir::Action{ir::ActionKind::Errno, 5});
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "dup").at(0)->action.kind == ir::ActionKind::KillThread);
  CHECK(compile(policy_with("syscalls { allow read errno(EPERM) }"))->has(Code::BadAction));
  CHECK(compile(policy_with("syscalls { deny read errno(EPERN) }"))->has(Code::BadErrno));
  CHECK(compile(policy_with("syscalls { errno(0) read }"))->has(Code::BadErrno));
  CHECK(compile(policy_with("syscalls { trace(70000) read }"))->has(Code::BadAction));
}

TEST_CASE("policy structure: targets, defaults and module-only rules") {
  CHECK(compile("policy p version 1 { }")->has(Code::MissingTargets));
  CHECK(compile("policy p version 1 { targets amd64 }")->has(Code::UnknownArch));
  CHECK(compile("policy p version 1 { targets x86_64 targets aarch64 }")->has(Code::DuplicateStatement));
  CHECK(compile(policy_with("syscalls { default allow default kill }"))->has(Code::DuplicateStatement));
  auto implicit = compile(policy_with("syscalls { allow read }"));
  REQUIRE(implicit->policy);
  CHECK(implicit->policy->syscalls.default_action.kind == ir::ActionKind::KillProcess);
  CHECK(!implicit->policy->syscalls.default_written);
  CHECK(compile("module m { targets x86_64 }")->has(Code::NotAllowedInModule));
}

TEST_CASE("groups, hosts and constants share one namespace") {
  auto c = compile(policy_with(
      "group @io = { read, @more } group @more = { write } const FLAG = 0x10 syscalls { allow @io allow openat(flags & FLAG == 0) }"));
  REQUIRE(c->policy);
  CHECK(rules_for(*c->policy, arch::Arch::x86_64, "write").size() == 1);
  CHECK(compile(policy_with("group @a = { read } group @a = { write } syscalls { allow @a }"))
            ->has(Code::DuplicateDefinition));
  CHECK(compile(policy_with("syscalls { allow @nope }"))->has(Code::UnknownGroup));
  CHECK(compile(policy_with("group @a = { @b } group @b = { @a } syscalls { allow @a }"))->has(Code::GroupCycle));
  CHECK(compile(policy_with("hosts @h = { \"a.org\" } syscalls { allow @h }"))->has(Code::WrongKindOfName));
  CHECK(compile(policy_with("group @unused = { read } syscalls { allow write }"))->has(Code::UnusedDefinition));
}

TEST_CASE("imports: standard modules, without, and errors") {
  auto c = compile(policy_with("import std.groups syscalls { allow @memory }", "x86_64"));
  REQUIRE(c->policy);
  CHECK(!rules_for(*c->policy, arch::Arch::x86_64, "mmap").empty());
  CHECK(c->policy->modules == std::vector<std::string>{"std.groups"});
  CHECK(compile(policy_with("import std.nope"))->has(Code::ModuleNotFound));
  CHECK(compile(policy_with("import other.thing"))->has(Code::ModuleNotFound));
  CHECK(compile(policy_with("import \"/abs.sbx\""))->has(Code::BadImportPath));
  CHECK(compile(policy_with("import \"./missing.sbx\""))->has(Code::UnreadableFile));

  auto h = compile(policy_with("import std.hardening"));
  REQUIRE(h->policy);
  CHECK(!rules_for(*h->policy, arch::Arch::x86_64, "ptrace").empty());
  auto w = compile(policy_with("import std.hardening without ptrace"));
  REQUIRE(w->policy);
  CHECK(rules_for(*w->policy, arch::Arch::x86_64, "ptrace").empty());
  CHECK(!rules_for(*w->policy, arch::Arch::x86_64, "bpf").empty());
  CHECK(compile(policy_with("import std.hardening without getpid"))->has(Code::WithoutNotInImport));
}

TEST_CASE("filesystem rules: rights by ABI, paths in normal form") {
  auto c = compile(
      policy_with("filesystem { landlock abi >= 3 read \"/usr\" read, write \"/tmp\" execute \"/usr/bin/python3\" }"));
  REQUIRE(c->policy);
  const auto& fs = c->policy->filesystem;
  CHECK(fs.min_abi == 3);
  CHECK(fs.handled == ir::fs_rights_for_abi(3));
  REQUIRE(fs.rules.size() == 3);
  CHECK(fs.rules[0].path == "/tmp");  // sorted by path
  CHECK((fs.rules[0].rights & ir::fs_right::kTruncate) != 0);
  CHECK((fs.rules[0].rights & ir::fs_right::kRefer) != 0);
  auto abi1 = compile(policy_with("filesystem { landlock abi >= 1 read, write \"/tmp\" }"));
  REQUIRE(abi1->policy);
  CHECK((abi1->policy->filesystem.rules[0].rights & ir::fs_right::kTruncate) == 0);
  CHECK(compile(policy_with("filesystem { landlock abi >= 2 truncate \"/tmp\" }"))->has(Code::RightNeedsNewerAbi));
  CHECK(compile(policy_with("filesystem { landlock abi >= 2 raed \"/tmp\" }"))->has(Code::UnknownRight));
  CHECK(compile(policy_with("filesystem { landlock abi >= 9 }"))->has(Code::BadLandlockAbi));
  CHECK(compile(policy_with("filesystem { read \"/tmp\" }"))->has(Code::MissingLandlockAbi));
  CHECK(compile(policy_with("filesystem { landlock abi >= 1 read \"tmp\" }"))->has(Code::RelativePath));
  for (const char* p : {"/tmp/", "/tmp//x", "/tmp/./x", "/tmp/../etc", "/.."})
    CHECK(compile(policy_with(std::string("filesystem { landlock abi >= 1 read \"") + p + "\" }"))
              ->has(Code::NonNormalPath));
}

TEST_CASE("network rules: addresses, domains, ports and implicit metadata denies") {
  auto c = compile(policy_with(R"(network {
      proxy 127.0.0.1 port 3128
      connect tcp 443 to "pypi.org", "*.pythonhosted.org", 10.20.0.0/16, 2001:db8::/32
      bind tcp 8000-8080
      deny connect tcp 25
    })"));
  REQUIRE(c->policy);
  REQUIRE(c->policy->network.proxy);
  CHECK(c->policy->network.proxy->port == 3128);
  const auto& rules = c->policy->network.rules;
  REQUIRE(rules.size() == 4);
  CHECK(rules[0].deny);  // written deny first, then the implicit one, then allows
  CHECK(rules[1].implicit);
  CHECK(rules[1].hosts.size() == 7);
  CHECK(rules[2].hosts.size() == 4);
  CHECK(rules[2].hosts[1].wildcard);
  CHECK(rules[3].direction == ir::Direction::Bind);
  CHECK(rules[3].ports[0].low == 8000);

  // Naming a metadata address opens exactly that protocol and port: the implicit deny keeps the
  // rest of tcp and all of udp for it, and the policy gets a warning reviewers will see.
  auto lifted = compile(policy_with("network { connect tcp 80 to 169.254.169.254 connect tcp any }"));
  REQUIRE(lifted->policy);
  CHECK(lifted->has(Code::MetadataAllowed));
  size_t blanket = 0, narrowed = 0;
  for (const auto& r : lifted->policy->network.rules) {
    if (!r.implicit) continue;
    if (r.proto == ir::Proto::Any) blanket = r.hosts.size();
    if (r.proto == ir::Proto::Tcp) {
      ++narrowed;
      REQUIRE(r.ports.size() == 2);
      CHECK(r.ports[0].high == 79);
      CHECK(r.ports[1].low == 81);
    }
    if (r.proto == ir::Proto::Udp) {
      ++narrowed;
      CHECK(r.ports.at(0).low == 1);
    }
  }
  CHECK(blanket == 6);
  CHECK(narrowed == 2);

  CHECK(compile(policy_with("network { connect tcp 443 to 10.0.0.1/8 }"))->has(Code::MalformedAddress));
  CHECK(compile(policy_with("network { connect tcp 443 to 300.0.0.1 }"))->has(Code::MalformedAddress));
  CHECK(compile(policy_with("network { connect tcp 443 to \"PyPI.org\" }"))->has(Code::MalformedDomain));
  CHECK(compile(policy_with("network { connect tcp 443 to \"a.*.org\" }"))->has(Code::MalformedDomain));
  CHECK(compile(policy_with("network { connect tcp 0 }"))->has(Code::BadPort));
  CHECK(compile(policy_with("network { connect tcp 90-80 }"))->has(Code::BadPort));
  CHECK(compile(policy_with("network { connect tcp to \"a.org\" }"))->has(Code::IncompleteNetRule));
  CHECK(compile(policy_with("network { tcp 443 }"))->has(Code::IncompleteNetRule));
  CHECK(compile(policy_with("network { bind tcp 80 to 10.0.0.1 }"))->has(Code::BadNetTarget));
  CHECK(compile(policy_with("network { connect udp 53 to \"dns.org\" }"))->has(Code::BadNetTarget));
}

TEST_CASE("assertions and tests are resolved into the IR") {
  auto c = compile(policy_with(R"(
    syscalls { allow read }
    filesystem { landlock abi >= 3 read "/usr" }
    assert never ptrace
    assert always read "/usr/lib/os.py"
    assert never connect tcp 22 to 10.0.0.1
    test "basics" {
      expect allow read
      expect errno(EPERM) socket(AF_INET, SOCK_STREAM, 0)
      expect deny write "/etc/passwd"
      expect kill ptrace on x86_64
    })"));
  REQUIRE(c->policy);
  CHECK(c->policy->assertions.size() == 3);
  REQUIRE(c->policy->tests.size() == 1);
  const auto& t = c->policy->tests[0];
  REQUIRE(t.expectations.size() == 4);
  CHECK(t.expectations[1].query.syscall.per_arch.at(0).args == std::vector<uint64_t>{2, 1, 0});
  CHECK(t.expectations[2].any_denial);
  CHECK(compile(policy_with("test \"a\" { expect allow read } test \"a\" { expect allow read }"))
            ->has(Code::DuplicateTest));
  CHECK(compile(policy_with("test \"a\" { expect errno(EPERM) read \"/x\" }"))->has(Code::BadExpectation));
  CHECK(compile(policy_with("test \"a\" { expect allow socket(domain == 1) }"))->has(Code::ConditionExpected));
  CHECK(compile(policy_with("test \"a\" { expect allow read on aarch64 }"))->has(Code::MalformedQuery));
}

TEST_CASE("the same source gives the same IR") {
  const std::string src = policy_with(
      "import std.hardening\n syscalls { allow read, write, socket(domain in {AF_INET, AF_UNIX}) }", "x86_64, aarch64");
  auto a = compile(src), b = compile(src);
  REQUIRE(a->policy);
  REQUIRE(b->policy);
  CHECK(a->policy->syscalls.arches.size() == b->policy->syscalls.arches.size());
  for (size_t i = 0; i < a->policy->syscalls.arches.size(); ++i) {
    const auto& ra = a->policy->syscalls.arches[i].rules;
    const auto& rb = b->policy->syscalls.arches[i].rules;
    REQUIRE(ra.size() == rb.size());
    for (size_t j = 0; j < ra.size(); ++j) {
      CHECK(ra[j].nr == rb[j].nr);
      CHECK(ra[j].when == rb[j].when);
    }
  }
}

TEST_CASE("a standard-library directory given with --stdlib must hold the named module") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "polc-stdlib-test";
  fs::create_directories(dir / "lang");
  std::ofstream(dir / "lang" / "python.sbx") << "module std.lang.ruby { }\n";
  std::ofstream(dir / "groups.sbx") << "module std.groups { group @io = { read } }\n";
  auto run = [&](const std::string& src) {
    auto c = std::make_unique<test::Compiled>();
    const auto fid = c->sources.add("/virtual/test.sbx", src);
    sema::Options o;
    o.load.stdlib_dir = dir.string();
    c->policy = sema::analyze(c->engine, fid, "/virtual/test.sbx", o);
    return c;
  };
  CHECK(run(policy_with("import std.lang.python"))->has(Code::ModuleNameMismatch));
  auto ok = run(policy_with("import std.groups syscalls { allow @io }"));
  CHECK(ok->policy);
  CHECK(run(policy_with("import std.hardening"))->has(Code::ModuleNotFound));
  fs::remove_all(dir);
}

TEST_CASE("x86 and s390x resolve the direct socket and SysV IPC syscalls libseccomp only multiplexes") {
  CHECK(sema::syscall_number("socket", arch::Arch::x86) == 359);
  CHECK(sema::syscall_number("shutdown", arch::Arch::x86) == 373);
  CHECK(sema::syscall_number("msgctl", arch::Arch::x86) == 402);
  CHECK(sema::syscall_number("socket", arch::Arch::s390x) == 359);
  CHECK(sema::syscall_number("semtimedop", arch::Arch::s390x) == 392);
  CHECK(!sema::syscall_number("semtimedop", arch::Arch::x86));  // x86 only has the time64 form
  CHECK(!sema::syscall_number("accept", arch::Arch::x86));      // only through socketcall
  CHECK(sema::syscall_number("socketcall", arch::Arch::x86) == 102);
}

TEST_CASE("every `?` in the standard library marks a syscall some architecture lacks") {
  for (const sema::StdlibModule& m : sema::embedded_stdlib()) {
    diag::SourceManager sm;
    diag::Engine e(sm);
    auto file = syntax::parse(e, sm.add(std::string(m.path), std::string(m.text)));
    REQUIRE_MESSAGE(file, m.path);
    auto needed = [&](const std::string& name) {
      for (arch::Arch a : arch::kAllArches)
        if (!sema::syscall_number(name, a)) return true;
      return false;
    };
    for (const ast::Item& item : file->items) {
      if (const auto* g = std::get_if<ast::GroupDef>(&item)) {
        for (const auto& member : g->members)
          if (member.optional)
            CHECK_MESSAGE(needed(member.name.text), m.path, ": ", member.name.text, "? is on every arch");
      } else if (const auto* s = std::get_if<ast::SyscallsSection>(&item)) {
        for (const auto& st : s->stmts)
          if (const auto* r = std::get_if<ast::SyscallRule>(&st))
            for (const auto& t : r->targets)
              if (t.optional) CHECK_MESSAGE(needed(t.name.text), m.path, ": ", t.name.text, "? is on every arch");
      }
    }
  }
}

TEST_CASE("restricting socket calls on x86 while socketcall stays open is flagged") {
  CHECK(compile(policy_with("syscalls { default allow kill socket(domain == AF_PACKET) }", "x86"))
            ->has(Code::MultiplexerBypass));
  CHECK(!compile(policy_with("syscalls { default allow kill socket(domain == AF_PACKET) kill socketcall }", "x86"))
             ->has(Code::MultiplexerBypass));
  CHECK(!compile(policy_with("syscalls { default errno(EPERM) allow socket(domain == AF_UNIX) }", "x86"))
             ->has(Code::MultiplexerBypass));
  CHECK(!compile(policy_with("syscalls { default allow kill socket(domain == AF_PACKET) }", "x86_64"))
             ->has(Code::MultiplexerBypass));
}

TEST_CASE("second review: non-ASCII domains, definition depth, traced multiplexers, unused chains") {
  // A non-ASCII domain is an error with a valid UTF-8 message (JSON rendering must not throw).
  auto u =
      compile(policy_with("network { connect tcp 443 to \"b\xc3\xbc"
                          "cher.de\" }"));
  CHECK(u->has(Code::MalformedDomain));
  CHECK_NOTHROW(diag::render_json(u->engine));
  // The depth limit holds whatever order definitions are evaluated in.
  std::string chain;
  for (int i = 0; i < 300; ++i)
    chain += "const k_" + std::to_string(999 - i) + " = k_" + std::to_string(998 - i) + "\n";
  chain += "const k_699 = 1\n";
  CHECK(compile(policy_with(chain + "syscalls { allow close(fd == k_999) }"))->has(Code::NestingTooDeep));
  CHECK(compile(policy_with(chain + "syscalls { allow close(fd == k_999) }", "x86_64, aarch64"))
            ->has(Code::NestingTooDeep));
  // A traced or supervised multiplexer can still run the call unchecked.
  CHECK(compile(
            policy_with("syscalls { default errno(EPERM) trace(1) socketcall allow socket(domain == AF_UNIX) }", "x86"))
            ->has(Code::MultiplexerBypass));
  // Validating definitions is not a use: an unused constant's dependencies are unused too.
  auto un = compile(policy_with("const A = B\nconst B = 1\nsyscalls { allow read }"));
  CHECK(un->count(Code::UnusedDefinition) == 2);
}
