// Docker's default seccomp profile, imported with `polc import oci` and compiled by polc, against
// the original profile compiled the way runc compiles it (libseccomp, for x86_64 with Docker's
// default capabilities). The two programs must decide every syscall number and every boundary
// argument value the same way, for every register value a C caller can pass: arguments
// zero-extended from their kernel width, and sign-extended for signed ones. Register values with
// garbage above a 32-bit argument are where the two differ on purpose (polc compares what the
// kernel reads); one such case is asserted explicitly.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/emit.h"
#include "backends/seccomp/oci_compile.h"
#include "compiler/import/oci_import.h"
#include "compiler/sema/syscall_signatures.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;

const std::vector<std::string> kDockerDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

std::string profile_path() { return std::string(POLC_SOURCE_DIR) + "/tests/golden/import/docker-default.json"; }

std::string read(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has(const nlohmann::json& list, const std::string& v) {
  for (const auto& x : list)
    if (x == v) return true;
  return false;
}

// Docker's own selection for an amd64 host with the default capabilities (moby's
// profiles/seccomp: includes.caps all held, excludes.caps none held, arch filters on "amd64",
// every minKernel reached), written independently of polc's importer: a runtime-spec profile.
nlohmann::json docker_selection(const nlohmann::json& docker) {
  nlohmann::json out;
  out["defaultAction"] = docker["defaultAction"];
  if (docker.contains("defaultErrnoRet")) out["defaultErrnoRet"] = docker["defaultErrnoRet"];
  out["syscalls"] = nlohmann::json::array();
  for (const auto& e : docker["syscalls"]) {
    const auto inc = e.value("includes", nlohmann::json::object());
    const auto exc = e.value("excludes", nlohmann::json::object());
    bool ok = true;
    for (const auto& c : inc.value("caps", nlohmann::json::array()))
      ok = ok && std::find(kDockerDefaultCaps.begin(), kDockerDefaultCaps.end(), c) != kDockerDefaultCaps.end();
    for (const auto& c : exc.value("caps", nlohmann::json::array()))
      ok = ok && std::find(kDockerDefaultCaps.begin(), kDockerDefaultCaps.end(), c) == kDockerDefaultCaps.end();
    if (inc.contains("arches")) ok = ok && has(inc["arches"], "amd64");
    if (exc.contains("arches")) ok = ok && !has(exc["arches"], "amd64");
    if (!ok) continue;
    nlohmann::json s = {{"names", e["names"]}, {"action", e["action"]}};
    if (e.contains("args")) s["args"] = e["args"];
    if (e.contains("errnoRet")) s["errnoRet"] = e["errnoRet"];
    out["syscalls"].push_back(s);
  }
  return out;
}

struct Programs {
  std::vector<sc::Insn> polc, runc;
  std::unique_ptr<test::Compiled> compiled;
};

Programs build_both() {
  Programs p;
  const nlohmann::json docker = nlohmann::json::parse(read(profile_path()));
  std::string error;
  const arch::Arch x86_64[] = {arch::Arch::x86_64};
  auto raw = sc::compile_oci_profile(docker_selection(docker), x86_64, &error);
  REQUIRE_MESSAGE(raw, error);
  auto runc = sc::decode(*raw, false, &error);
  REQUIRE(runc);
  p.runc = *runc;

  diag::SourceManager sources;
  diag::Engine engine(sources);
  const auto fid = sources.add("docker-default.json", read(profile_path()));
  import::ImportOptions options;
  options.targets = {arch::Arch::x86_64};
  options.caps = kDockerDefaultCaps;
  options.docker_default_caps = true;
  options.policy_name = "docker_default";
  options.profile_name = "docker-default.json";
  options.output_name = "docker_default.sbx";
  auto imported = import::import_oci(engine, fid, options);
  REQUIRE_MESSAGE(imported.source, "the import failed");
  p.compiled = test::compile(*imported.source);
  REQUIRE(p.compiled->policy);
  auto artifacts = sc::emit(*p.compiled->policy, p.compiled->engine);
  REQUIRE(artifacts);
  REQUIRE(artifacts->programs.size() == 1);
  p.polc = artifacts->programs[0].insns;
  return p;
}

// Every register value a C caller can produce for this syscall's arguments from `raw`: the
// argument's kernel-width value zero-extended, and sign-extended when the type is signed.
std::vector<sc::Args> canonical(const std::string& syscall, const sc::Args& raw) {
  const auto sig = sema::syscall_signature(syscall, arch::Arch::x86_64);
  std::vector<sc::Args> out = {raw};
  for (size_t i = 0; i < 6; ++i) {
    const unsigned bits = sig && i < sig->size() ? sema::arg_bits((*sig)[i].type, arch::Arch::x86_64) : 64;
    if (bits >= 64) continue;
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    std::vector<sc::Args> next;
    for (sc::Args a : out) {
      const uint64_t low = a[i] & mask;
      a[i] = low;
      next.push_back(a);
      if (sig && sema::arg_signed((*sig)[i].type) && (low >> (bits - 1)) != 0) {
        a[i] = low | ~mask;
        next.push_back(a);
      }
    }
    out = std::move(next);
  }
  return out;
}

TEST_CASE("Docker's default profile: polc's compile of the import decides like runc's compile of the original") {
  Programs p = build_both();
  const ir::Policy& policy = *p.compiled->policy;
  const uint32_t audit = arch::audit_arch(arch::Arch::x86_64);
  size_t compared = 0;
  std::vector<int32_t> numbers = sc::probe_numbers(arch::Arch::x86_64, policy);
  for (int32_t nr : sc::probe_numbers(arch::Arch::x32, policy)) numbers.push_back(nr);  // x32 calls
  std::mt19937_64 rng(1);
  for (int32_t nr : numbers) {
    std::vector<sc::Args> probes = {sc::Args{}};
    for (int k = 0; k < 4; ++k) probes.push_back({rng() % 4096, rng(), rng() & 0xffffffff, rng(), rng() % 64, rng()});
    std::string name;
    for (const ir::ArchFilter& f : policy.syscalls.arches) {
      std::vector<ir::SyscallRule> rules;
      for (const ir::SyscallRule& r : f.rules)
        if (r.nr == nr) rules.push_back(r);
      if (!rules.empty()) {
        name = rules[0].syscall;
        for (const sc::Args& a : sc::probe_args(rules)) probes.push_back(a);
      }
    }
    for (const sc::Args& raw : probes)
      for (const sc::Args& args : name.empty() ? std::vector<sc::Args>{raw} : canonical(name, raw)) {
        sc::SeccompData d;
        d.arch = audit;
        d.nr = nr;
        d.args = args;
        const ir::Action ours = sc::decode_ret(sc::run(p.polc, d, false).ret);
        const ir::Action theirs = sc::decode_ret(sc::run(p.runc, d, false).ret);
        INFO("nr " << nr << " (" << name << ") args " << args[0] << ", " << args[1] << ", " << args[2]);
        REQUIRE(ir::action_text(ours) == ir::action_text(theirs));
        ++compared;
      }
  }
  CHECK(compared > 10000);  // two arches' numbers, five vectors each, plus every boundary
}

TEST_CASE("Docker's default profile: a 64-bit comparison of socket's 32-bit domain is a bypass polc closes") {
  Programs p = build_both();
  sc::SeccompData d;
  d.arch = arch::audit_arch(arch::Arch::x86_64);
  d.nr = 41;                              // socket
  d.args = {0x100000028, 1, 0, 0, 0, 0};  // the kernel reads domain 40: AF_VSOCK, which Docker denies
  CHECK(sc::decode_ret(sc::run(p.runc, d, false).ret).kind == ir::ActionKind::Allow);
  CHECK(sc::decode_ret(sc::run(p.polc, d, false).ret).kind == ir::ActionKind::Errno);
  d.args[0] = 40;
  CHECK(sc::decode_ret(sc::run(p.runc, d, false).ret).kind == ir::ActionKind::Errno);
  CHECK(sc::decode_ret(sc::run(p.polc, d, false).ret).kind == ir::ActionKind::Errno);
}

}  // namespace
}  // namespace polc
