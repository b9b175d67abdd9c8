// Stage: backends (the registry). Every backend polc has, in the order a build runs them. The
// driver selects from this table (`--backends`), runs it, and lists it in help; nothing else
// names a backend.
#pragma once

#include <span>
#include <string_view>

#include "backends/backend.h"

namespace polc::backends {

std::span<const Backend> registry();

// The row named `name`, or nullptr.
const Backend* find_backend(std::string_view name);

}  // namespace polc::backends
