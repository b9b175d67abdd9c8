// Stage: import. Name tables of OCI/Docker seccomp profiles.
#include "compiler/import/oci_vocab.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "compiler/sema/constants.h"

namespace polc::import {

namespace {

constexpr std::array<std::string_view, 9> kActionNames = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP",  "SCMP_ACT_TRACE", "SCMP_ACT_LOG",  "SCMP_ACT_NOTIFY"};
// libseccomp's SCMP_ACT_KILL is the thread-killing action.
constexpr std::array<OciAction, 9> kActions = {OciAction::Allow,      OciAction::Errno,       OciAction::KillThread,
                                               OciAction::KillThread, OciAction::KillProcess, OciAction::Trap,
                                               OciAction::Trace,      OciAction::Log,         OciAction::Notify};

constexpr std::array<std::string_view, 7> kOpNames = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                                      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
constexpr std::array<OciOp, 7> kOps = {OciOp::Ne, OciOp::Lt, OciOp::Le,      OciOp::Eq,
                                       OciOp::Ge, OciOp::Gt, OciOp::MaskedEq};

struct ScmpArch {
  std::string_view name;
  std::optional<arch::Arch> target;
};
constexpr std::array<ScmpArch, 23> kScmpArches = {{
    {"SCMP_ARCH_X86", arch::Arch::x86},
    {"SCMP_ARCH_X86_64", arch::Arch::x86_64},
    {"SCMP_ARCH_X32", arch::Arch::x32},
    {"SCMP_ARCH_ARM", arch::Arch::arm},
    {"SCMP_ARCH_AARCH64", arch::Arch::aarch64},
    {"SCMP_ARCH_RISCV64", arch::Arch::riscv64},
    {"SCMP_ARCH_S390X", arch::Arch::s390x},
    {"SCMP_ARCH_S390", std::nullopt},
    {"SCMP_ARCH_MIPS", std::nullopt},
    {"SCMP_ARCH_MIPS64", std::nullopt},
    {"SCMP_ARCH_MIPS64N32", std::nullopt},
    {"SCMP_ARCH_MIPSEL", std::nullopt},
    {"SCMP_ARCH_MIPSEL64", std::nullopt},
    {"SCMP_ARCH_MIPSEL64N32", std::nullopt},
    {"SCMP_ARCH_PPC", std::nullopt},
    {"SCMP_ARCH_PPC64", std::nullopt},
    {"SCMP_ARCH_PPC64LE", std::nullopt},
    {"SCMP_ARCH_PARISC", std::nullopt},
    {"SCMP_ARCH_PARISC64", std::nullopt},
    {"SCMP_ARCH_LOONGARCH64", std::nullopt},
    {"SCMP_ARCH_M68K", std::nullopt},
    {"SCMP_ARCH_SH", std::nullopt},
    {"SCMP_ARCH_SHEB", std::nullopt},
}};
std::array<std::string_view, kScmpArches.size()> scmp_names_array() {
  std::array<std::string_view, kScmpArches.size()> out{};
  for (size_t i = 0; i < kScmpArches.size(); ++i) out[i] = kScmpArches[i].name;
  return out;
}

// Docker compares includes/excludes.arches with Go's GOARCH names (plus x32 and x86); every name a
// published profile uses is here, so a misspelt one is reported instead of silently never matching.
constexpr std::array<std::string_view, 22> kDockerArches = {
    "amd64",    "386",       "x86",      "x32",         "arm64",   "arm",        "riscv64", "s390x",
    "s390",     "ppc",       "ppc64",    "ppc64le",     "mips",    "mipsle",     "mipsel",  "mips64",
    "mips64le", "mips64n32", "mipsel64", "mipsel64n32", "loong64", "loongarch64"};

constexpr std::array<std::string_view, 41> kCaps = {"CAP_CHOWN",
                                                    "CAP_DAC_OVERRIDE",
                                                    "CAP_DAC_READ_SEARCH",
                                                    "CAP_FOWNER",
                                                    "CAP_FSETID",
                                                    "CAP_KILL",
                                                    "CAP_SETGID",
                                                    "CAP_SETUID",
                                                    "CAP_SETPCAP",
                                                    "CAP_LINUX_IMMUTABLE",
                                                    "CAP_NET_BIND_SERVICE",
                                                    "CAP_NET_BROADCAST",
                                                    "CAP_NET_ADMIN",
                                                    "CAP_NET_RAW",
                                                    "CAP_IPC_LOCK",
                                                    "CAP_IPC_OWNER",
                                                    "CAP_SYS_MODULE",
                                                    "CAP_SYS_RAWIO",
                                                    "CAP_SYS_CHROOT",
                                                    "CAP_SYS_PTRACE",
                                                    "CAP_SYS_PACCT",
                                                    "CAP_SYS_ADMIN",
                                                    "CAP_SYS_BOOT",
                                                    "CAP_SYS_NICE",
                                                    "CAP_SYS_RESOURCE",
                                                    "CAP_SYS_TIME",
                                                    "CAP_SYS_TTY_CONFIG",
                                                    "CAP_MKNOD",
                                                    "CAP_LEASE",
                                                    "CAP_AUDIT_WRITE",
                                                    "CAP_AUDIT_CONTROL",
                                                    "CAP_SETFCAP",
                                                    "CAP_MAC_OVERRIDE",
                                                    "CAP_MAC_ADMIN",
                                                    "CAP_SYSLOG",
                                                    "CAP_WAKE_ALARM",
                                                    "CAP_BLOCK_SUSPEND",
                                                    "CAP_AUDIT_READ",
                                                    "CAP_PERFMON",
                                                    "CAP_BPF",
                                                    "CAP_CHECKPOINT_RESTORE"};

// moby's oci/caps/defaults.go: what `docker run` grants without --cap-add.
constexpr std::array<std::string_view, 14> kDockerDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

template <typename Names>
bool contains(const Names& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

std::optional<OciAction> parse_action(std::string_view name) {
  for (size_t i = 0; i < kActionNames.size(); ++i)
    if (kActionNames[i] == name) return kActions[i];
  return std::nullopt;
}
std::span<const std::string_view> action_names() { return kActionNames; }

std::optional<OciOp> parse_op(std::string_view name) {
  for (size_t i = 0; i < kOpNames.size(); ++i)
    if (kOpNames[i] == name) return kOps[i];
  return std::nullopt;
}
std::span<const std::string_view> op_names() { return kOpNames; }

bool is_scmp_arch(std::string_view name) {
  return std::any_of(kScmpArches.begin(), kScmpArches.end(), [&](const ScmpArch& a) { return a.name == name; });
}
std::optional<arch::Arch> arch_from_scmp(std::string_view name) {
  for (const ScmpArch& a : kScmpArches)
    if (a.name == name) return a.target;
  return std::nullopt;
}
std::span<const std::string_view> scmp_arch_names() {
  static const auto names = scmp_names_array();
  return names;
}

bool is_docker_arch(std::string_view name) { return contains(kDockerArches, name); }
std::span<const std::string_view> docker_arch_names() { return kDockerArches; }

bool docker_arch_matches(std::string_view name, arch::Arch a) {
  if (a == arch::Arch::x86 && name == "386") return true;
  return name == docker_arch_name(a);
}

std::string_view docker_arch_name(arch::Arch a) {
  switch (a) {
    case arch::Arch::x86_64: return "amd64";
    case arch::Arch::x86: return "x86";
    case arch::Arch::x32: return "x32";
    case arch::Arch::aarch64: return "arm64";
    case arch::Arch::arm: return "arm";
    case arch::Arch::riscv64: return "riscv64";
    case arch::Arch::s390x: return "s390x";
  }
  return "";
}

bool is_capability(std::string_view name) { return contains(kCaps, name); }
std::span<const std::string_view> capability_names() { return kCaps; }
std::span<const std::string_view> docker_default_caps() { return kDockerDefaultCaps; }

std::optional<KernelVersion> parse_kernel_version(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size() || dot > 5 || text.size() - dot > 6)
    return std::nullopt;
  KernelVersion v;
  auto number = [](std::string_view s, unsigned& out) {
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc{};
  };
  if (!number(text.substr(0, dot), v.major) || !number(text.substr(dot + 1), v.minor)) return std::nullopt;
  return v;
}

std::string to_string(const KernelVersion& v) { return std::to_string(v.major) + "." + std::to_string(v.minor); }

std::string errno_name(uint64_t value) {
  // Every target shares one errno numbering (see sema/constants.h), so x86_64 stands for all.
  static const std::map<uint64_t, std::string> by_value = [] {
    std::map<uint64_t, std::string> m;
    for (std::string_view n : sema::all_errno_names()) {
      if (n == "EWOULDBLOCK" || n == "EDEADLOCK" || n == "ENOTSUP") continue;  // aliases
      if (auto v = sema::errno_value(n, arch::Arch::x86_64)) m.emplace(*v, std::string(n));
    }
    return m;
  }();
  auto it = by_value.find(value);
  return it == by_value.end() ? "" : it->second;
}

}  // namespace polc::import
