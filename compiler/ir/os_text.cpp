// Stage: ir (vocabulary). Readable OS-layer values (see os_text.h).
#include "compiler/ir/os_text.h"

#include "compiler/ir/os_names.h"

namespace polc::ir {

namespace {

struct Unit {
  const char* name;
  uint64_t factor;
};

// The largest unit that divides `v` exactly; units from the largest down, the last being 1.
template <size_t N>
std::string in_largest_unit(uint64_t v, const Unit (&units)[N]) {
  for (const Unit& u : units)
    if (v != 0 && v % u.factor == 0) return std::to_string(v / u.factor) + u.name;
  return std::to_string(v) + units[N - 1].name;
}

}  // namespace

std::string size_text(uint64_t bytes) {
  static constexpr Unit kUnits[] = {{"TiB", uint64_t{1} << 40},
                                    {"GiB", uint64_t{1} << 30},
                                    {"MiB", uint64_t{1} << 20},
                                    {"KiB", uint64_t{1} << 10},
                                    {"B", 1}};
  return in_largest_unit(bytes, kUnits);
}

std::string duration_text(uint64_t ms) {
  static constexpr Unit kUnits[] = {{"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
  return in_largest_unit(ms, kUnits);
}

std::string cores_text(uint64_t thousandths) {
  std::string out = std::to_string(thousandths / 1000);
  uint64_t frac = thousandths % 1000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 3 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::string limit_value_text(LimitKind kind, uint64_t value) {
  switch (limit_info(kind).unit) {
    case LimitUnit::Bytes: return size_text(value);
    case LimitUnit::Count: return std::to_string(value);
    case LimitUnit::Millicores: return cores_text(value);
    case LimitUnit::Milliseconds: return duration_text(value);
    case LimitUnit::Switch: return value != 0 ? "on" : "off";
  }
  return std::to_string(value);
}

}  // namespace polc::ir
