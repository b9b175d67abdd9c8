// Stage: ast. polc's own syntax tree of one .sbx file, built by compiler/syntax from the ANTLR
// parse tree. It keeps every construct as written (spelling of actions, `?` markers, comments) so
// that `polc fmt` can print it back, and carries source ranges for diagnostics. It resolves
// nothing: names, constants and imports are sema's job.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/diag/source_manager.h"

namespace polc::ast {

using diag::SourceRange;

struct Name {
  std::string text;
  SourceRange range;
};

// A string literal with escapes already decoded; `range` covers the quotes.
struct StringLit {
  std::string value;
  SourceRange range;
};

// ---- expressions ------------------------------------------------------------------------------

enum class ExprKind {
  Int,      // literal: `int_value`
  Name,     // constant or argument reference: `name`
  Neg,      // -lhs
  BitAnd,   // lhs & rhs (a masked argument, or a constant expression)
  BitOr,    // lhs | rhs (constant expression)
  Compare,  // lhs op rhs
  In,       // lhs in {set}  (negated: lhs not in {set})
  And,      // lhs && rhs
  Or,       // lhs || rhs
  Not,      // !lhs
};

enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge };

struct Expr {
  ExprKind kind = ExprKind::Int;
  SourceRange range;
  uint64_t int_value = 0;
  std::string int_text;  // the literal as written (fmt keeps 0x/0o/0b spelling)
  std::string name;
  CmpOp op = CmpOp::Eq;
  bool negated = false;        // for In
  bool parenthesized = false;  // written inside ( ), kept by fmt for readability
  std::unique_ptr<Expr> lhs;
  std::unique_ptr<Expr> rhs;
  std::vector<std::unique_ptr<Expr>> set;  // for In
};
using ExprPtr = std::unique_ptr<Expr>;

// ---- syscalls ---------------------------------------------------------------------------------

enum class ActionKind { Allow, Log, Trap, UserNotif, KillThread, KillProcess, Kill, Deny, Errno, Trace };

struct Action {
  ActionKind kind = ActionKind::Allow;
  ExprPtr value;  // errno(value) / trace(value); null otherwise
  SourceRange range;
};

// `name`, `name?`, `name(expr, ...)` or `@group`.
struct SyscallTarget {
  bool is_group = false;
  Name name;              // without the '@' for groups
  bool optional = false;  // `name?`: only on arches that have the syscall
  bool has_parens = false;
  std::vector<ExprPtr> args;  // conditions (rules) or positional values (tests)
  SourceRange range;
};

struct SyscallDefault {
  Action action;
  SourceRange range;
};

struct SyscallRule {
  Action action;
  std::vector<SyscallTarget> targets;
  ExprPtr trailing_errno;  // `deny x errno(E)`; null when absent
  SourceRange trailing_errno_range;
  SourceRange range;
};

using SyscallStmt = std::variant<SyscallDefault, SyscallRule>;

// ---- filesystem -------------------------------------------------------------------------------

struct LandlockAbi {
  uint64_t abi = 0;
  SourceRange range;
  SourceRange value_range;
};

struct AccessRule {
  bool deny = false;
  std::vector<Name> rights;
  std::vector<StringLit> paths;
  SourceRange range;
};

// `landlock scope signal, abstract_unix_socket`: IPC the sandbox may not aim outside itself.
struct LandlockScope {
  std::vector<Name> scopes;
  SourceRange range;
};

// `landlock best_effort network, scope`: Landlock layers applied only where the kernel has them.
struct LandlockBestEffort {
  std::vector<Name> layers;
  SourceRange range;
};

// A value of the OS layer as written: an integer (`128`), a number with its unit or a decimal
// (`512MiB`, `5m`, `1.5`), or a word (`off`). Sema decides what each limit accepts.
struct Quantity {
  enum class Kind { Int, Quantity, Name } kind = Kind::Int;
  std::string text;        // as written
  uint64_t int_value = 0;  // Kind::Int only
  SourceRange range;
};

// `mount hide "/a", "/b"`, `mount tmpfs "/tmp" size 64MiB`, `mount minimal_dev`: the kind is a
// name (sema checks it), the paths and the size are optional in the grammar.
struct MountStmt {
  Name kind;
  std::vector<StringLit> paths;
  std::optional<Quantity> size;
  SourceRange range;
};

// One condition of `discard on ...`: `kill`, `failure`, `refusal` or `refusal(seccomp, ...)`.
struct DiscardCond {
  Name name;
  bool has_layers = false;
  std::vector<Name> layers;
  SourceRange range;
};

// `workspace "/work/p" [discard on kill, failure, refusal(LAYERS)]`.
struct WorkspaceStmt {
  StringLit path;
  std::vector<DiscardCond> discard;  // empty: not written (the default applies)
  SourceRange range;
};

using FsStmt = std::variant<LandlockAbi, LandlockScope, LandlockBestEffort, AccessRule, MountStmt, WorkspaceStmt>;

// ---- network ----------------------------------------------------------------------------------

enum class HostKind { String, Address, Group, Any };

struct HostRef {
  HostKind kind = HostKind::String;
  std::string text;  // decoded string, address text, or group name without '@'
  SourceRange range;
};

struct PortRange {
  uint64_t low = 0;
  uint64_t high = 0;
  bool is_range = false;  // written low-high
  SourceRange range;
};

enum class Direction { Any, Connect, Bind };
enum class Proto { Any, Tcp, Udp };

struct NetRule {
  bool deny = false;
  Direction direction = Direction::Any;
  Proto proto = Proto::Any;
  bool any_port = false;         // `any` written
  std::vector<PortRange> ports;  // empty and !any_port: not written
  bool has_to = false;
  std::vector<HostRef> hosts;
  SourceRange range;
};

// `proxy ADDRESS port N`: the egress proxy that enforces the domain rules.
struct ProxyDecl {
  std::string address;  // the address text as written
  SourceRange address_range;
  uint64_t port = 0;
  SourceRange port_range;
  SourceRange range;
};

using NetStmt = std::variant<NetRule, ProxyDecl>;

// ---- assertions and tests ---------------------------------------------------------------------

struct FsQuery {
  std::vector<Name> rights;
  StringLit path;
};

struct NetQuery {
  Direction direction = Direction::Connect;
  Proto proto = Proto::Tcp;
  std::optional<PortRange> port;
  std::optional<HostRef> host;
};

struct SyscallQuery {
  SyscallTarget target;
  std::optional<Name> arch;  // `on x86_64`
};

struct Query {
  std::variant<SyscallQuery, FsQuery, NetQuery> q;
  SourceRange range;
};

struct Assertion {
  bool never = true;  // false: always
  Query query;
  SourceRange range;
};

struct Expectation {
  Action action;
  Query query;
  SourceRange range;
};

struct Test {
  StringLit name;
  std::vector<Expectation> expectations;
  SourceRange range;
};

// ---- top-level items --------------------------------------------------------------------------

struct Targets {
  std::vector<Name> arches;
  SourceRange range;
};

// `std.runtime.glibc` (is_file false) or "./common.sbx" (is_file true).
struct ImportRef {
  bool is_file = false;
  std::string text;
  SourceRange range;
};

enum class WithoutKind { Name, Group, String };
struct WithoutRef {
  WithoutKind kind = WithoutKind::Name;
  std::string text;
  SourceRange range;
};

struct Import {
  std::vector<ImportRef> refs;
  std::vector<WithoutRef> without;
  SourceRange range;
};

struct ConstDef {
  Name name;
  ExprPtr value;
  SourceRange range;
};

struct GroupMember {
  bool is_group = false;
  Name name;
  bool optional = false;
  SourceRange range;
};

struct GroupDef {
  Name name;  // without '@'
  std::vector<GroupMember> members;
  SourceRange range;
};

struct HostsDef {
  Name name;  // without '@'
  std::vector<HostRef> hosts;
  SourceRange range;
};

struct SyscallsSection {
  std::vector<SyscallStmt> stmts;
  SourceRange range;
};

struct FilesystemSection {
  std::vector<FsStmt> stmts;
  SourceRange range;
};

struct NetworkSection {
  std::vector<NetStmt> stmts;
  SourceRange range;
};

// ---- the OS layer ---------------------------------------------------------------------------

// `memory 512MiB` inside `limits { ... }`.
struct LimitStmt {
  Name name;
  Quantity value;
  SourceRange range;
};

struct LimitsSection {
  std::vector<LimitStmt> stmts;
  SourceRange range;
};

// `namespaces pid, mount, ipc`.
struct NamespacesDecl {
  std::vector<Name> namespaces;
  SourceRange range;
};

using Item = std::variant<Targets, Import, ConstDef, GroupDef, HostsDef, SyscallsSection, FilesystemSection,
                          NetworkSection, Assertion, Test, LimitsSection, NamespacesDecl>;

struct Comment {
  std::string text;  // including the leading '#'
  SourceRange range;
};

enum class UnitKind { Policy, Module };

struct File {
  diag::FileId file = diag::kNoFile;
  UnitKind kind = UnitKind::Policy;
  std::string name;  // policy name, or dotted module name
  SourceRange name_range;
  uint64_t version = 0;  // policies only
  SourceRange version_range;
  std::vector<Item> items;
  std::vector<Comment> comments;  // every comment in source order, for fmt
  SourceRange range;
};

}  // namespace polc::ast
