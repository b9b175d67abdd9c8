// Stage: fmt (internal). Single-line renderings of the AST's leaves: expressions, actions,
// targets, strings, hosts and ports.
#pragma once

#include <string>

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
