// Stage: sema. The OS layer's values: sizes (512MiB), times (5m), CPU cores (1.5), counts and
// on/off switches, read from what the AST kept as written. Each reader reports what is wrong
// with its value (E0902 a missing unit, E0903 an unknown unit, E0904 a value of the wrong form,
// E0905 a value out of range) and returns nothing then.
#pragma once

#include <optional>
#include <string_view>

#include "compiler/ir/os_names.h"
#include "compiler/sema/context.h"

namespace polc::sema {

// Bytes. `what` names the value in messages ("`memory`", "a tmpfs size").
std::optional<uint64_t> read_size(Context& ctx, const ast::Quantity& q, std::string_view what);

// The value of limit `kind` in the IR's unit (limit_info(kind).unit), range-checked.
std::optional<uint64_t> read_limit_value(Context& ctx, ir::LimitKind kind, const ast::Quantity& q);

}  // namespace polc::sema
