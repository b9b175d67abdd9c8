// Stage: sema. What a module and everything it imports mention (syscalls, groups, paths, hosts),
// read straight from the ASTs without resolving or reporting anything. Used to check that every
// `without` item names something the import really brings.
#pragma once

#include <set>
#include <string>

#include "compiler/sema/context.h"

namespace polc::sema {

struct Mentions {
  std::set<std::string> syscalls;  // named directly or through a group (expanded)
  std::set<std::string> groups;    // @names used by rules, and the groups those include
  std::set<std::string> strings;   // filesystem paths and network hosts as written
};

Mentions collect_mentions(const Context& ctx, size_t unit);

}  // namespace polc::sema
