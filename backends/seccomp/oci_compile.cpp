// Stage: backends/seccomp. runc-compatible compilation of OCI seccomp profiles (see oci_compile.h).
#include "backends/seccomp/oci_compile.h"

#include <seccomp.h>

#include <map>

#include "backends/seccomp/codegen.h"
#include "backends/seccomp/isolated.h"

namespace polc::backends::seccomp {

namespace {

std::optional<uint32_t> action_of(const std::string& name, uint32_t data) {
  static const std::map<std::string, uint32_t> kActions = {{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
                                                           {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
                                                           {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
                                                           {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
                                                           {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
                                                           {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
                                                           {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
                                                           {"SCMP_ACT_LOG", SCMP_ACT_LOG},
                                                           {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY}};
  auto it = kActions.find(name);
  if (it == kActions.end()) return std::nullopt;
  if (name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE") return it->second | (data & 0xffff);
  return it->second;
}

std::optional<scmp_compare> op_of(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps = {{"SCMP_CMP_NE", SCMP_CMP_NE},
                                                           {"SCMP_CMP_LT", SCMP_CMP_LT},
                                                           {"SCMP_CMP_LE", SCMP_CMP_LE},
                                                           {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                                                           {"SCMP_CMP_GE", SCMP_CMP_GE},
                                                           {"SCMP_CMP_GT", SCMP_CMP_GT},
                                                           {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end()) return std::nullopt;
  return it->second;
}

}  // namespace

namespace {

std::optional<std::vector<uint8_t>> compile_here(const nlohmann::json& profile, std::span<const arch::Arch> arches,
                                                 std::string* error, int optimize) {
  try {
    // runc: ERRNO without errnoRet means EPERM.
    const uint32_t default_data = profile.value("defaultErrnoRet", 1u);
    auto def = action_of(profile.at("defaultAction").get<std::string>(), default_data);
    if (!def) {
      *error = "unknown defaultAction";
      return std::nullopt;
    }
    auto ctx = open_context(arches, *def, error, optimize);
    if (!ctx) return std::nullopt;
    for (const auto& entry : profile.value("syscalls", nlohmann::json::array())) {
      auto action = action_of(entry.at("action").get<std::string>(), entry.value("errnoRet", 1u));
      if (!action) {
        *error = "unknown action " + entry.at("action").dump();
        return std::nullopt;
      }
      std::vector<scmp_arg_cmp> conds;
      std::map<unsigned, int> per_index;
      for (const auto& a : entry.value("args", nlohmann::json::array())) {
        auto op = op_of(a.at("op").get<std::string>());
        if (!op) {
          *error = "unknown op " + a.at("op").dump();
          return std::nullopt;
        }
        scmp_arg_cmp c{};
        c.arg = a.at("index").get<unsigned>();
        c.op = *op;
        c.datum_a = a.at("value").get<uint64_t>();
        c.datum_b = a.value("valueTwo", uint64_t{0});
        ++per_index[c.arg];
        conds.push_back(c);
      }
      bool repeated = false;
      for (const auto& [index, n] : per_index) repeated = repeated || n > 1;
      for (const auto& name : entry.at("names")) {
        // runc resolves names in the host's numbering and skips the ones libseccomp does not know.
        const int nr = seccomp_syscall_resolve_name(name.get<std::string>().c_str());
        if (nr == __NR_SCMP_ERROR) continue;
        int rc = 0;
        if (!repeated) {
          rc = seccomp_rule_add_array(ctx->get(), *action, nr, static_cast<unsigned>(conds.size()),
                                      conds.empty() ? nullptr : conds.data());
        } else {
          for (const scmp_arg_cmp& c : conds)
            if ((rc = seccomp_rule_add_array(ctx->get(), *action, nr, 1, &c)) != 0) break;
        }
        // runc ignores a rule whose action is the default (libseccomp refuses it with EACCES).
        if (rc != 0 && !(rc == -EACCES && *action == *def)) {
          *error = "libseccomp refused the rule for " + name.get<std::string>();
          return std::nullopt;
        }
      }
    }
    return export_program(ctx->get(), error);
  } catch (const nlohmann::json::exception& e) {
    *error = std::string("malformed profile: ") + e.what();
    return std::nullopt;
  }
}

// compile_here() as a job for the isolation worker: the input is the optimisation level, the
// number of arches and each one as a byte, then the profile's JSON text.
std::optional<Bytes> compile_request(const Bytes& input, std::string* error) {
  if (input.size() < 2 || input.size() < 2u + input[1]) {
    *error = "malformed OCI compile request";
    return std::nullopt;
  }
  std::vector<arch::Arch> arches;
  for (size_t i = 0; i < input[1]; ++i) arches.push_back(static_cast<arch::Arch>(input[2 + i]));
  const auto* text = reinterpret_cast<const char*>(input.data()) + 2 + input[1];
  const nlohmann::json profile = nlohmann::json::parse(text, reinterpret_cast<const char*>(input.data() + input.size()),
                                                       nullptr, /*allow_exceptions=*/false);
  if (profile.is_discarded()) {
    *error = "malformed OCI compile request";
    return std::nullopt;
  }
  return compile_here(profile, arches, error, input[0]);
}

Bytes compile_input(const nlohmann::json& profile, std::span<const arch::Arch> arches, int optimize) {
  Bytes input{static_cast<uint8_t>(optimize), static_cast<uint8_t>(arches.size())};
  for (arch::Arch a : arches) input.push_back(static_cast<uint8_t>(a));
  const std::string text = profile.dump();
  input.insert(input.end(), text.begin(), text.end());
  return input;
}

}  // namespace

std::optional<std::vector<uint8_t>> compile_oci_profile(const nlohmann::json& profile,
                                                        std::span<const arch::Arch> arches, std::string* error,
                                                        int optimize) {
  return start_oci_compile(profile, arches, optimize).finish(error);
}

IsolatedJob start_oci_compile(const nlohmann::json& profile, std::span<const arch::Arch> arches, int optimize) {
  return IsolatedJob(&compile_request, compile_input(profile, arches, optimize), kLibseccompSeconds);
}

}  // namespace polc::backends::seccomp
