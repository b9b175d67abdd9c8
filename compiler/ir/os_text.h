// Stage: ir (vocabulary). The OS layer's values as a policy would write them: sizes in the
// largest binary unit that divides them (512MiB), times in the largest unit (5m), CPU in cores
// (1.5), switches as on/off. The IR's JSON, `polc diff` and reports print limits this way.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"

namespace polc::ir {

std::string size_text(uint64_t bytes);         // "512MiB", "1B"; "0B" for 0
std::string duration_text(uint64_t ms);        // "5m", "1500ms"
std::string cores_text(uint64_t thousandths);  // "1.5", "0.01", "2"
std::string limit_value_text(LimitKind kind, uint64_t value);

}  // namespace polc::ir
