// Stage: sema. Filesystem rights and paths: names to Landlock bits (composites expanded for the
// policy's minimum ABI) and path normal-form checks.
#pragma once

#include <optional>
#include <vector>

#include "compiler/sema/context.h"

namespace polc::sema {

// The Landlock bits of `rights` at ABI `abi`. Reports E0303 for unknown names and E0304 for a
// right `abi` cannot enforce (only when abi > 0: without an ABI, E0306 is reported elsewhere).
std::optional<uint64_t> resolve_rights(Context& ctx, const std::vector<ast::Name>& rights, unsigned abi);

// Reports E0301/E0302 for a path that is not absolute and normal. True when the path is fine.
bool check_path(Context& ctx, const ast::StringLit& path);

// Human-readable names of the rights in `bits`, for reports ("read_file, read_dir").
std::string rights_to_string(uint64_t bits);

}  // namespace polc::sema
