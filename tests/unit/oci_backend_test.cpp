// Unit tests of the oci backend (backends/oci): the runtime-spec fragment's namespaces,
// resources, rlimits, mounts, masked and read-only paths, its seccomp profile (the one
// seccomp.oci.json has), and what it claims and leaves to os.json.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "backends/oci/emit.h"
#include "backends/seccomp/emit.h"
#include "test_support.h"

namespace polc {
namespace {

using nlohmann::json;

ir::Origin origin_at(uint32_t offset) {
  return {{1, offset, offset + 1}, "", "/virtual/test.sbx:" + std::to_string(offset)};
}

std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  REQUIRE_MESSAGE(c->policy, "the policy does not compile");
  return c;
}

const backends::Enforcement* claim_with(const backends::Enforcements& claims, const std::string& needle) {
  for (const auto& e : claims)
    if (e.how.find(needle) != std::string::npos) return &e;
  return nullptr;
}

TEST_CASE("oci: namespaces every container gets, network with a network section, user when named") {
  auto plain = compiled("syscalls { allow read }");
  json doc = json::parse(backends::oci::fragment(*plain->policy, plain->sources).json);
  CHECK(doc["linux"]["namespaces"] ==
        json::array(
            {{{"type", "cgroup"}}, {{"type", "ipc"}}, {{"type", "mount"}}, {{"type", "pid"}}, {{"type", "uts"}}}));
  CHECK(doc["process"]["rlimits"] == json::array({{{"type", "RLIMIT_CORE"}, {"hard", 0}, {"soft", 0}}}));
  CHECK(doc["mounts"] == json::array());
  CHECK(doc["linux"]["maskedPaths"] == json::array());
  CHECK(doc["linux"]["readonlyPaths"] == json::array());
  CHECK(doc["linux"]["resources"] == json::object());

  auto networked = compiled(R"(network {
      connect tcp 443 to 10.0.0.0/8
    })");
  networked->policy->os.namespaces = {{ir::Namespace::User, false, origin_at(7)}};
  const auto f = backends::oci::fragment(*networked->policy, networked->sources);
  doc = json::parse(f.json);
  CHECK(doc["linux"]["namespaces"] == json::array({{{"type", "cgroup"}},
                                                   {{"type", "ipc"}},
                                                   {{"type", "mount"}},
                                                   {{"type", "network"}},
                                                   {{"type", "pid"}},
                                                   {{"type", "user"}},
                                                   {{"type", "uts"}}}));
  CHECK(claim_with(f.enforced, "linux.namespaces: user (user: the config.json it is merged into gives") != nullptr);
}

TEST_CASE("oci: resources, rlimits and mounts; the time limit and workspaces are os.json's alone") {
  auto c = compiled("syscalls { allow read }");
  ir::Os& os = c->policy->os;
  os.limits = {{ir::LimitKind::Memory, 512ull << 20, origin_at(20)},
               {ir::LimitKind::MemorySwap, 1ull << 30, origin_at(21)},
               {ir::LimitKind::Tasks, 16, origin_at(22)},
               {ir::LimitKind::Cpu, 1500, origin_at(23)},
               {ir::LimitKind::Time, 300000, origin_at(24)},
               {ir::LimitKind::OpenFiles, 1024, origin_at(25)},
               {ir::LimitKind::FileSize, 100ull << 20, origin_at(26)}};
  os.mounts = {{ir::MountKind::MinimalDev, "/dev", 0, origin_at(30)},
               {ir::MountKind::Tmpfs, "/tmp", 64ull << 20, origin_at(31)},
               {ir::MountKind::Hide, "/etc/secret", 0, origin_at(32)},
               {ir::MountKind::ReadOnly, "/usr", 0, origin_at(33)}};
  os.workspaces = {{"/work", ir::kDiscardOnDefault, {}, origin_at(40)}};
  const auto f = backends::oci::fragment(*c->policy, c->sources);
  const json doc = json::parse(f.json);
  CHECK(doc["linux"]["resources"] == json({{"memory", {{"limit", 536870912}, {"swap", 1073741824}}},
                                           {"pids", {{"limit", 16}}},
                                           {"cpu", {{"quota", 150000}, {"period", 100000}}}}));
  CHECK(doc["process"]["rlimits"] == json::array({{{"type", "RLIMIT_CORE"}, {"hard", 0}, {"soft", 0}},
                                                  {{"type", "RLIMIT_FSIZE"}, {"hard", 104857600}, {"soft", 104857600}},
                                                  {{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}));
  CHECK(doc["linux"]["maskedPaths"] == json({"/etc/secret"}));
  CHECK(doc["linux"]["readonlyPaths"] == json({"/usr"}));
  REQUIRE(doc["mounts"].size() == 4);  // /dev, /dev/pts, /dev/shm, /tmp
  CHECK(doc["mounts"][0]["destination"] == "/dev");
  CHECK(doc["mounts"][1]["type"] == "devpts");
  CHECK(doc["mounts"][3] == json({{"destination", "/tmp"},
                                  {"type", "tmpfs"},
                                  {"source", "tmpfs"},
                                  {"options", {"nosuid", "nodev", "mode=1777", "size=67108864"}}}));
  CHECK(claim_with(f.enforced, "linux.resources.pids.limit 16") != nullptr);
  CHECK(claim_with(f.enforced, "linux.resources.cpu quota 150000 per 100000 us: 1.5 cores") != nullptr);
  CHECK(claim_with(f.enforced, "linux.maskedPaths \"/etc/secret\"") != nullptr);
  for (const auto& e : f.enforced) {
    CHECK(e.origin.where != "/virtual/test.sbx:24");  // time
    CHECK(e.origin.where != "/virtual/test.sbx:40");  // the workspace
  }
}

TEST_CASE("oci: masked denies; noexec and nodev have no OCI spelling") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read, write, execute "/app"
      deny read "/app/.env"
      deny write "/app/conf"
      deny write, execute "/app/bin"
    })");
  const auto f = backends::oci::fragment(*c->policy, c->sources);
  const json doc = json::parse(f.json);
  CHECK(doc["linux"]["maskedPaths"] == json({"/app/.env"}));
  CHECK(doc["linux"]["readonlyPaths"] == json({"/app/bin", "/app/conf"}));
  const auto* env = claim_with(f.enforced, "linux.maskedPaths \"/app/.env\"");
  REQUIRE(env != nullptr);
  CHECK(env->extent == backends::Extent::Full);
  const auto* bin = claim_with(f.enforced, "linux.readonlyPaths \"/app/bin\" (noexec has no OCI spelling");
  REQUIRE(bin != nullptr);
  CHECK(bin->extent == backends::Extent::Partial);
}

TEST_CASE("oci: linux.seccomp is the profile seccomp.oci.json holds, and enforces the syscall rules") {
  auto c = compiled(R"(syscalls {
      default errno(EPERM)
      allow read, write, exit_group
      allow socket(domain == AF_UNIX)
      kill ptrace
    })");
  const auto f = backends::oci::fragment(*c->policy, c->sources);
  const json doc = json::parse(f.json);
  auto seccomp = backends::seccomp::emit(*c->policy, c->engine);
  REQUIRE(seccomp);
  REQUIRE(!seccomp->oci_json.empty());
  CHECK(doc["linux"]["seccomp"] == json::parse(seccomp->oci_json));
  CHECK(claim_with(f.enforced, "kill_process ptrace on x86_64") != nullptr);
  CHECK(claim_with(f.enforced, "decides every call no rule matches: errno(1)") != nullptr);
}

}  // namespace
}  // namespace polc
