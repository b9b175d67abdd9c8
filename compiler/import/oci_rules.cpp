// Stage: import. Translating profile entries into polc statements.
#include "compiler/import/oci_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/arch/arch.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/import/oci_width.h"
#include "compiler/sema/syscall_signatures.h"
#include "compiler/sema/syscall_table.h"

namespace polc::import {

namespace {

using diag::Code;

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + items[i];
  return out;
}

std::string arch_list(arch::ArchSet set) {
  std::vector<std::string> names;
  for (arch::Arch a : arch::kAllArches)
    if (set & arch::bit(a)) names.emplace_back(arch::name(a));
  return join(names);
}

std::string_view op_text(OciOp op) {
  switch (op) {
    case OciOp::Ne: return "!=";
    case OciOp::Lt: return "<";
    case OciOp::Le: return "<=";
    case OciOp::Eq: return "==";
    case OciOp::Ge: return ">=";
    case OciOp::Gt: return ">";
    case OciOp::MaskedEq: return "==";
  }
  return "==";
}

// A syscall name of an entry as the statement writes it.
struct NameUse {
  std::string name;
  arch::ArchSet on = 0;  // targets where the rule applies and the syscall exists
  bool optional = false;
};

// A condition as written, and the literals' bit patterns for comparing meanings.
struct WrittenArg {
  std::string text;
  OciArg bits;
};

class EntryTranslator {
 public:
  EntryTranslator(const OciSyscall& e, const SelectionContext& ctx, ProfileReporter& r, arch::ArchSet all)
      : e_(e), ctx_(ctx), r_(r), all_(all) {}

  bool ok() const { return ok_; }

  // Fills `out` or `skipped`.
  void translate(ImportedRules& out) {
    const std::string label = to_string(e_.path);
    const std::string action = action_text(e_.action, e_.errno_ret);
    const Selection sel = select_entry(e_, ctx_);
    if (sel.applies == 0) {
      out.skipped.push_back(label + " (" + action + " " + join(e_.names) + "): " + join(sel.skip_reasons, "; "));
      return;
    }
    std::vector<NameUse> uses;
    std::vector<std::string> dropped, unknown;
    std::set<std::string> seen;
    for (size_t k = 0; k < e_.names.size(); ++k) {
      const std::string& n = e_.names[k];
      if (!seen.insert(n).second) continue;
      arch::ArchSet have = 0;
      for (arch::Arch a : ctx_.targets)
        if (sema::syscall_number(n, a)) have |= arch::bit(a);
      if (const arch::ArchSet elsewhere = have & ~sel.applies; elsewhere != 0) {
        arch_dependent(k, n, sel.applies, elsewhere);
        continue;
      }
      if (have == 0) {
        (sema::is_known_syscall(n) ? dropped : unknown).push_back(n);
        continue;
      }
      uses.push_back({n, have, have != all_});
    }
    if (!ok_) return;
    ImportedStatement st;
    const std::string selectors = describe_selectors(e_, ctx_);
    st.comments.push_back(label + (selectors.empty() ? "" : ": " + selectors));
    if (!e_.comment.empty()) st.comments.push_back(e_.comment);
    if (!dropped.empty()) st.comments.push_back("not on " + arch_list(sel.applies) + ": " + join(dropped));
    if (!unknown.empty()) st.comments.push_back("unknown to polc's syscall table: " + join(unknown));
    if (uses.empty()) {
      out.skipped.push_back(label + " (" + action + " " + join(e_.names) + "): none of its syscalls exists on " +
                            arch_list(sel.applies));
      return;
    }
    const std::string condition = conditions(uses);
    if (!ok_) return;
    if (width_warned_) st.comments.push_back("polc compares these arguments as the kernel reads them (W0702)");
    std::vector<std::string> targets;
    for (const NameUse& u : uses)
      targets.push_back(u.name + (u.optional ? "?" : "") + (condition.empty() ? "" : "(" + condition + ")"));
    st.text = action + " " + join(targets);
    out.statements.push_back(std::move(st));
  }

 private:
  JsonPath name_path(size_t k) const {
    return e_.single_name ? child(e_.path, "name") : child(child(e_.path, "names"), k);
  }

  void arch_dependent(size_t k, const std::string& n, arch::ArchSet applies, arch::ArchSet elsewhere) {
    ok_ = false;
    std::vector<std::string> one_each;
    for (arch::Arch a : ctx_.targets) one_each.push_back("`--arch " + std::string(arch::name(a)) + "`");
    r_.report(Code::OciArchDependentEntry, name_path(k),
              "`" + n + "` also exists on " + arch_list(elsewhere) + ", where this entry does not apply")
        .note("the entry applies on " + arch_list(applies) + " only (" + describe_selectors(e_, ctx_) + ")")
        .with_help("import one architecture at a time, one policy each: " + join(one_each, ", then "));
  }

  // How seccomp and polc see register `arg.index` of `syscall` on target `a`; nullopt (and E0706,
  // once per register) when polc's prototype has no such argument.
  std::optional<ArgView> view(const std::string& syscall, arch::Arch a, const OciArg& arg) {
    ArgView v;
    v.register_bits = arch::register_bits(a);
    v.width = v.register_bits;
    auto sig = sema::syscall_signature(syscall, a);
    if (!sig) return v;
    if (arg.index >= sig->size()) {
      if (!index_reported_.insert(arg.index).second) return std::nullopt;
      ok_ = false;
      r_.report(Code::OciUnsupportedComparison, child(arg.path, "index"),
                "`" + syscall + "` has no argument " + std::to_string(arg.index) + " on " + std::string(arch::name(a)))
          .note("polc's prototype of `" + syscall + "` has " + std::to_string(sig->size()) + " argument" +
                (sig->size() == 1 ? "" : "s") + ", arg0 to arg" + std::to_string(sig->size() - 1));
      return std::nullopt;
    }
    v.width = sema::arg_bits((*sig)[arg.index].type, a);
    v.is_signed = sema::arg_signed((*sig)[arg.index].type);
    return v;
  }

  // The text and bit patterns of one condition, given the narrowest width it is compared at.
  std::optional<WrittenArg> written(const OciArg& a, unsigned min_width, const std::string& syscalls) {
    const uint64_t wm = arch::width_mask(min_width);
    const std::string reg = "arg" + std::to_string(a.index);
    const std::string bits = std::to_string(min_width) + " bits";
    WrittenArg w{"", a};
    if (a.op == OciOp::MaskedEq) {
      if ((a.value_two & ~wm) != 0) {
        unsupported(child(a.path, "valueTwo"), "the masked value " + format_number(a.value_two) +
                                                   " has bits above the " + bits + " the kernel reads of `" + syscalls +
                                                   "`'s " + reg);
        return std::nullopt;
      }
      w.bits.value = a.value & wm;  // mask bits above the width can only test bits the kernel ignores
      w.text = reg + " & 0x" + hex(w.bits.value) + " == " + format_number(a.value_two);
      return w;
    }
    std::string literal;
    const uint64_t half = uint64_t{1} << (min_width - 1);
    if ((a.value & ~wm) == 0) {
      literal = format_number(a.value);
    } else if (min_width < 64 && a.value >= ~wm + half) {
      // The sign extension of a negative value: the kernel reads that negative value.
      literal = "-" + std::to_string(uint64_t{0} - a.value);
    } else {
      unsupported(child(a.path, "value"), "the value " + format_number(a.value) + " does not fit the " + bits +
                                              " the kernel reads of `" + syscalls + "`'s " + reg);
      return std::nullopt;
    }
    w.text = reg + " " + std::string(op_text(a.op)) + " " + literal;
    return w;
  }

  // Masks read best in hex whatever their size.
  static std::string hex(uint64_t v) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string digits;
    for (uint64_t x = v; x != 0; x >>= 4) digits.insert(digits.begin(), kHex[x & 0xf]);
    return digits.empty() ? "0" : digits;
  }

  void unsupported(const JsonPath& path, const std::string& message) {
    ok_ = false;
    r_.report(Code::OciUnsupportedComparison, path, message)
        .note(
            "runc compares the whole 64-bit register, so this only matches register values whose upper bits the "
            "kernel ignores")
        .with_help("compare a value the argument can hold, or write this rule by hand");
  }

  // The condition list of every name of the entry (the same for all of them), checking widths.
  std::string conditions(const std::vector<NameUse>& uses) {
    if (e_.args.empty()) return "";
    std::string syscalls;
    for (const NameUse& u : uses) syscalls += (syscalls.empty() ? "" : "`, `") + u.name;
    std::vector<WrittenArg> args;
    for (const OciArg& a : e_.args) {
      unsigned min_width = 64;
      for (const NameUse& u : uses)
        for (arch::Arch t : ctx_.targets)
          if (u.on & arch::bit(t))
            if (auto v = view(u.name, t, a)) min_width = std::min(min_width, v->width);
      if (!ok_) continue;
      if (auto w = written(a, min_width, syscalls)) args.push_back(*w);
    }
    if (!ok_) return "";
    check_widths(uses, args);
    // runc adds the conditions of an entry as one rule (AND), unless one register is compared more
    // than once: then each condition becomes a rule of its own (OR).
    std::set<unsigned> registers;
    bool repeated = false;
    for (const OciArg& a : e_.args) repeated |= !registers.insert(a.index).second;
    std::vector<std::string> texts;
    for (const WrittenArg& w : args) texts.push_back(w.text);
    return join(texts, repeated ? " || " : ", ");
  }

  // W0702: one warning for the statement, one note per difference found.
  void check_widths(const std::vector<NameUse>& uses, const std::vector<WrittenArg>& args) {
    std::vector<std::pair<std::string, arch::ArchSet>> notes;  // in order of discovery
    const JsonPath* first = nullptr;
    std::set<size_t> affected;
    for (size_t j = 0; j < args.size(); ++j) {
      for (const NameUse& u : uses) {
        for (arch::Arch t : ctx_.targets) {
          if (!(u.on & arch::bit(t))) continue;
          auto v = view(u.name, t, e_.args[j]);
          if (!v) continue;
          for (const std::string& body : width_differences(e_.args[j], polc_comparison(args[j].bits, *v), *v)) {
            const std::string note = "`" + args[j].text + "` of `" + u.name + "`" + "\x1f" + body;
            auto it = std::find_if(notes.begin(), notes.end(), [&](const auto& n) { return n.first == note; });
            if (it == notes.end()) notes.emplace_back(note, arch::bit(t));
            else it->second |= arch::bit(t);
            if (first == nullptr) first = &e_.args[j].path;
            affected.insert(j);
          }
        }
      }
    }
    if (notes.empty()) return;
    width_warned_ = true;
    const JsonPath at = affected.size() == 1 ? *first : child(e_.path, "args");
    const std::string what = affected.size() == 1 ? "`" + args[*affected.begin()].text + "`" : "these conditions";
    auto& d = r_.report(
        Code::OciComparisonWidth, at,
        "polc compares " + what + " as the kernel reads the argument, not as the 64-bit register runc compares");
    for (const auto& [note, on] : notes) {
      const size_t sep = note.find('\x1f');
      const std::string where = ctx_.targets.size() > 1 ? " on " + arch_list(on) : "";
      d.note(note.substr(0, sep) + where + ": " + note.substr(sep + 1));
    }
  }

  const OciSyscall& e_;
  const SelectionContext& ctx_;
  ProfileReporter& r_;
  arch::ArchSet all_;
  bool ok_ = true;
  bool width_warned_ = false;
  std::set<unsigned> index_reported_;
};

// Comments hold one line each.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  const size_t b = out.find_first_not_of(' '), e = out.find_last_not_of(' ');
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

}  // namespace

std::string action_text(OciAction action, std::optional<uint64_t> errno_ret) {
  // runc's default return value for both SCMP_ACT_ERRNO and SCMP_ACT_TRACE is EPERM.
  const uint64_t data = errno_ret.value_or(1);
  switch (action) {
    case OciAction::Allow: return "allow";
    case OciAction::Errno: {
      const std::string name = errno_name(data);
      return "errno(" + (name.empty() ? std::to_string(data) : name) + ")";
    }
    case OciAction::KillThread: return "kill_thread";
    case OciAction::KillProcess: return "kill_process";
    case OciAction::Trap: return "trap";
    case OciAction::Trace: return "trace(" + std::to_string(data) + ")";
    case OciAction::Log: return "log";
    case OciAction::Notify: return "user_notif";
  }
  return "allow";
}

std::optional<ImportedRules> translate_rules(const OciProfile& profile, const SelectionContext& ctx,
                                             ProfileReporter& reporter) {
  ImportedRules out;
  out.default_action = action_text(profile.default_action, profile.default_errno_ret);
  arch::ArchSet all = 0;
  for (arch::Arch a : ctx.targets) all |= arch::bit(a);
  bool ok = true;
  for (OciSyscall e : profile.syscalls) {
    e.comment = one_line(e.comment);
    EntryTranslator t(e, ctx, reporter, all);
    t.translate(out);
    ok &= t.ok();
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace polc::import
