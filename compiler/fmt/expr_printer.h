// Stage: fmt (internal). Single-line renderings of the AST's leaves: expressions, actions,
// targets, strings, hosts and ports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"

namespace polc::fmt {

std::string print_expr(const ast::Expr& e);
std::string print_action(const ast::Action& a);
std::string print_target(const ast::SyscallTarget& t);
std::string print_string(const std::string& value);
std::string print_host(const ast::HostRef& h);
std::string print_port(const ast::PortRange& p);
std::string print_query(const ast::Query& q);

}  // namespace polc::fmt

namespace polc::fmt {

// Lines of `e` laid out to fit `width` columns when it starts at column `col`: line 0 carries no
// indentation (the caller places it at `col`); later lines carry their own leading spaces. Chains
// of `&&`, `||` and `|` break after an operator, continuation lines aligned with the chain's
// start; everything else stays on one line.
std::vector<std::string> print_expr_lines(const ast::Expr& e, size_t col, size_t width);

// The same for a syscall target: `name(arg, arg)` breaks between arguments (aligned after the
// parenthesis), and each argument as an expression.
std::vector<std::string> print_target_lines(const ast::SyscallTarget& t, size_t col, size_t width);

// Display width in code points.
size_t display_width(std::string_view s);

}  // namespace polc::fmt
