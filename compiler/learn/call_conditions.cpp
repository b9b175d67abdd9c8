// Stage: learn. Argument conditions of learned syscall rules; the rules are in call_conditions.h.
#include "compiler/learn/call_conditions.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "compiler/sema/constants.h"
#include "compiler/sema/syscall_signatures.h"
#include "compiler/sema/syscall_table.h"

namespace polc::learn {
namespace {

enum class ArgRule : uint8_t { None, Values, MaskedType, Protocol, CloneFlags, Prot };

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

bool id_syscall(std::string_view s) {
  return is_one_of(s, {"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setuid32", "setgid32",
                       "setreuid32", "setregid32", "setresuid32", "setresgid32", "setfsuid", "setfsgid",
                       "setfsuid32", "setfsgid32"});
}

struct ArgPlan {
  ArgRule rule = ArgRule::None;
  std::string_view category;  // constants of this category name the values
};

ArgPlan plan_for(std::string_view syscall, std::string_view arg) {
  if (is_one_of(syscall, {"socket", "socketpair"})) {
    if (arg == "domain") return {ArgRule::Values, "address family"};
    if (arg == "type") return {ArgRule::MaskedType, "socket type"};
    if (arg == "protocol") return {ArgRule::Protocol, "ip protocol"};
  }
  if (syscall == "ioctl" && arg == "request") return {ArgRule::Values, "ioctl request"};
  if (syscall == "prctl" && arg == "option") return {ArgRule::Values, "prctl option"};
  if (syscall == "personality" && arg == "persona") return {ArgRule::Values, "personality"};
  if (id_syscall(syscall)) return {ArgRule::Values, ""};
  if (syscall == "clone" && arg == "flags") return {ArgRule::CloneFlags, ""};
  if (is_one_of(syscall, {"mmap", "mmap2", "mprotect", "pkey_mprotect"}) && arg == "prot") return {ArgRule::Prot, ""};
  return {};
}

// Names that alias a preferred spelling of the same value.
bool alias_name(std::string_view name) { return is_one_of(name, {"AF_LOCAL", "AF_ROUTE", "AF_FILE"}); }

std::string number_text(uint64_t v) {
  if (v <= 9) return std::to_string(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string value_text(uint64_t value, unsigned bits, std::string_view category, arch::Arch arch) {
  if (category == "ip protocol" && value == 0) return "0";  // the family's default protocol
  if (!category.empty()) {
    std::optional<std::string_view> found;
    for (std::string_view name : sema::all_constant_names()) {
      if (sema::constant_category(name) != category) continue;
      if (sema::constant_value(name, arch) != value) continue;
      if (!found || (alias_name(*found) && !alias_name(name))) found = name;
    }
    if (found) return std::string(*found);
  }
  if (bits < 64 && value == arch::width_mask(bits)) return "-1";
  if (bits >= 64 && value == ~uint64_t{0}) return "-1";
  return number_text(value);
}

std::string set_text(std::string_view lhs, const std::vector<std::string>& values) {
  std::string out(lhs);
  if (values.size() == 1) return out + " == " + values[0];
  out += " in {";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
  return out + "}";
}

constexpr std::string_view kNamespaceFlags =
    "CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET";

}  // namespace

bool conditioned_syscall(std::string_view syscall) {
  return is_one_of(syscall, {"socket", "socketpair", "ioctl", "prctl", "personality", "clone", "mmap", "mmap2",
                             "mprotect", "pkey_mprotect"}) ||
         id_syscall(syscall);
}

std::string call_conditions(std::span<const Call* const> calls, std::span<const arch::Arch> targets,
                            bool std_groups) {
  if (calls.empty() || !conditioned_syscall(calls[0]->name)) return {};
  const std::string& syscall = calls[0]->name;
  uint8_t recorded = 0xff;
  for (const Call* c : calls) recorded &= c->recorded;
  auto signature = sema::syscall_signature(syscall, calls[0]->arch);
  if (!signature) return {};
  // On x86 and s390x libseccomp filters the socket calls together with socketcall, whose
  // arguments are in memory: a condition there is E0601.
  if (is_one_of(syscall, {"socket", "socketpair"}))
    for (arch::Arch t : targets)
      if (t == arch::Arch::x86 || t == arch::Arch::s390x) return {};

  // The domains seen decide whether protocol is conditioned.
  bool inet_only = true;
  std::vector<std::string> parts;
  for (size_t i = 0; i < signature->size() && i < 6; ++i) {
    if (!(recorded & (1u << i))) continue;
    const sema::ArgSpec& spec = (*signature)[i];
    ArgPlan plan = plan_for(syscall, spec.name);
    if (plan.rule == ArgRule::None) continue;
    bool named_alike = true;
    for (arch::Arch t : targets) {
      if (!sema::syscall_number(syscall, t)) continue;
      auto sig = sema::syscall_signature(syscall, t);
      named_alike = named_alike && sig && sig->size() > i && (*sig)[i].name == spec.name;
    }
    if (!named_alike) continue;
    // Rendered value -> smallest numeric value, to order the set by value.
    std::map<std::string, uint64_t> rendered;
    bool any_namespace = false, any_wx = false;
    for (const Call* c : calls) {
      auto sig = sema::syscall_signature(syscall, c->arch);
      if (!sig || sig->size() <= i || (*sig)[i].name != spec.name) return {};  // arches disagree: no condition
      unsigned bits = sema::arg_bits((*sig)[i].type, c->arch);
      uint64_t v = c->args[i] & arch::width_mask(bits);
      if (plan.rule == ArgRule::MaskedType) v &= 0xf;
      if (plan.rule == ArgRule::CloneFlags) {
        uint64_t ns = 0;
        for (std::string_view n : {"CLONE_NEWNS", "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER",
                                   "CLONE_NEWPID", "CLONE_NEWNET"})
          ns |= sema::constant_value(n, c->arch).value_or(0);
        any_namespace |= (v & ns) != 0;
        continue;
      }
      if (plan.rule == ArgRule::Prot) {
        uint64_t wx = sema::constant_value("PROT_WRITE", c->arch).value_or(2) |
                      sema::constant_value("PROT_EXEC", c->arch).value_or(4);
        any_wx |= (v & wx) == wx;
        continue;
      }
      if (plan.rule == ArgRule::Values && spec.name == "domain") {
        auto inet = sema::constant_value("AF_INET", c->arch), inet6 = sema::constant_value("AF_INET6", c->arch);
        if (v != inet && v != inet6) inet_only = false;
      }
      std::string_view category = plan.rule == ArgRule::Protocol && !inet_only ? std::string_view{} : plan.category;
      std::string text = value_text(v, bits, category, c->arch);
      auto [it, fresh] = rendered.emplace(text, v);
      if (!fresh) it->second = std::min(it->second, v);
    }
    std::string name(spec.name);
    switch (plan.rule) {
      case ArgRule::CloneFlags:
        if (!any_namespace)
          parts.push_back(name + (std_groups ? " & NAMESPACE_CLONE_FLAGS" : " & (" + std::string(kNamespaceFlags) + ")") +
                          " == 0");
        continue;
      case ArgRule::Prot:
        if (!any_wx) parts.push_back(name + " & (PROT_WRITE | PROT_EXEC) != PROT_WRITE | PROT_EXEC");
        continue;
      case ArgRule::Protocol:
        break;
      case ArgRule::MaskedType:
        name += " & 0xf";
        break;
      default:
        break;
    }
    std::vector<std::pair<uint64_t, std::string>> ordered;
    for (const auto& [text, v] : rendered) ordered.emplace_back(v, text);
    std::sort(ordered.begin(), ordered.end());
    std::vector<std::string> values;
    for (auto& [v, text] : ordered) values.push_back(text);
    if (!values.empty()) parts.push_back(set_text(name, values));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string call_target_text(const Call& call) {
  const Call* one[] = {&call};
  std::string cond = call_conditions(one);
  return cond.empty() ? call.name : call.name + "(" + cond + ")";
}

}  // namespace polc::learn
