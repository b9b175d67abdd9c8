// Stage: sema. The OS layer's values (see os_values.h).
#include "compiler/sema/os_values.h"

#include <limits>
#include <numeric>

#include "compiler/ir/os_text.h"
#include "compiler/sema/suggest.h"

namespace polc::sema {

using diag::Code;

namespace {

struct UnitFactor {
  std::string_view name;
  uint64_t factor;
};

// Sizes are binary: K and KiB are both 1024 bytes. Decimal spellings (KB, MB) are refused rather
// than guessed, since a policy that meant 10^6 would get 4.9% more than it said.
constexpr UnitFactor kSizeUnits[] = {{"B", 1},
                                     {"K", uint64_t{1} << 10},
                                     {"KiB", uint64_t{1} << 10},
                                     {"M", uint64_t{1} << 20},
                                     {"MiB", uint64_t{1} << 20},
                                     {"G", uint64_t{1} << 30},
                                     {"GiB", uint64_t{1} << 30},
                                     {"T", uint64_t{1} << 40},
                                     {"TiB", uint64_t{1} << 40}};
constexpr UnitFactor kTimeUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};

constexpr uint64_t kMinCpu = 10;                   // 0.01 cores
constexpr uint64_t kMaxCpu = 1'024'000;            // 1024 cores
constexpr uint64_t kMaxTasks = 4'194'304;          // PID_MAX_LIMIT: pids.max accepts no more
constexpr uint64_t kMaxOpenFiles = 2'147'483'584;  // the kernel's ceiling for fs.nr_open

// A QUANTITY token split into its parts: digits (underscores dropped), decimals, unit.
struct Parts {
  std::string whole, decimals, unit;
  bool has_point = false;
};

Parts split(std::string_view text) {
  Parts p;
  size_t i = 0;
  for (; i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '_'); ++i)
    if (text[i] != '_') p.whole += text[i];
  if (i < text.size() && text[i] == '.') {
    p.has_point = true;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) p.decimals += text[i];
  }
  p.unit = std::string(text.substr(i));
  return p;
}

// `digits` times `factor`, or nothing when it does not fit in 64 bits.
std::optional<uint64_t> scaled(const std::string& digits, uint64_t factor) {
  uint64_t v = 0;
  for (char c : digits) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (factor != 0 && v > std::numeric_limits<uint64_t>::max() / factor) return std::nullopt;
  return v * factor;
}

// The exact value of whole.decimals times factor, when it is a whole number.
std::optional<uint64_t> exact_decimal(const Parts& p, uint64_t factor) {
  uint64_t scale = 1;
  for (size_t i = 0; i < p.decimals.size(); ++i) {
    if (scale > std::numeric_limits<uint64_t>::max() / 10) return std::nullopt;
    scale *= 10;
  }
  auto digits = scaled(p.whole + p.decimals, 1);
  if (!digits) return std::nullopt;
  // digits * factor / scale, exact: divide out what the two share first.
  const uint64_t g = std::gcd(factor, scale);
  const uint64_t rest = scale / g;
  if (*digits % rest != 0) return std::nullopt;
  const uint64_t n = *digits / rest, f = factor / g;
  if (f != 0 && n > std::numeric_limits<uint64_t>::max() / f) return std::nullopt;
  return n * f;
}

template <size_t N>
const UnitFactor* find_unit(std::string_view unit, const UnitFactor (&units)[N]) {
  for (const UnitFactor& u : units)
    if (u.name == unit) return &u;
  return nullptr;
}

template <size_t N>
std::string unit_list(const UnitFactor (&units)[N]) {
  std::string out;
  for (const UnitFactor& u : units) out += (out.empty() ? "" : ", ") + std::string(u.name);
  return out;
}

void too_large(Context& ctx, const ast::Quantity& q, std::string_view what) {
  ctx.diags.report(Code::LimitOutOfRange, q.range, std::string(what) + " `" + q.text + "` does not fit in 64 bits");
}

// A number with a unit from `units`, in the unit's base (bytes, milliseconds). `example` is a
// well-formed value and `usual_unit` the unit most values take, for hints; `friendly` prints a
// value in the largest exact unit.
template <size_t N>
std::optional<uint64_t> read_with_unit(Context& ctx, const ast::Quantity& q, std::string_view what,
                                       const UnitFactor (&units)[N], std::string_view kind_of_value,
                                       std::string_view example, std::string_view usual_unit,
                                       std::string (*friendly)(uint64_t)) {
  if (q.kind == ast::Quantity::Kind::Name) {
    ctx.diags
        .report(Code::BadLimitValue, q.range,
                std::string(what) + " takes " + std::string(kind_of_value) + ", not `" + q.text + "`")
        .with_help("write a number with its unit, such as `" + std::string(example) + "`");
    return std::nullopt;
  }
  const Parts p = q.kind == ast::Quantity::Kind::Int ? Parts{q.text, "", "", false} : split(q.text);
  if (p.unit.empty()) {
    auto& d =
        ctx.diags.report(Code::MissingUnit, q.range, std::string(kind_of_value) + " `" + q.text + "` has no unit");
    d.note("units: " + unit_list(units));
    if (q.kind == ast::Quantity::Kind::Int && q.text.find_first_not_of("0123456789_") == std::string::npos)
      d.with_help("write the unit right after the number, such as `" + q.text + std::string(usual_unit) + "`");
    else d.with_help("write the unit right after the number, such as `" + std::string(example) + "`");
    return std::nullopt;
  }
  const UnitFactor* unit = find_unit(p.unit, units);
  if (unit == nullptr) {
    auto& d =
        ctx.diags.report(Code::UnknownUnit, q.range, "unknown unit `" + p.unit + "` for " + std::string(kind_of_value));
    d.note("units: " + unit_list(units));
    static const std::pair<std::string_view, std::string_view> kKnownMistakes[] = {
        {"KB", "KiB"}, {"kB", "KiB"}, {"kb", "KiB"}, {"MB", "MiB"}, {"mb", "MiB"}, {"GB", "GiB"},
        {"gb", "GiB"}, {"TB", "TiB"}, {"k", "KiB"},  {"min", "m"},  {"sec", "s"},  {"hr", "h"}};
    std::string suggestion;
    for (const auto& [wrong, right] : kKnownMistakes)
      if (wrong == p.unit && find_unit(right, units) != nullptr) suggestion = right;
    if (suggestion.empty()) {
      std::vector<std::string_view> names;
      for (const UnitFactor& u : units) names.push_back(u.name);
      suggestion = closest_match(p.unit, names);
    }
    if (!suggestion.empty()) {
      const std::string fixed = q.text.substr(0, q.text.size() - p.unit.size()) + suggestion;
      d.with_help("did you mean `" + fixed + "`?" +
                  (&units[0] == &kSizeUnits[0] ? " (polc's sizes are binary: 1KiB is 1024 bytes)" : ""))
          .fix(q.range, fixed);
    }
    return std::nullopt;
  }
  if (p.has_point) {
    auto& d = ctx.diags.report(Code::BadLimitValue, q.range,
                               std::string(what) + " is a whole number of its unit, not `" + q.text + "`");
    if (auto exact = exact_decimal(p, unit->factor); exact && *exact != 0)
      d.with_help("write `" + friendly(*exact) + "`").fix(q.range, friendly(*exact));
    else d.with_help("write it in a smaller unit");
    return std::nullopt;
  }
  auto v = scaled(p.whole, unit->factor);
  if (!v) too_large(ctx, q, what);
  return v;
}

// A plain count: an integer without a unit.
std::optional<uint64_t> read_count(Context& ctx, const ast::Quantity& q, std::string_view what) {
  if (q.kind == ast::Quantity::Kind::Int) return q.int_value;
  if (q.kind == ast::Quantity::Kind::Name) {
    ctx.diags.report(Code::BadLimitValue, q.range, std::string(what) + " takes a number, not `" + q.text + "`")
        .with_help("write a whole number, such as `128`");
    return std::nullopt;
  }
  const Parts p = split(q.text);
  if (!p.unit.empty()) {
    ctx.diags.report(Code::UnknownUnit, q.range, std::string(what) + " is a count and takes no unit")
        .with_help("write `" + q.text.substr(0, q.text.size() - p.unit.size()) + "`")
        .fix(q.range, q.text.substr(0, q.text.size() - p.unit.size()));
    return std::nullopt;
  }
  ctx.diags.report(Code::BadLimitValue, q.range, std::string(what) + " is a whole number, not `" + q.text + "`");
  return std::nullopt;
}

// Cores with at most two decimals, in thousandths.
std::optional<uint64_t> read_cores(Context& ctx, const ast::Quantity& q) {
  if (q.kind == ast::Quantity::Kind::Int) {
    if (q.int_value > kMaxCpu / 1000) return kMaxCpu + 1;  // reported as out of range by the caller
    return q.int_value * 1000;
  }
  if (q.kind == ast::Quantity::Kind::Name) {
    ctx.diags.report(Code::BadLimitValue, q.range, "`cpu` takes a number of cores, not `" + q.text + "`")
        .with_help("write the cores as a decimal, such as `1.5`");
    return std::nullopt;
  }
  const Parts p = split(q.text);
  if (!p.unit.empty()) {
    ctx.diags.report(Code::UnknownUnit, q.range, "`cpu` is a number of cores and takes no unit")
        .with_help("write `" + q.text.substr(0, q.text.size() - p.unit.size()) + "` for that many cores")
        .fix(q.range, q.text.substr(0, q.text.size() - p.unit.size()));
    return std::nullopt;
  }
  if (p.decimals.size() > 2) {
    ctx.diags.report(Code::BadLimitValue, q.range, "`cpu` takes at most two decimals, not `" + q.text + "`")
        .note("the kernel's CPU quota is kept per hundredth of a core")
        .with_help("round it to two decimals");
    return std::nullopt;
  }
  std::string decimals = p.decimals;
  decimals.resize(3, '0');
  auto v = scaled(p.whole + decimals, 1);
  if (!v || *v > kMaxCpu) return kMaxCpu + 1;
  return v;
}

std::optional<uint64_t> read_switch(Context& ctx, const ast::Quantity& q) {
  if (q.kind == ast::Quantity::Kind::Name && (q.text == "on" || q.text == "off")) return q.text == "on" ? 1 : 0;
  ctx.diags.report(Code::BadLimitValue, q.range, "`core_dumps` is `on` or `off`, not `" + q.text + "`")
      .with_help("write `core_dumps off` (the default) or `core_dumps on`");
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> read_size(Context& ctx, const ast::Quantity& q, std::string_view what) {
  return read_with_unit(ctx, q, what, kSizeUnits, "a size", "512MiB", "MiB", &ir::size_text);
}

std::optional<uint64_t> read_limit_value(Context& ctx, ir::LimitKind kind, const ast::Quantity& q) {
  const ir::LimitName& info = ir::limit_info(kind);
  const std::string what = "`" + std::string(info.name) + "`";
  std::optional<uint64_t> v;
  switch (info.unit) {
    case ir::LimitUnit::Bytes: v = read_size(ctx, q, what); break;
    case ir::LimitUnit::Count: v = read_count(ctx, q, what); break;
    case ir::LimitUnit::Millicores: v = read_cores(ctx, q); break;
    case ir::LimitUnit::Milliseconds:
      v = read_with_unit(ctx, q, what, kTimeUnits, "a time", "5m", "s", &ir::duration_text);
      break;
    case ir::LimitUnit::Switch: return read_switch(ctx, q);
  }
  if (!v) return std::nullopt;
  uint64_t low = 1, high = std::numeric_limits<uint64_t>::max();
  std::string range_text = "greater than zero";
  if (kind == ir::LimitKind::Cpu) {
    low = kMinCpu;
    high = kMaxCpu;
    range_text = "0.01 to 1024 cores";
  } else if (kind == ir::LimitKind::Tasks) {
    high = kMaxTasks;
    range_text = "1 to " + std::to_string(kMaxTasks) + " (the kernel's largest pids.max)";
  } else if (kind == ir::LimitKind::OpenFiles) {
    high = kMaxOpenFiles;
    range_text = "1 to " + std::to_string(kMaxOpenFiles) + " (the kernel's ceiling for open files)";
  }
  if (*v < low || *v > high) {
    auto& d =
        ctx.diags.report(Code::LimitOutOfRange, q.range, what + " must be " + range_text + ", not `" + q.text + "`");
    if (*v == 0 && kind != ir::LimitKind::Cpu)
      d.note("a limit of zero would stop the payload before it starts; remove the limit to leave it unlimited");
    return std::nullopt;
  }
  return v;
}

}  // namespace polc::sema
