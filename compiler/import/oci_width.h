// Stage: import. How an imported comparison's meaning changes between runc, which compares the
// whole 64-bit register unsigned, and polc, which compares the width the kernel reads (32 bits for
// `int`) and signed arguments as signed numbers. Finds concrete register values on which the two
// disagree, for warning W0702.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/import/oci_profile.h"

namespace polc::import {

// How seccomp and polc see one argument on one target.
struct ArgView {
  unsigned register_bits = 64;  // what seccomp hands over: 32 on x86 and arm
  unsigned width = 64;          // what the kernel reads and polc compares
  bool is_signed = false;
};

// What polc compares on one target: the written value (or mask and datum) cut to the argument's
// width, as sema does.
struct PolcComparison {
  OciOp op = OciOp::Eq;
  uint64_t value = 0;  // the mask for MaskedEq
  uint64_t datum = 0;  // MaskedEq only
};

// `written` holds the 64-bit patterns of the literals the import writes (a negative literal as its
// two's complement, a mask as written).
PolcComparison polc_comparison(const OciArg& written, const ArgView& view);

// One sentence per kind of disagreement between runc's comparison `runc` and polc's `polc` (a
// bypass closed, a value polc accepts that runc refused, a value polc refuses that runc accepted),
// each with a witness; empty when the two mean the same on every register value.
std::vector<std::string> width_differences(const OciArg& runc, const PolcComparison& polc, const ArgView& view);

// 40, 0x7e020000, 0x1_0000_0028: decimal below 4096, hex above, in groups of four past 32 bits.
std::string format_number(uint64_t v);

}  // namespace polc::import
