// Stage: import. Comparing runc's 64-bit reading of a condition with polc's.
#include "compiler/import/oci_width.h"

#include <optional>

#include "compiler/arch/arch.h"

namespace polc::import {

namespace {

// runc: the register against the profile's 64-bit values, unsigned.
bool runc_accepts(const OciArg& a, uint64_t reg) {
  switch (a.op) {
    case OciOp::Ne: return reg != a.value;
    case OciOp::Lt: return reg < a.value;
    case OciOp::Le: return reg <= a.value;
    case OciOp::Eq: return reg == a.value;
    case OciOp::Ge: return reg >= a.value;
    case OciOp::Gt: return reg > a.value;
    case OciOp::MaskedEq: return (reg & a.value) == a.value_two;
  }
  return false;
}

int64_t as_signed(uint64_t v, unsigned width) {
  if (width >= 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (width - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// polc: the value the kernel reads, at the argument's width and signedness.
bool polc_accepts(const PolcComparison& c, const ArgView& view, uint64_t v) {
  if (c.op == OciOp::MaskedEq) return (v & c.value) == c.datum;
  if (c.op == OciOp::Eq) return v == c.value;
  if (c.op == OciOp::Ne) return v != c.value;
  const bool lt = view.is_signed ? as_signed(v, view.width) < as_signed(c.value, view.width) : v < c.value;
  const bool eq = v == c.value;
  switch (c.op) {
    case OciOp::Lt: return lt;
    case OciOp::Le: return lt || eq;
    case OciOp::Gt: return !lt && !eq;
    case OciOp::Ge: return !lt;
    default: return false;
  }
}

// Whether `v` is negative as polc reads the argument: then signedness, not width, explains a
// disagreement on a register that holds `v` as a program would pass it.
bool negative(uint64_t v, const ArgView& view) { return view.is_signed && as_signed(v, view.width) < 0; }

std::string as_signed_text(uint64_t v, const ArgView& view) {
  return "polc compares the argument as a signed " + std::to_string(view.width) + "-bit number, " +
         std::to_string(as_signed(v, view.width)) + ", and ";
}

}  // namespace

PolcComparison polc_comparison(const OciArg& written, const ArgView& view) {
  const uint64_t wm = arch::width_mask(view.width);
  return {written.op, written.value & wm, written.op == OciOp::MaskedEq ? written.value_two & wm : 0};
}

std::vector<std::string> width_differences(const OciArg& arg, const PolcComparison& c, const ArgView& view) {
  const uint64_t wm = arch::width_mask(view.width), rm = arch::width_mask(view.register_bits);
  // The two predicates are constant between the boundaries these values mark, so testing on and
  // around each boundary finds every kind of disagreement.
  const uint64_t half = view.width >= 64 ? uint64_t{1} << 63 : uint64_t{1} << (view.width - 1);
  const uint64_t values[] = {c.value,
                             c.value + 1,
                             c.value - 1,
                             0,
                             1,
                             half,
                             half - 1,
                             half + 1,
                             wm,
                             wm - 1,
                             c.datum,
                             c.datum | (~c.value & wm),
                             c.datum ^ (c.value & (~c.value + 1))};
  std::vector<uint64_t> registers;
  for (uint64_t raw : values) {
    const uint64_t v = raw & wm;
    const uint64_t sext = view.width < 64 && (v & half) ? (v | ~wm) & rm : v;
    registers.insert(registers.end(), {v, sext});
    if (view.width < view.register_bits) registers.insert(registers.end(), {(v | (wm + 1)) & rm, (v | ~wm) & rm});
  }
  for (uint64_t raw : {arg.value, arg.value + 1, arg.value - 1, arg.value_two}) registers.push_back(raw & rm);

  std::optional<uint64_t> bypass, looser, stricter;
  for (uint64_t reg : registers) {
    const uint64_t v = reg & wm;
    const uint64_t sext = view.width < 64 && (v & half) ? (v | ~wm) & rm : v;
    const bool canonical = reg == v || reg == sext;  // as a program passes it: zero- or sign-extended
    const bool runc = runc_accepts(arg, reg), polc = polc_accepts(c, view, v);
    if (runc && !polc && !canonical && !bypass) bypass = reg;
    if (runc && !polc && canonical && !stricter) stricter = reg;
    if (!runc && polc && canonical && !looser) looser = reg;
  }
  std::vector<std::string> out;
  const std::string bits = std::to_string(view.width) + " bits";
  if (bypass)
    out.push_back("runc lets the register value " + format_number(*bypass) + " through, which the kernel reads as " +
                  format_number(*bypass & wm) + "; polc compares the " + bits +
                  " the kernel reads and refuses it, closing that bypass");
  if (looser) {
    const uint64_t v = *looser & wm;
    out.push_back("runc refuses the register value " + format_number(*looser) +
                  (negative(v, view) && *looser == v
                       ? "; " + as_signed_text(v, view) + "accepts it"
                       : ", which the kernel reads as " + format_number(v) + "; polc, comparing the " + bits +
                             " the kernel reads, accepts it"));
  }
  if (stricter) {
    const uint64_t v = *stricter & wm;
    out.push_back("runc lets the register value " + format_number(*stricter) + " through; " +
                  (negative(v, view) ? as_signed_text(v, view) + "refuses it"
                                     : "the kernel reads it as " + format_number(v) + ", which polc refuses"));
  }
  return out;
}

std::string format_number(uint64_t v) {
  if (v < 4096) return std::to_string(v);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digits;
  for (uint64_t x = v; x != 0; x >>= 4) digits.insert(digits.begin(), kHex[x & 0xf]);
  if (digits.size() > 8) {  // 0x1_0000_0028: groups of four from the right
    const size_t lead = digits.size() % 4 == 0 ? 4 : digits.size() % 4;
    std::string grouped = digits.substr(0, lead);
    for (size_t i = lead; i < digits.size(); i += 4) grouped += "_" + digits.substr(i, 4);
    digits = grouped;
  }
  return "0x" + digits;
}

}  // namespace polc::import
