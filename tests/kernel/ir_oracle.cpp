// Evaluates a call against `polc ir` JSON (see ir_oracle.h).
#include "tests/kernel/ir_oracle.h"

#include <regex>

namespace kernel_test {
namespace {

// The kernel's order of seccomp return actions, least restrictive first.
int rank(const std::string& kind) {
  static const char* const order[] = {"allow", "log",  "trace",       "user_notif",
                                      "errno", "trap", "kill_thread", "kill_process"};
  for (int i = 0; i < 8; ++i)
    if (kind == order[i]) return i;
  return -1;
}

// One comparison, "argN/WIDTH OP VALUE" or "argN/WIDTH & MASK OP VALUE". Sets `error` when the
// string has another shape.
bool holds(const std::string& cmp, const std::array<uint64_t, 6>& regs, std::string& error) {
  static const std::regex shape(R"(^arg([0-5])/(16|32|64)(?: & (0x[0-9a-f]+))? (==|!=|<=|>=) (0x[0-9a-f]+)$)");
  std::smatch m;
  if (!std::regex_match(cmp, m, shape)) {
    error = "unrecognized IR comparison `" + cmp + "`";
    return false;
  }
  const int width = std::stoi(m[2]);
  uint64_t x = regs[static_cast<size_t>(std::stoi(m[1]))];
  if (width < 64) x &= (uint64_t{1} << width) - 1;  // the kernel reads only the low bits
  if (m[3].matched) x &= std::stoull(m[3], nullptr, 16);
  const uint64_t value = std::stoull(m[5], nullptr, 16);
  const std::string op = m[4];
  return op == "==" ? x == value : op == "!=" ? x != value : op == "<=" ? x <= value : x >= value;
}

// `when` absent: every call; otherwise any alternative whose comparisons all hold.
bool matches(const nlohmann::json& rule, const std::array<uint64_t, 6>& regs, std::string& error) {
  if (!rule.contains("when")) return true;
  for (const auto& alternative : rule["when"]) {
    bool all = true;
    for (const auto& cmp : alternative) all = all && holds(cmp.get<std::string>(), regs, error);
    if (all) return true;
  }
  return false;
}

std::string origins(const nlohmann::json& rule) {
  std::string s;
  for (const auto& o : rule.value("origins", nlohmann::json::array()))
    s += (s.empty() ? "" : ", ") + o.value("at", std::string("?"));
  return s;
}

const char* arch_name(Abi abi) {
  switch (abi) {
    case Abi::x86_64: return "x86_64";
    case Abi::x32: return "x32";
    case Abi::i386: return "x86";
  }
  return "?";
}

}  // namespace

Decision decide(const nlohmann::json& ir, const Probe& probe) {
  Decision d;
  const std::string arch = arch_name(probe.abi);
  const auto& syscalls = ir.at("syscalls");
  const nlohmann::json* rules = nullptr;
  for (const auto& a : syscalls.at("arches"))
    if (a.at("arch") == arch) rules = &a.at("rules");
  if (rules == nullptr) {
    d.kind = "kill_process";
    d.by = arch + " is not a target of the policy (language.md: other architectures are killed)";
    return d;
  }
  const auto regs = resolve(probe);
  const nlohmann::json* winner = nullptr;
  for (const auto& rule : *rules) {
    if (rule.at("nr").get<uint64_t>() != probe.nr || !matches(rule, regs, d.error)) continue;
    if (winner == nullptr || rank(rule.at("action").at("kind")) > rank(winner->at("action").at("kind"))) winner = &rule;
  }
  const auto& action = winner != nullptr ? winner->at("action") : syscalls.at("default");
  d.kind = action.at("kind");
  d.data = action.value("data", 0);
  d.by = winner != nullptr ? origins(*winner) : "the policy's default";
  return d;
}

std::set<int> filter_errnos(const nlohmann::json& ir) {
  std::set<int> errnos;
  const auto& syscalls = ir.at("syscalls");
  auto add = [&](const nlohmann::json& action) {
    if (action.at("kind") == "errno") errnos.insert(action.value("data", 0));
  };
  add(syscalls.at("default"));
  for (const auto& a : syscalls.at("arches"))
    for (const auto& rule : a.at("rules")) add(rule.at("action"));
  return errnos;
}

}  // namespace kernel_test
