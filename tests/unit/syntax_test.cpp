// Unit tests of the syntax stage: the AST built from source, and hostile input handled cleanly.
#include <doctest/doctest.h>

#include "compiler/syntax/parse.h"
#include "compiler/syntax/text_checks.h"

using namespace polc;

namespace {
struct Parsed {
  diag::SourceManager sm;
  diag::Engine engine{sm};
  std::optional<ast::File> file;
};
std::unique_ptr<Parsed> parse_text(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->file = syntax::parse(p->engine, p->sm.add("t.sbx", text));
  return p;
}
}  // namespace

TEST_CASE("a policy header and items become AST nodes") {
  auto p = parse_text(R"(# leading
policy agent version 7 {
  targets x86_64, aarch64
  import std.groups, "./local.sbx" without ptrace, @debugging, "/etc"
  syscalls {
    default errno(EPERM)
    allow read, open?, @file_io
    deny clone3 errno(ENOSYS)
    allow socket(domain in {AF_INET, AF_INET6}, type != SOCK_RAW)
  }
})");
  REQUIRE(p->file);
  const ast::File& f = *p->file;
  CHECK(f.kind == ast::UnitKind::Policy);
  CHECK(f.name == "agent");
  CHECK(f.version == 7);
  REQUIRE(f.items.size() == 3);
  const auto& t = std::get<ast::Targets>(f.items[0]);
  CHECK(t.arches.size() == 2);
  const auto& imp = std::get<ast::Import>(f.items[1]);
  REQUIRE(imp.refs.size() == 2);
  CHECK(!imp.refs[0].is_file);
  CHECK(imp.refs[1].is_file);
  CHECK(imp.refs[1].text == "./local.sbx");
  REQUIRE(imp.without.size() == 3);
  CHECK(imp.without[1].kind == ast::WithoutKind::Group);
  CHECK(imp.without[2].kind == ast::WithoutKind::String);
  const auto& sc = std::get<ast::SyscallsSection>(f.items[2]);
  REQUIRE(sc.stmts.size() == 4);
  const auto& allow = std::get<ast::SyscallRule>(sc.stmts[1]);
  REQUIRE(allow.targets.size() == 3);
  CHECK(allow.targets[1].optional);
  CHECK(allow.targets[2].is_group);
  const auto& deny = std::get<ast::SyscallRule>(sc.stmts[2]);
  CHECK(deny.action.kind == ast::ActionKind::Deny);
  REQUIRE(deny.trailing_errno);
  CHECK(deny.trailing_errno->name == "ENOSYS");
  const auto& sock = std::get<ast::SyscallRule>(sc.stmts[3]);
  REQUIRE(sock.targets[0].args.size() == 2);
  CHECK(sock.targets[0].args[0]->kind == ast::ExprKind::In);
  CHECK(sock.targets[0].args[0]->set.size() == 2);
  CHECK(f.comments.size() == 1);
}

TEST_CASE("keywords can be syscall names") {
  auto p = parse_text("policy p version 1 { syscalls { kill kill, read, write, connect, bind allow trace } }");
  REQUIRE(p->file);
  const auto& sc = std::get<ast::SyscallsSection>(p->file->items[0]);
  REQUIRE(sc.stmts.size() == 2);
  CHECK(std::get<ast::SyscallRule>(sc.stmts[0]).targets.size() == 5);
  CHECK(std::get<ast::SyscallRule>(sc.stmts[1]).targets[0].name.text == "trace");
}

TEST_CASE("expression precedence: ! binds tighter than &&, && tighter than ||, & tighter than |") {
  auto p = parse_text("policy p version 1 { syscalls { allow x(!a == 1 && b == 2 || c & 3 | 4 == 5) } }");
  REQUIRE(p->file);
  const auto& e =
      *std::get<ast::SyscallRule>(std::get<ast::SyscallsSection>(p->file->items[0]).stmts[0]).targets[0].args[0];
  CHECK(e.kind == ast::ExprKind::Or);
  CHECK(e.lhs->kind == ast::ExprKind::And);
  CHECK(e.lhs->lhs->kind == ast::ExprKind::Not);
  CHECK(e.rhs->kind == ast::ExprKind::Compare);
  CHECK(e.rhs->lhs->kind == ast::ExprKind::BitOr);
  CHECK(e.rhs->lhs->lhs->kind == ast::ExprKind::BitAnd);
}

TEST_CASE("network statements and addresses") {
  auto p = parse_text(R"(policy p version 1 { network {
    connect tcp 443, 8000-8080 to "pypi.org", 10.0.0.0/8, fd00:ec2::254, ::ffff:169.254.169.254, @set
    bind udp any
    deny to any
    proxy ::1 port 3128
  } })");
  REQUIRE(p->file);
  const auto& n = std::get<ast::NetworkSection>(p->file->items[0]);
  REQUIRE(n.stmts.size() == 4);
  const auto& r0 = std::get<ast::NetRule>(n.stmts[0]);
  CHECK(r0.ports.size() == 2);
  CHECK(r0.ports[1].is_range);
  REQUIRE(r0.hosts.size() == 5);
  CHECK(r0.hosts[2].kind == ast::HostKind::Address);
  CHECK(r0.hosts[2].text == "fd00:ec2::254");
  CHECK(r0.hosts[3].text == "::ffff:169.254.169.254");
  CHECK(std::get<ast::NetRule>(n.stmts[1]).any_port);
  CHECK(std::get<ast::NetRule>(n.stmts[2]).deny);
  const auto& proxy = std::get<ast::ProxyDecl>(n.stmts[3]);
  CHECK(proxy.address == "::1");
  CHECK(proxy.port == 3128);
}

TEST_CASE("landlock scope and best_effort statements") {
  auto p = parse_text(R"(policy p version 1 { filesystem {
    landlock abi >= 3
    landlock scope signal, abstract_unix_socket
    landlock best_effort network, scope
  } })");
  REQUIRE(p->file);
  const auto& f = std::get<ast::FilesystemSection>(p->file->items[0]);
  REQUIRE(f.stmts.size() == 3);
  const auto& scope = std::get<ast::LandlockScope>(f.stmts[1]);
  REQUIRE(scope.scopes.size() == 2);
  CHECK(scope.scopes[1].text == "abstract_unix_socket");
  const auto& be = std::get<ast::LandlockBestEffort>(f.stmts[2]);
  REQUIRE(be.layers.size() == 2);
  CHECK(be.layers[0].text == "network");
}

TEST_CASE("integer literals: bases, separators and overflow") {
  auto p = parse_text("policy p version 1 { const A = 0x10 const B = 0o17 const C = 0b101 const D = 1_000 }");
  REQUIRE(p->file);
  CHECK(std::get<ast::ConstDef>(p->file->items[0]).value->int_value == 16);
  CHECK(std::get<ast::ConstDef>(p->file->items[1]).value->int_value == 15);
  CHECK(std::get<ast::ConstDef>(p->file->items[2]).value->int_value == 5);
  CHECK(std::get<ast::ConstDef>(p->file->items[3]).value->int_value == 1000);
  auto big = parse_text("policy p version 1 { const A = 18446744073709551616 }");
  CHECK(!big->file);
  CHECK(big->engine.diagnostics().at(0).code == diag::Code::IntegerTooLarge);
}

TEST_CASE("syntax errors: the first one only, with what was expected") {
  auto p = parse_text("policy p version 1 {\n  targets x86_64,\n}\n");
  CHECK(!p->file);
  REQUIRE(p->engine.diagnostics().size() == 1);
  const auto& d = p->engine.diagnostics()[0];
  CHECK(d.code == diag::Code::SyntaxError);
  CHECK(d.message == "unexpected `}`");
  REQUIRE(!d.notes.empty());
}

TEST_CASE("hostile input is rejected cleanly") {
  CHECK(parse_text("policy p version 1 { ; }")->engine.diagnostics().at(0).code == diag::Code::LexicalError);
  CHECK(parse_text("policy p version 1 { import \"abc }")->engine.diagnostics().at(0).code == diag::Code::LexicalError);
  CHECK(parse_text(std::string("policy p\0", 9))->engine.diagnostics().at(0).code == diag::Code::InvalidUtf8);
  CHECK(parse_text("policy p \xff")->engine.diagnostics().at(0).code == diag::Code::InvalidUtf8);
  CHECK(parse_text("policy p \xc0\x80")->engine.diagnostics().at(0).code == diag::Code::InvalidUtf8);  // overlong
  const std::string deep =
      "policy p version 1 { syscalls { allow x(" + std::string(300, '(') + "a==1" + std::string(300, ')') + ") } }";
  CHECK(parse_text(deep)->engine.diagnostics().at(0).code == diag::Code::NestingTooDeep);
  std::string chain = "policy p version 1 { syscalls { allow x(a == 1";
  for (int i = 0; i < 5000; ++i) chain += " && a == 1";
  chain += ") } }";
  CHECK(parse_text(chain)->engine.diagnostics().at(0).code == diag::Code::NestingTooDeep);
  CHECK(!parse_text("")->file);
}

TEST_CASE("UTF-8 checks and offset mapping") {
  CHECK(!syntax::first_invalid_utf8("plain ascii"));
  CHECK(!syntax::first_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK(syntax::first_invalid_utf8("ab\xed\xa0\x80") == 2u);  // surrogate
  CHECK(syntax::first_invalid_utf8("ab\xe2\x82") == 2u);      // truncated
  const syntax::OffsetMap m("a\xc3\xa9z");
  CHECK(m.byte_offset(0) == 0);
  CHECK(m.byte_offset(1) == 1);
  CHECK(m.byte_offset(2) == 3);
  CHECK(m.byte_offset(3) == 4);
}

TEST_CASE("a string with a non-ASCII character keeps byte-accurate ranges") {
  auto p = parse_text("policy p version 1 { filesystem { read \"/d\xc3\xa9j\xc3\xa0\" } }");
  REQUIRE(p->file);
  const auto& fs = std::get<ast::FilesystemSection>(p->file->items[0]);
  const auto& r = std::get<ast::AccessRule>(fs.stmts[0]);
  CHECK(r.paths[0].value == "/d\xc3\xa9j\xc3\xa0");
  CHECK(r.paths[0].range.end - r.paths[0].range.begin == 9);
}

TEST_CASE("a UTF-8 byte-order mark at the start is ignored") {
  auto p = parse_text("\xef\xbb\xbfpolicy p version 1 { targets x86_64 }");
  REQUIRE(p->file);
  CHECK(p->file->name == "p");
}
