// Stage: sema (internal). State shared by the analysis passes: the loaded program, the definition
// tables, the target architectures, and the policy being built.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/ir/normalize.h"
#include "compiler/sema/loader.h"

namespace polc::sema {

struct GroupMemberRef {
  std::string syscall;
  bool optional = false;
  ast::SourceRange range;  // the member as written (for E0202)
};

// How deeply definitions may refer to each other (const A = B, B = C, ...; @a includes @b ...):
// far beyond real policies, and low enough that no input can exhaust the stack.
inline constexpr size_t kMaxDefinitionDepth = 256;

// A constant's value: its 64-bit pattern, and whether it was written negative (which decides how
// it fits narrower arguments).
struct ConstValue {
  uint64_t bits = 0;
  bool negative = false;
  size_t depth = 0;  // longest chain of `const` definitions this value was computed through
};

struct Definition {
  enum class Kind { Group, Hosts, Const } kind = Kind::Group;
  size_t unit = 0;
  const ast::GroupDef* group = nullptr;
  const ast::HostsDef* hosts = nullptr;
  const ast::ConstDef* constant = nullptr;
  ast::SourceRange range;
  bool used = false;
};

// What a `without` list removes from one import's rules.
struct Exclusions {
  std::set<std::string> syscalls;
  std::set<std::string> strings;  // paths and hosts, as written
  bool operator<(const Exclusions& o) const { return std::tie(syscalls, strings) < std::tie(o.syscalls, o.strings); }
  bool empty() const { return syscalls.empty() && strings.empty(); }
};

struct Context {
  Context(diag::Engine& d, Program& p, bool module) : diags(d), program(p), checking_module(module) {}

  diag::Engine& diags;
  Program& program;
  std::vector<arch::Arch> targets;
  bool checking_module = false;  // the root is a module: checked against every arch
  std::map<std::string, Definition> defs;
  ir::Policy policy;

  bool reported_missing_abi = false;
  std::optional<ast::SourceRange> first_fs_section;  // for E0306 on a section without any ABI
  std::vector<std::string> const_stack;              // constants being evaluated, to detect cycles
  // Memos: a constant's value per arch, and each set's expansion (deduplicated), so definitions
  // that share sub-definitions cost linear time, not exponential.
  std::map<std::pair<std::string, arch::Arch>, std::optional<ConstValue>> const_values;
  std::map<std::string, std::vector<GroupMemberRef>> group_expansions;
  std::map<std::string, std::vector<ir::Host>> hosts_expansions;
  std::vector<std::string> expansion_stack;  // sets being expanded, to stop at cycles
  std::map<std::string, size_t> set_depths;  // longest chain of nested sets below each expanded set
  bool reported_definition_depth = false;    // E0006 for definition chains, once per policy
  // What the policy has used of its documented size (size_limits.h); once over, lowering stops.
  struct SizeUsed {
    size_t syscall_rules = 0, fs_paths = 0, net_entries = 0;
  } size_used;
  bool over_size_limit = false;

  const Unit& unit(size_t i) const { return *program.units[i]; }
  ir::Origin origin(size_t unit_index, ast::SourceRange range) const;
  Definition* lookup(const std::string& name) {
    auto it = defs.find(name);
    return it == defs.end() ? nullptr : &it->second;
  }
};

// ---- passes (each in its own file) ----

void collect_definitions(Context& ctx);  // definitions.cpp
// E0006 for a chain of definitions deeper than kMaxDefinitionDepth, at most once per policy
// (`what`: "constants refer to each other").
void report_definition_depth(Context& ctx, ast::SourceRange at, std::string_view what);
// Validates every definition even if unused: host set members, constant values, and repeated
// members (W0001). Group members are checked against the targets by check_groups.
void check_definitions(Context& ctx);  // definitions.cpp
void resolve_header(Context& ctx);     // header.cpp: targets, default, Landlock ABI
// Group expansion: the syscalls of @name, recursively; reports cycles and unknown names.
std::vector<GroupMemberRef> expand_group(Context& ctx, const std::string& name, ast::SourceRange use);
std::vector<ir::Host> expand_hosts(Context& ctx, const std::string& name, ast::SourceRange use);

void lower_syscall_rules(Context& ctx, size_t unit, const Exclusions& ex);  // syscall_rules.cpp
void lower_fs_rules(Context& ctx, size_t unit, const Exclusions& ex);       // fs_rules.cpp
void lower_net_rules(Context& ctx, size_t unit, const Exclusions& ex);      // net_rules.cpp
void lower_landlock_layers(Context& ctx, size_t unit);                      // landlock_layers.cpp
// E0304 for scopes the minimum ABI cannot provide unless the policy made them best effort.
void check_landlock_layers(Context& ctx);  // landlock_layers.cpp
// E0406 for domain rules without a proxy to enforce them.
void check_proxy(Context& ctx);  // net_rules.cpp
// The root policy's assertions and tests, then `extra_tests` (may be null; see Options).
void lower_queries(Context& ctx, const std::vector<ast::Test>* extra_tests);  // queries.cpp
void add_implicit_network_denies(Context& ctx);                               // net_rules.cpp
// Limits, namespaces, mount rules and workspaces of every unit, combined into policy.os.
void lower_os(Context& ctx);  // os_layer.cpp
// W0014..W0016: filesystem grants that cannot take effect as written (a directory right on a
// file, a grant beneath a tmpfs mount, a written file whose directory is not granted). Runs
// after lower_os, over every unit's rules.
void lint_fs_effects(Context& ctx);  // fs_effect_lints.cpp

}  // namespace polc::sema
