// Stage: sema. Constant evaluation, argument conditions and actions, per architecture.
#include "compiler/sema/conditions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/sema/constants.h"
#include "compiler/sema/suggest.h"
#include "compiler/sema/syscall_signatures.h"
#include "compiler/sema/syscall_table.h"

namespace polc::sema {

using diag::Code;

namespace {

using arch::width_mask;

// A syscall argument as it appears in a condition: which register, how wide, and an optional mask.
struct ArgOperand {
  uint8_t index = 0;
  unsigned width = 64;
  bool is_signed = false;
  std::optional<uint64_t> mask;
  ast::SourceRange range;
  // The argument as the kernel reads it for some values of another argument (fcntl's `(int)arg`):
  // a written value outside this width is no error there; it is taken as the kernel reads it (W0013).
  bool narrowed = false;
  std::string narrowed_where;  // "the kernel reads `arg` as int when `cmd` is F_SETFD, ..." (W0013)
  // Where W0013 goes until the region is known to be reachable (see resolve_condition).
  struct Pending {
    ast::SourceRange range;
    std::string message, read;
    unsigned width;
  };
  std::vector<Pending>* pending = nullptr;
};

bool looks_like_arg_index(std::string_view n) {
  return n.size() >= 4 && n.substr(0, 3) == "arg" &&
         std::all_of(n.begin() + 3, n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string arg_names(std::span<const ArgSpec> sig) {
  std::string out;
  for (size_t i = 0; i < sig.size(); ++i) out += (i ? ", " : "") + std::string(sig[i].name);
  return out;
}

// The argument named `name` of `syscall` on `arch`, if `name` is one (a name from the signature or
// argN). Reports E0204 for argN out of range. nullopt and no report when `name` is no argument.
std::optional<ArgOperand> find_argument(Context& ctx, const std::string& name, ast::SourceRange range,
                                        std::string_view syscall, arch::Arch a, bool& reported) {
  const auto sig = syscall_signature(syscall, a);
  if (looks_like_arg_index(name)) {
    const unsigned long idx = name.size() > 5 ? 99 : std::stoul(name.substr(3));
    const size_t limit = sig ? sig->size() : 6;
    if (idx >= limit) {
      reported = true;
      auto& d = ctx.diags.report(Code::ArgumentIndexOutOfRange, range,
                                 "`" + name + "` is out of range: `" + std::string(syscall) + "` has " +
                                     std::to_string(limit) + " argument" + (limit == 1 ? "" : "s"));
      if (!sig) d.note("seccomp sees six arguments, arg0 to arg5");
      return std::nullopt;
    }
    ArgOperand op;
    op.index = static_cast<uint8_t>(idx);
    op.range = range;
    if (sig) {
      op.width = arg_bits((*sig)[idx].type, a);
      op.is_signed = arg_signed((*sig)[idx].type);
    } else {
      op.width = register_bits(a);
    }
    return op;
  }
  if (!sig) return std::nullopt;
  for (size_t i = 0; i < sig->size(); ++i) {
    if ((*sig)[i].name == name)
      return ArgOperand{static_cast<uint8_t>(i),
                        arg_bits((*sig)[i].type, a),
                        arg_signed((*sig)[i].type),
                        std::nullopt,
                        range,
                        false,
                        {}};
  }
  return std::nullopt;
}

// A name that is neither an argument nor a constant: lowercase names were meant as arguments.
void report_unknown_name(Context& ctx, const std::string& name, ast::SourceRange range, std::string_view syscall,
                         arch::Arch a) {
  const bool lower = !name.empty() && std::islower(static_cast<unsigned char>(name[0]));
  const auto sig = syscall_signature(syscall, a);
  if (lower) {
    // An argument that other targets know but this one does not (x86's mmap takes one pointer to
    // a struct; pread64's offset is split across registers on 32-bit arches).
    std::string elsewhere;
    for (arch::Arch other : ctx.targets) {
      if (auto s = syscall_signature(syscall, other); s && other != a)
        for (const auto& spec : *s)
          if (spec.name == name) elsewhere += (elsewhere.empty() ? "" : ", ") + std::string(arch::name(other));
    }
    if (!elsewhere.empty()) {
      auto& d = ctx.diags.report(Code::UnknownArgument, range,
                                 "`" + std::string(syscall) + "` has no argument named `" + name + "` on " +
                                     std::string(arch::name(a)) + " (it does on " + elsewhere + ")");
      if (sig) d.note("on " + std::string(arch::name(a)) + " its arguments are: " + arg_names(*sig));
      else
        d.note("polc has no prototype for `" + std::string(syscall) + "` on " + std::string(arch::name(a)) +
               ", whose calling convention differs");
      d.with_help("write a separate policy for " + std::string(arch::name(a)) +
                  ", or a rule that is valid on every target");
      return;
    }
    auto& d = ctx.diags.report(Code::UnknownArgument, range,
                               "`" + std::string(syscall) + "` has no argument named `" + name + "`");
    if (sig) {
      d.note("its arguments are: " + arg_names(*sig));
      std::vector<std::string_view> names;
      for (const auto& s : *sig) names.push_back(s.name);
      if (auto s = closest_match(name, names); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(range, s);
    } else {
      d.note("polc has no prototype for `" + std::string(syscall) + "` on " + std::string(arch::name(a)) +
             "; refer to its arguments as arg0 to arg5");
    }
    return;
  }
  auto& d = ctx.diags.report(Code::UnknownConstant, range, "unknown constant `" + name + "`");
  if (auto s = closest_match(name, all_constant_names()); !s.empty())
    d.with_help("did you mean `" + s + "`?").fix(range, s);
}

// Parses `e` as an argument operand: `arg` or `arg & MASK` (either order).
std::optional<ArgOperand> as_argument(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a,
                                      bool& reported) {
  if (e.kind == ast::ExprKind::Name) return find_argument(ctx, e.name, e.range, syscall, a, reported);
  if (e.kind != ast::ExprKind::BitAnd) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    const ast::Expr& arg = side == 0 ? *e.lhs : *e.rhs;
    const ast::Expr& mask = side == 0 ? *e.rhs : *e.lhs;
    if (arg.kind != ast::ExprKind::Name) continue;
    auto op = find_argument(ctx, arg.name, arg.range, syscall, a, reported);
    if (!op) continue;
    auto m = eval_constant(ctx, mask, a);
    if (!m) {
      reported = true;
      return std::nullopt;
    }
    if (m->negative || (m->bits & ~width_mask(op->width)) != 0) {
      ctx.diags.report(Code::ValueOutOfRange, mask.range,
                       "mask does not fit the " + std::to_string(op->width) + "-bit argument `" + arg.name + "`");
      reported = true;
      return std::nullopt;
    }
    op->mask = m->bits;
    op->range = e.range;
    return op;
  }
  return std::nullopt;
}

// Converts a written value to the bit pattern the kernel compares, checking it fits the width.
std::optional<uint64_t> fit_value(Context& ctx, const ConstValue& v, const ArgOperand& arg, ast::SourceRange range) {
  const uint64_t wm = width_mask(arg.width);
  bool fits;
  if (v.negative) {
    // -v must be at least -2^(w-1): the magnitude is (~bits + 1).
    const uint64_t magnitude = ~v.bits + 1;
    fits = arg.width >= 64 ? magnitude <= (uint64_t{1} << 63) : magnitude <= (uint64_t{1} << (arg.width - 1));
  } else {
    fits = (v.bits & ~wm) == 0;
  }
  if (!fits) {
    auto& d = ctx.diags.report(Code::ValueOutOfRange, range,
                               "value does not fit the " + std::to_string(arg.width) + "-bit argument");
    if (arg.width == 32)
      d.note("the kernel reads this argument as a 32-bit integer and ignores the upper half of the register");
    return std::nullopt;
  }
  return v.bits & wm;
}

ir::ArgCmp make_cmp(const ArgOperand& arg, ir::CmpOp op, uint64_t value) {
  ir::ArgCmp c;
  c.arg = arg.index;
  c.width = static_cast<uint8_t>(arg.width);
  c.op = op;
  c.value = value;
  if (arg.mask) {
    c.mask = *arg.mask;
    c.op = op == ir::CmpOp::Eq ? ir::CmpOp::MaskedEq : ir::CmpOp::MaskedNe;
  }
  return c;
}

// Seccomp compares unsigned; a signed `fd < 0` must become "upper half of the unsigned range".
// H = 2^(w-1) splits the unsigned range into non-negative [0, H) and negative [H, 2^w).
ir::BoolExpr signed_compare(const ArgOperand& arg, ast::CmpOp op, uint64_t c_u) {
  using ir::BoolExpr;
  using ir::CmpOp;
  const uint64_t H = uint64_t{1} << (arg.width - 1);
  const bool c_negative = c_u >= H;
  auto cmp = [&](CmpOp o, uint64_t v) { return BoolExpr::compare(make_cmp(arg, o, v)); };
  switch (op) {
    case ast::CmpOp::Lt:
      return c_negative ? BoolExpr::all({cmp(CmpOp::Ge, H), cmp(CmpOp::Lt, c_u)})
                        : BoolExpr::any({cmp(CmpOp::Lt, c_u), cmp(CmpOp::Ge, H)});
    case ast::CmpOp::Le:
      return c_negative ? BoolExpr::all({cmp(CmpOp::Ge, H), cmp(CmpOp::Le, c_u)})
                        : BoolExpr::any({cmp(CmpOp::Le, c_u), cmp(CmpOp::Ge, H)});
    case ast::CmpOp::Gt:
      return c_negative ? BoolExpr::any({cmp(CmpOp::Gt, c_u), cmp(CmpOp::Lt, H)})
                        : BoolExpr::all({cmp(CmpOp::Gt, c_u), cmp(CmpOp::Lt, H)});
    case ast::CmpOp::Ge:
      return c_negative ? BoolExpr::any({cmp(CmpOp::Ge, c_u), cmp(CmpOp::Lt, H)})
                        : BoolExpr::all({cmp(CmpOp::Ge, c_u), cmp(CmpOp::Lt, H)});
    default: return cmp(op == ast::CmpOp::Eq ? CmpOp::Eq : CmpOp::Ne, c_u);
  }
}

// The first name in a value expression that is neither a constant nor a `const` definition.
const ast::Expr* first_unknown_name(Context& ctx, const ast::Expr& e, arch::Arch a) {
  if (e.kind == ast::ExprKind::Name) return (constant_value(e.name, a) || ctx.lookup(e.name)) ? nullptr : &e;
  for (const ast::Expr* k : {e.lhs.get(), e.rhs.get()})
    if (k != nullptr)
      if (const ast::Expr* n = first_unknown_name(ctx, *k, a)) return n;
  return nullptr;
}

ast::CmpOp flip(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::Lt: return ast::CmpOp::Gt;
    case ast::CmpOp::Le: return ast::CmpOp::Ge;
    case ast::CmpOp::Gt: return ast::CmpOp::Lt;
    case ast::CmpOp::Ge: return ast::CmpOp::Le;
    default: return op;
  }
}

ir::CmpOp to_ir(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::Eq: return ir::CmpOp::Eq;
    case ast::CmpOp::Ne: return ir::CmpOp::Ne;
    case ast::CmpOp::Lt: return ir::CmpOp::Lt;
    case ast::CmpOp::Le: return ir::CmpOp::Le;
    case ast::CmpOp::Gt: return ir::CmpOp::Gt;
    case ast::CmpOp::Ge: return ir::CmpOp::Ge;
  }
  return ir::CmpOp::Eq;
}

// `kind` (And or Or) of `parts`, which may have fewer than two members.
ir::BoolExpr join(ir::BoolExpr::Kind kind, std::vector<ir::BoolExpr> parts) {
  const bool is_and = kind == ir::BoolExpr::Kind::And;
  if (parts.empty()) return is_and ? ir::BoolExpr::truth() : ir::BoolExpr::falsity();
  if (parts.size() == 1) return std::move(parts[0]);
  return is_and ? ir::BoolExpr::all(std::move(parts)) : ir::BoolExpr::any(std::move(parts));
}

// `read`: the value the kernel reads the written one as (an equality), or empty where an ordering
// is decided by the narrow type's range (the message says which way).
void report_narrowed(Context& ctx, ast::SourceRange range, const std::string& message, const std::string& read,
                     unsigned width) {
  ctx.diags.report(Code::NarrowedValue, range, message)
      .note(read.empty()
                ? "polc compares the value the kernel reads, and every value it reads there is on the same side "
                  "of the written one"
                : "polc compares the value the kernel reads, so the rule matches every register it reads as " + read)
      .with_help("write a value that fits " + std::to_string(width) + (width == 1 ? " bit" : " bits"));
}

// One comparison of `arg` with the written value `v`. For the declared argument a value that does
// not fit is an error. For a narrowed reading the comparison is of the kernel's value: the written
// value is taken as the kernel reads it from a register holding it (`(int)arg` reads 2^32 as 0).
std::optional<ir::BoolExpr> compare_operand(Context& ctx, const ArgOperand& arg, ast::CmpOp op, const ConstValue& v,
                                            ast::SourceRange range) {
  std::optional<uint64_t> bits;
  if (!arg.narrowed) {
    bits = fit_value(ctx, v, arg, range);
    if (!bits) return std::nullopt;
  } else {
    bits = v.bits & width_mask(arg.width);
    const uint64_t magnitude = ~v.bits + 1;
    const bool fits = v.negative ? magnitude <= (uint64_t{1} << (arg.width - 1)) : v.bits == *bits;
    // An ordering with a value beyond the narrow type is decided by the type's range, not by the
    // truncated value: the kernel reads F_SETFD's arg as 0 or 1, both below 3, so `arg < 3` holds
    // for every such call (truncating 3 to 1 would leave `fcntl(fd, F_SETFD, 1)` out of a deny).
    const bool ordering = op != ast::CmpOp::Eq && op != ast::CmpOp::Ne;
    if (!fits && ordering && !arg.mask) {
      const bool above = !v.negative;  // the written value is above the type's maximum (else below its minimum)
      const bool holds = (op == ast::CmpOp::Lt || op == ast::CmpOp::Le) == above;
      const std::string message = "this value is " + std::string(above ? "above" : "below") +
                                  " every value the kernel reads where " + arg.narrowed_where +
                                  ": the comparison is always " + (holds ? "true" : "false") + " there";
      if (arg.pending != nullptr) arg.pending->push_back({range, message, "", arg.width});
      else report_narrowed(ctx, range, message, "", arg.width);
      return holds ? ir::BoolExpr::truth() : ir::BoolExpr::falsity();
    }
    if (!fits) {
      std::string read = std::to_string(*bits);
      if (arg.is_signed && (*bits >> (arg.width - 1)) != 0)
        read = "-" + std::to_string((uint64_t{1} << arg.width) - *bits);
      const std::string message =
          "this value does not fit where " + arg.narrowed_where + ": the kernel reads it there as " + read;
      if (arg.pending != nullptr) arg.pending->push_back({range, message, read, arg.width});
      else report_narrowed(ctx, range, message, read, arg.width);
    }
    // A mask with no bit inside the narrow width: `(x & 0) == bits` holds exactly when bits == 0.
    if (arg.mask && *arg.mask == 0)
      return (*bits == 0) == (op == ast::CmpOp::Eq) ? ir::BoolExpr::truth() : ir::BoolExpr::falsity();
  }
  if (arg.mask) return ir::BoolExpr::compare(make_cmp(arg, to_ir(op), *bits));
  if (arg.is_signed && op != ast::CmpOp::Eq && op != ast::CmpOp::Ne) {
    // A non-negative written value is above every value of a signed type when it reaches H (its
    // bit pattern is a negative number, but the ordering is of the number written, as the table in
    // language.md says): `pid < 2147483648` holds for every pid, `pid >= 2147483648` for none.
    // Reading the pattern instead made `allow kill(pid >= 2147483648)` allow kill(-1, SIGKILL).
    if (!v.negative && (arg.width >= 64 ? v.bits >> 63 : v.bits >> (arg.width - 1)) != 0)
      return op == ast::CmpOp::Lt || op == ast::CmpOp::Le ? ir::BoolExpr::truth() : ir::BoolExpr::falsity();
    return signed_compare(arg, op, *bits);
  }
  return ir::BoolExpr::compare(make_cmp(arg, to_ir(op), *bits));
}

bool same(const ir::BoolExpr& x, const ir::BoolExpr& y) {
  if (x.kind != y.kind || x.kids.size() != y.kids.size()) return false;
  if (x.kind == ir::BoolExpr::Kind::Cmp && !(x.cmp == y.cmp)) return false;
  for (size_t i = 0; i < x.kids.size(); ++i)
    if (!same(x.kids[i], y.kids[i])) return false;
  return true;
}

// How the kernel reads one argument in a region of the selector's values.
struct Narrowing {
  unsigned width = 32;
  bool is_signed = false;
  std::string where;  // for W0013
};

// Selector values for which the kernel reads the same arguments at the same narrowed types
// (docs/argument-widths.md). Values in no region leave every argument at its signature's type.
struct Region {
  std::vector<uint64_t> values;  // the selector's values, masked
  std::array<std::optional<Narrowing>, 6> args;
  std::vector<ArgOperand::Pending>* pending = nullptr;  // W0013 of this region's lowering
};

struct Regions {
  size_t selector = 0;
  unsigned selector_width = 32;
  uint64_t selector_mask = 0;
  std::vector<Region> regions;
};

std::optional<Regions> width_regions(std::string_view syscall, arch::Arch a) {
  const auto widths = dependent_widths(syscall, a);
  const auto sig = syscall_signature(syscall, a);
  if (widths.empty() || !sig) return std::nullopt;
  auto index = [&](std::string_view name) {
    for (size_t i = 0; i < sig->size(); ++i)
      if ((*sig)[i].name == name) return i;
    return sig->size();
  };
  Regions out;
  out.selector = index(widths[0].selector);
  if (out.selector == sig->size()) return std::nullopt;  // excluded by the table's static checks
  out.selector_width = arg_bits((*sig)[out.selector].type, a);
  out.selector_mask = widths[0].selector_mask & width_mask(out.selector_width);
  // Each selector value's narrowings, then values with identical narrowings merged into a region.
  std::vector<std::pair<uint64_t, std::array<std::optional<Narrowing>, 6>>> per_value;
  for (const DependentWidth& d : widths) {
    const size_t arg = index(d.arg);
    if (arg >= 6 || index(d.selector) != out.selector) continue;  // excluded by the static checks
    Narrowing n;
    n.width = arg_bits(d.narrow, a);
    n.is_signed = arg_signed(d.narrow);
    n.where = "the kernel reads " +
              (n.width == 1 ? "only bit 0 of `" + std::string(d.arg) + "`"
                            : "`" + std::string(d.arg) + "` as a " + std::to_string(n.width) + "-bit " +
                                  (n.is_signed ? "int" : "unsigned int")) +
              " (`" + std::string(d.selector) + "`" +
              (out.selector_mask == width_mask(out.selector_width) ? "" : "'s command") + " " +
              (d.values.size() == 1 ? "is " : "in {");
    for (size_t i = 0; i < d.values.size(); ++i) n.where += (i ? ", " : "") + std::string(d.values[i].name);
    n.where += d.values.size() == 1 ? ")" : "})";
    for (const SelectorValue& sv : d.values) {
      const uint64_t v = sv.value & out.selector_mask;
      auto it = std::find_if(per_value.begin(), per_value.end(), [&](const auto& p) { return p.first == v; });
      if (it == per_value.end()) it = per_value.insert(per_value.end(), {v, {}});
      it->second[arg] = n;
    }
  }
  auto key = [](const std::array<std::optional<Narrowing>, 6>& args) {
    std::string k;
    for (const auto& n : args) k += n ? std::to_string(n->width) + (n->is_signed ? "s" : "u") + n->where + ";" : "-;";
    return k;
  };
  for (const auto& [v, args] : per_value) {
    // Computed outside the lambda: a structured binding cannot be captured before C++20's
    // P1091 fix, which clang 14 (the fuzzing build) lacks.
    const std::string wanted = key(args);
    auto it =
        std::find_if(out.regions.begin(), out.regions.end(), [&](const Region& r) { return key(r.args) == wanted; });
    if (it == out.regions.end()) it = out.regions.insert(out.regions.end(), Region{{}, args});
    it->values.push_back(v);
  }
  return out;
}

// `selector` is one of `values` (masked as the kernel masks it).
ir::BoolExpr selector_in(const Regions& rs, const std::vector<uint64_t>& values) {
  std::vector<ir::BoolExpr> members;
  for (uint64_t v : values) {
    ir::ArgCmp c;
    c.arg = static_cast<uint8_t>(rs.selector);
    c.width = static_cast<uint8_t>(rs.selector_width);
    c.value = v;
    if (rs.selector_mask == width_mask(rs.selector_width)) {
      c.op = ir::CmpOp::Eq;
    } else {
      c.op = ir::CmpOp::MaskedEq;
      c.mask = rs.selector_mask;
    }
    members.push_back(ir::BoolExpr::compare(c));
  }
  return join(ir::BoolExpr::Kind::Or, std::move(members));
}

// The operand as the kernel reads it in `region` (unchanged outside every region).
ArgOperand as_read(const ArgOperand& arg, const Region* region) {
  if (region == nullptr || arg.index >= 6 || !region->args[arg.index]) return arg;
  const Narrowing& n = *region->args[arg.index];
  ArgOperand out = arg;
  out.width = n.width;
  out.is_signed = n.is_signed;
  out.narrowed = true;
  out.narrowed_where = n.where;
  out.pending = region->pending;
  if (out.mask) *out.mask &= width_mask(out.width);
  return out;
}

std::optional<ir::BoolExpr> comparison(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a,
                                       const Region* region) {
  bool reported = false;
  ast::CmpOp op = e.op;
  auto arg = as_argument(ctx, *e.lhs, syscall, a, reported);
  const ast::Expr* value = e.rhs.get();
  if (!arg && !reported) {
    arg = as_argument(ctx, *e.rhs, syscall, a, reported);
    value = e.lhs.get();
    op = flip(op);
  }
  if (!arg) {
    if (!reported) {
      // Neither side is an argument: explain with the most specific error we can.
      const ast::Expr* unknown = first_unknown_name(ctx, *e.lhs, a);
      if (unknown == nullptr) unknown = first_unknown_name(ctx, *e.rhs, a);
      if (unknown != nullptr) {
        report_unknown_name(ctx, unknown->name, unknown->range, syscall, a);
      } else {
        ctx.diags
            .report(Code::MalformedCondition, e.range,
                    "this comparison does not involve an argument of `" + std::string(syscall) + "`")
            .with_help("compare an argument with a value, like `domain == AF_INET`");
      }
    }
    return std::nullopt;
  }
  if (value->kind == ast::ExprKind::Name && find_argument(ctx, value->name, value->range, syscall, a, reported)) {
    ctx.diags.report(Code::MalformedCondition, e.range, "seccomp cannot compare two arguments with each other");
    return std::nullopt;
  }
  auto v = eval_constant(ctx, *value, a);
  if (!v) return std::nullopt;
  if (arg->mask && op != ast::CmpOp::Eq && op != ast::CmpOp::Ne) {
    ctx.diags.report(Code::MalformedCondition, e.range, "a masked argument can only be compared with == or !=")
        .with_help("seccomp applies a mask only for equality tests");
    return std::nullopt;
  }
  return compare_operand(ctx, as_read(*arg, region), op, *v, value->range);
}

std::optional<ir::BoolExpr> membership(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a,
                                       const Region* region) {
  bool reported = false;
  auto arg = as_argument(ctx, *e.lhs, syscall, a, reported);
  if (!arg) {
    if (!reported) {
      if (e.lhs->kind == ast::ExprKind::Name) report_unknown_name(ctx, e.lhs->name, e.lhs->range, syscall, a);
      else ctx.diags.report(Code::MalformedCondition, e.lhs->range, "the left side of `in` must be an argument");
    }
    return std::nullopt;
  }
  std::vector<std::pair<ConstValue, ast::SourceRange>> values;
  bool ok = true;
  for (const auto& item : e.set) {
    auto v = eval_constant(ctx, *item, a);
    if (!v) {
      ok = false;
      continue;
    }
    values.emplace_back(*v, item->range);
  }
  if (!ok) return std::nullopt;
  const ast::CmpOp op = e.negated ? ast::CmpOp::Ne : ast::CmpOp::Eq;
  const ArgOperand o = as_read(*arg, region);
  std::vector<ir::BoolExpr> parts;
  bool fits = true;
  for (const auto& [v, range] : values) {
    auto part = compare_operand(ctx, o, op, v, range);
    if (part) parts.push_back(std::move(*part));
    else fits = false;
  }
  if (!fits) return std::nullopt;
  return e.negated ? join(ir::BoolExpr::Kind::And, std::move(parts)) : join(ir::BoolExpr::Kind::Or, std::move(parts));
}

std::optional<ir::BoolExpr> condition(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a,
                                      const Region* region) {
  switch (e.kind) {
    case ast::ExprKind::Compare: return comparison(ctx, e, syscall, a, region);
    case ast::ExprKind::In: return membership(ctx, e, syscall, a, region);
    case ast::ExprKind::Not: {
      auto k = condition(ctx, *e.lhs, syscall, a, region);
      if (!k) return std::nullopt;
      return ir::BoolExpr::negate(std::move(*k));
    }
    case ast::ExprKind::And:
    case ast::ExprKind::Or: {
      auto l = condition(ctx, *e.lhs, syscall, a, region);
      auto r = condition(ctx, *e.rhs, syscall, a, region);
      if (!l || !r) return std::nullopt;
      std::vector<ir::BoolExpr> kids;
      kids.push_back(std::move(*l));
      kids.push_back(std::move(*r));
      return e.kind == ast::ExprKind::And ? ir::BoolExpr::all(std::move(kids)) : ir::BoolExpr::any(std::move(kids));
    }
    default:
      ctx.diags.report(Code::ConditionExpected, e.range, "expected a condition, found a plain value")
          .with_help("rules compare arguments, like `domain == AF_INET`; concrete call arguments belong in tests");
      return std::nullopt;
  }
}

}  // namespace

std::optional<ConstValue> eval_constant(Context& ctx, const ast::Expr& e, arch::Arch a) {
  switch (e.kind) {
    case ast::ExprKind::Int: return ConstValue{e.int_value, false, 0};
    case ast::ExprKind::Name: {
      if (Definition* def = ctx.lookup(e.name); def != nullptr && def->kind == Definition::Kind::Const) {
        def->used = true;
        auto& stack = ctx.const_stack;
        if (std::find(stack.begin(), stack.end(), e.name) != stack.end()) {
          auto& d =
              ctx.diags.report(Code::ConstCycle, def->range, "constant `" + e.name + "` is defined in terms of itself");
          for (const std::string& s : stack) d.note("through `" + s + "`");
          return std::nullopt;
        }
        if (stack.size() >= kMaxDefinitionDepth) {
          report_definition_depth(ctx, e.range, "constants refer to each other");
          return std::nullopt;
        }
        const auto key = std::make_pair(e.name, a);
        std::optional<ConstValue> v;
        if (auto it = ctx.const_values.find(key); it != ctx.const_values.end()) {
          v = it->second;
        } else {
          stack.push_back(e.name);
          v = eval_constant(ctx, *def->constant->value, a);
          stack.pop_back();
          if (v) ++v->depth;
          ctx.const_values[key] = v;
        }
        // The limit holds for the whole chain, whether or not part of it was already evaluated.
        if (v && stack.size() + v->depth > kMaxDefinitionDepth) {
          report_definition_depth(ctx, e.range, "constants refer to each other");
          return std::nullopt;
        }
        return v;
      }
      if (auto v = constant_value(e.name, a)) return ConstValue{*v, false, 0};
      auto& d = ctx.diags.report(Code::UnknownConstant, e.range, "unknown constant `" + e.name + "`");
      if (constant_category(e.name).empty() == false)
        d.note("`" + e.name + "` has no known value on " + std::string(arch::name(a)));
      else if (auto s = closest_match(e.name, all_constant_names()); !s.empty())
        d.with_help("did you mean `" + s + "`?").fix(e.range, s);
      return std::nullopt;
    }
    case ast::ExprKind::Neg: {
      auto v = eval_constant(ctx, *e.lhs, a);
      if (!v) return std::nullopt;
      return ConstValue{~v->bits + 1, !v->negative && v->bits != 0, v->depth};
    }
    case ast::ExprKind::BitOr:
    case ast::ExprKind::BitAnd: {
      auto l = eval_constant(ctx, *e.lhs, a);
      auto r = eval_constant(ctx, *e.rhs, a);
      if (!l || !r) return std::nullopt;
      if (l->negative || r->negative) {
        ctx.diags.report(Code::MalformedCondition, e.range, "bitwise operators take non-negative values");
        return std::nullopt;
      }
      return ConstValue{e.kind == ast::ExprKind::BitOr ? (l->bits | r->bits) : (l->bits & r->bits), false,
                        std::max(l->depth, r->depth)};
    }
    default:
      ctx.diags.report(Code::MalformedCondition, e.range, "expected a value, found a condition");
      return std::nullopt;
  }
}

namespace {

// Bound of the reachability check of a region (above it, W0013 is reported without the check).
constexpr size_t kMaxWarningClauses = 1024;

// The condition of `target` with every argument read as in `region` (null: as the signature says).
std::optional<ir::BoolExpr> lower_all(Context& ctx, const ast::SyscallTarget& target, arch::Arch a,
                                      const Region* region) {
  std::vector<ir::BoolExpr> parts;
  bool ok = true;
  for (const auto& arg : target.args) {
    auto c = condition(ctx, *arg, target.name.text, a, region);
    if (c) parts.push_back(std::move(*c));
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return join(ir::BoolExpr::Kind::And, std::move(parts));
}

}  // namespace

std::optional<ir::BoolExpr> resolve_condition(Context& ctx, const ast::SyscallTarget& target, arch::Arch a) {
  if (target.args.empty()) return ir::BoolExpr::truth();
  auto wide = lower_all(ctx, target, a, nullptr);
  if (!wide) return std::nullopt;
  // Where the kernel reads some arguments narrower for some values of another (fcntl's `(int)arg`
  // for F_SETFD), the condition is lowered once per region of that argument's values:
  //   (cmd in REGION_1 && cond as read there) || ... || (cmd in no region && cond)
  // Every comparison is then of the value the kernel reads, whatever the selector holds: a deny
  // matches every register the kernel reads as a denied value, an allow none it reads as a value
  // the policy does not allow. The split is exact per selector value, so it composes with !, &&,
  // || and the most-restrictive-wins precedence. Regions where the condition reads the same (it
  // names no narrowed argument) need no branch of their own.
  const auto rs = width_regions(target.name.text, a);
  if (!rs) return wide;
  std::vector<ir::BoolExpr> branches;
  std::vector<uint64_t> split_values;
  for (const Region& region : rs->regions) {
    std::vector<ArgOperand::Pending> pending;
    Region r = region;
    r.pending = &pending;
    auto narrow = lower_all(ctx, target, a, &r);
    if (!narrow) return std::nullopt;
    if (same(*narrow, *wide)) continue;
    std::vector<ir::BoolExpr> branch;
    branch.push_back(selector_in(*rs, r.values));
    branch.push_back(std::move(*narrow));
    ir::BoolExpr in_region = ir::BoolExpr::all(std::move(branch));
    // W0013 only where the region can be reached: `fcntl(cmd == F_SETFD, ...)` never reads `arg`
    // as F_SETFL's int, so a value that does not fit there is no news.
    if (!pending.empty()) {
      const auto dnf = ir::to_dnf(in_region, kMaxWarningClauses);
      if (!dnf || !dnf->empty())
        for (const auto& p : pending) report_narrowed(ctx, p.range, p.message, p.read, p.width);
    }
    branches.push_back(std::move(in_region));
    split_values.insert(split_values.end(), r.values.begin(), r.values.end());
  }
  if (branches.empty()) return wide;
  std::vector<ir::BoolExpr> rest;
  rest.push_back(ir::BoolExpr::negate(selector_in(*rs, split_values)));
  rest.push_back(std::move(*wide));
  branches.push_back(ir::BoolExpr::all(std::move(rest)));
  return ir::BoolExpr::any(std::move(branches));
}

std::optional<std::vector<uint64_t>> resolve_call_args(Context& ctx, const ast::SyscallTarget& target, arch::Arch a) {
  const auto sig = syscall_signature(target.name.text, a);
  const size_t limit = sig ? sig->size() : 6;
  if (target.args.size() > limit) {
    ctx.diags.report(Code::ArgumentIndexOutOfRange, target.args[limit]->range,
                     "`" + target.name.text + "` takes " + std::to_string(limit) + " arguments");
    return std::nullopt;
  }
  std::vector<uint64_t> out;
  for (size_t i = 0; i < target.args.size(); ++i) {
    const ast::Expr& e = *target.args[i];
    if (e.kind == ast::ExprKind::Compare || e.kind == ast::ExprKind::In || e.kind == ast::ExprKind::And ||
        e.kind == ast::ExprKind::Or || e.kind == ast::ExprKind::Not) {
      ctx.diags.report(Code::ConditionExpected, e.range, "tests take concrete argument values, not conditions")
          .with_help("write the call as it would be made, like `socket(AF_INET, SOCK_STREAM, 0)`");
      return std::nullopt;
    }
    auto v = eval_constant(ctx, e, a);
    if (!v) return std::nullopt;
    ArgOperand op;
    op.index = static_cast<uint8_t>(i);
    op.width = sig ? arg_bits((*sig)[i].type, a) : register_bits(a);
    auto bits = fit_value(ctx, *v, op, e.range);
    if (!bits) return std::nullopt;
    out.push_back(*bits);
  }
  return out;
}

std::optional<ir::Action> resolve_action(Context& ctx, const ast::Action& action, const ast::Expr* trailing,
                                         ast::SourceRange trailing_range, arch::Arch a) {
  using K = ast::ActionKind;
  if (trailing != nullptr && action.kind != K::Deny) {
    ctx.diags.report(Code::BadAction, trailing_range, "a trailing `errno(...)` only belongs to `deny`")
        .with_help("write `deny NAME errno(E)`, or drop the trailing errno");
    return std::nullopt;
  }
  auto errno_of = [&](const ast::Expr& e) -> std::optional<uint16_t> {
    if (e.kind == ast::ExprKind::Name) {
      if (auto v = errno_value(e.name, a)) return *v;
      if (const Definition* def = ctx.lookup(e.name); def != nullptr && def->kind == Definition::Kind::Const) {
        auto v = eval_constant(ctx, e, a);
        if (!v) return std::nullopt;
        if (!v->negative && v->bits >= 1 && v->bits <= 4094) return static_cast<uint16_t>(v->bits);
        ctx.diags.report(Code::BadErrno, e.range, "`" + e.name + "` is not an errno value from 1 to 4094");
        return std::nullopt;
      }
      auto& d = ctx.diags.report(Code::BadErrno, e.range, "unknown errno name `" + e.name + "`");
      if (auto s = closest_match(e.name, all_errno_names()); !s.empty())
        d.with_help("did you mean `" + s + "`?").fix(e.range, s);
      return std::nullopt;
    }
    if (e.kind == ast::ExprKind::Int && e.int_value >= 1 && e.int_value <= 4094)
      return static_cast<uint16_t>(e.int_value);
    ctx.diags.report(Code::BadErrno, e.range, "errno must be a name like EPERM or a number from 1 to 4094");
    return std::nullopt;
  };
  switch (action.kind) {
    case K::Allow: return ir::Action{ir::ActionKind::Allow, 0};
    case K::Log: return ir::Action{ir::ActionKind::Log, 0};
    case K::Trap: return ir::Action{ir::ActionKind::Trap, 0};
    case K::UserNotif: return ir::Action{ir::ActionKind::UserNotif, 0};
    case K::KillThread: return ir::Action{ir::ActionKind::KillThread, 0};
    case K::KillProcess:
    case K::Kill: return ir::Action{ir::ActionKind::KillProcess, 0};
    case K::Deny: {
      if (trailing == nullptr) return ir::Action{ir::ActionKind::Errno, 1 /* EPERM */};
      auto e = errno_of(*trailing);
      if (!e) return std::nullopt;
      return ir::Action{ir::ActionKind::Errno, *e};
    }
    case K::Errno: {
      auto e = errno_of(*action.value);
      if (!e) return std::nullopt;
      return ir::Action{ir::ActionKind::Errno, *e};
    }
    case K::Trace: {
      auto v = eval_constant(ctx, *action.value, a);
      if (!v) return std::nullopt;
      if (v->negative || v->bits > 0xffff) {
        ctx.diags.report(Code::BadAction, action.value->range, "trace data must be a value from 0 to 65535");
        return std::nullopt;
      }
      return ir::Action{ir::ActionKind::Trace, static_cast<uint16_t>(v->bits)};
    }
  }
  return std::nullopt;
}

}  // namespace polc::sema
