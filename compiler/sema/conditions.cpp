// Stage: sema. Constant evaluation, argument conditions and actions, per architecture.
#include "compiler/sema/conditions.h"

#include <cctype>
#include <utility>

#include "compiler/sema/constants.h"
#include "compiler/sema/suggest.h"
#include "compiler/sema/syscall_signatures.h"
#include "compiler/sema/syscall_table.h"

namespace polc::sema {

using diag::Code;

namespace {

uint64_t width_mask(unsigned bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// A syscall argument as it appears in a condition: which register, how wide, and an optional mask.
struct ArgOperand {
  uint8_t index = 0;
  unsigned width = 64;
  bool is_signed = false;
  std::optional<uint64_t> mask;
  ast::SourceRange range;
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
      return ArgOperand{static_cast<uint8_t>(i), arg_bits((*sig)[i].type, a), arg_signed((*sig)[i].type), std::nullopt, range};
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
      else d.note("polc has no prototype for `" + std::string(syscall) + "` on " + std::string(arch::name(a)) +
                  ", whose calling convention differs");
      d.with_help("write a separate policy for " + std::string(arch::name(a)) + ", or a rule that is valid on every target");
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
  if (auto s = closest_match(name, all_constant_names()); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(range, s);
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

std::optional<ir::BoolExpr> comparison(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a) {
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
        ctx.diags.report(Code::MalformedCondition, e.range, "this comparison does not involve an argument of `" + std::string(syscall) + "`")
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
  auto bits = fit_value(ctx, *v, *arg, value->range);
  if (!bits) return std::nullopt;
  if (arg->mask) {
    if (op != ast::CmpOp::Eq && op != ast::CmpOp::Ne) {
      ctx.diags.report(Code::MalformedCondition, e.range, "a masked argument can only be compared with == or !=")
          .with_help("seccomp applies a mask only for equality tests");
      return std::nullopt;
    }
    return ir::BoolExpr::compare(make_cmp(*arg, to_ir(op), *bits));
  }
  if (arg->is_signed && op != ast::CmpOp::Eq && op != ast::CmpOp::Ne) return signed_compare(*arg, op, *bits);
  return ir::BoolExpr::compare(make_cmp(*arg, to_ir(op), *bits));
}

std::optional<ir::BoolExpr> membership(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a) {
  bool reported = false;
  auto arg = as_argument(ctx, *e.lhs, syscall, a, reported);
  if (!arg) {
    if (!reported) {
      if (e.lhs->kind == ast::ExprKind::Name) report_unknown_name(ctx, e.lhs->name, e.lhs->range, syscall, a);
      else ctx.diags.report(Code::MalformedCondition, e.lhs->range, "the left side of `in` must be an argument");
    }
    return std::nullopt;
  }
  std::vector<ir::BoolExpr> parts;
  bool ok = true;
  for (const auto& item : e.set) {
    auto v = eval_constant(ctx, *item, a);
    if (!v) {
      ok = false;
      continue;
    }
    auto bits = fit_value(ctx, *v, *arg, item->range);
    if (!bits) {
      ok = false;
      continue;
    }
    parts.push_back(ir::BoolExpr::compare(make_cmp(*arg, e.negated ? ir::CmpOp::Ne : ir::CmpOp::Eq, *bits)));
  }
  if (!ok) return std::nullopt;
  return e.negated ? ir::BoolExpr::all(std::move(parts)) : ir::BoolExpr::any(std::move(parts));
}

std::optional<ir::BoolExpr> condition(Context& ctx, const ast::Expr& e, std::string_view syscall, arch::Arch a) {
  switch (e.kind) {
    case ast::ExprKind::Compare: return comparison(ctx, e, syscall, a);
    case ast::ExprKind::In: return membership(ctx, e, syscall, a);
    case ast::ExprKind::Not: {
      auto k = condition(ctx, *e.lhs, syscall, a);
      if (!k) return std::nullopt;
      return ir::BoolExpr::negate(std::move(*k));
    }
    case ast::ExprKind::And:
    case ast::ExprKind::Or: {
      auto l = condition(ctx, *e.lhs, syscall, a);
      auto r = condition(ctx, *e.rhs, syscall, a);
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
          auto& d = ctx.diags.report(Code::ConstCycle, def->range, "constant `" + e.name + "` is defined in terms of itself");
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

std::optional<ir::BoolExpr> resolve_condition(Context& ctx, const ast::SyscallTarget& target, arch::Arch a) {
  if (target.args.empty()) return ir::BoolExpr::truth();
  std::vector<ir::BoolExpr> parts;
  bool ok = true;
  for (const auto& arg : target.args) {
    auto c = condition(ctx, *arg, target.name.text, a);
    if (c) parts.push_back(std::move(*c));
    else ok = false;
  }
  if (!ok) return std::nullopt;
  if (parts.size() == 1) return std::move(parts[0]);
  return ir::BoolExpr::all(std::move(parts));
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
      if (auto s = closest_match(e.name, all_errno_names()); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(e.range, s);
      return std::nullopt;
    }
    if (e.kind == ast::ExprKind::Int && e.int_value >= 1 && e.int_value <= 4094) return static_cast<uint16_t>(e.int_value);
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
