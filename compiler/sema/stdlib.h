// Stage: sema. The standard library modules compiled into polc (see cmake/embed_stdlib.cmake).
#pragma once

#include <span>
#include <string_view>

namespace polc::sema {

struct StdlibModule {
  std::string_view name;  // "std.runtime.glibc"
  std::string_view path;  // "runtime/glibc.sbx", relative to stdlib/
  std::string_view text;
};

// Sorted by path.
std::span<const StdlibModule> embedded_stdlib();

}  // namespace polc::sema
