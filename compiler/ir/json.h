// Stage: ir. The IR as JSON (`polc ir FILE`): stable key order, deterministic, for review and for
// tools that want the resolved policy without linking polc.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace polc::ir {

std::string to_json(const Policy& p);

}  // namespace polc::ir
