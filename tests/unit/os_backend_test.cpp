// Unit tests of the os backend (backends/os): os.json from the IR's OS layer, its order and
// units, the masks that enforce a deny beneath a grant, and its claims. The OS statements are
// put in the IR directly, as the front end fills ir::Os.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <utility>

#include "backends/os/emit.h"
#include "backends/os/masks.h"
#include "backends/os/os_vocab.h"
#include "compiler/driver/build_bundle.h"
#include "test_support.h"

namespace polc {
namespace {

using backends::os::MountKind;
using nlohmann::json;

// An origin for a statement the test adds to the IR: `offset` tells statements apart.
ir::Origin origin_at(uint32_t offset) {
  return {{1, offset, offset + 1}, "", "/virtual/test.sbx:" + std::to_string(offset)};
}

struct Built {
  std::unique_ptr<test::Compiled> c;
  std::optional<backends::BackendOutput> out;
  std::string text;
  json doc;
};

Built run(std::unique_ptr<test::Compiled> c) {
  Built b;
  b.c = std::move(c);
  b.out = backends::os::run(*b.c->policy, b.c->engine);
  REQUIRE(b.out);
  REQUIRE(b.out->files.count("os.json") == 1);
  const auto& bytes = b.out->files.at("os.json");
  b.text.assign(bytes.begin(), bytes.end());
  b.doc = json::parse(b.text);
  return b;
}

std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  REQUIRE_MESSAGE(c->policy, "the policy does not compile");
  return c;
}

const backends::Enforcement* claim_with(const backends::BackendOutput& out, const std::string& needle) {
  for (const auto& e : out.enforced)
    if (e.how.find(needle) != std::string::npos) return &e;
  return nullptr;
}

// The OS layer of the design's example, as the front end would fill it.
void add_os_layer(ir::Policy& p) {
  p.os.namespaces = {{ir::Namespace::Cgroup, false, origin_at(10)},
                     {ir::Namespace::Ipc, false, origin_at(10)},
                     {ir::Namespace::Mount, true, origin_at(40)},
                     {ir::Namespace::Pid, false, origin_at(10)},
                     {ir::Namespace::Uts, false, origin_at(10)}};
  p.os.limits = {{ir::LimitKind::Memory, 512ull << 20, origin_at(20)},
                 {ir::LimitKind::MemorySwap, 1ull << 30, origin_at(21)},
                 {ir::LimitKind::Tasks, 128, origin_at(22)},
                 {ir::LimitKind::Cpu, 1500, origin_at(23)},
                 {ir::LimitKind::Time, 300000, origin_at(24)},
                 {ir::LimitKind::OpenFiles, 1024, origin_at(25)},
                 {ir::LimitKind::FileSize, 100ull << 20, origin_at(26)}};
  p.os.mounts = {{ir::MountKind::MinimalDev, "/dev", 0, origin_at(30)},
                 {ir::MountKind::Tmpfs, "/tmp", 64ull << 20, origin_at(31)},
                 {ir::MountKind::Hide, "/work/p/.env", 0, origin_at(32)},
                 {ir::MountKind::ReadOnly, "/usr", 0, origin_at(33)}};
  p.os.workspaces = {{"/work/p", ir::kDiscardOnDefault, {}, origin_at(40)}};
}

TEST_CASE("os: a policy without an OS layer still gets os.json: no core dumps") {
  auto b = run(compiled("syscalls { allow read }"));
  CHECK(b.text ==
        "{\n  \"format\": \"polc-os/1\",\n  \"limits\": {\n    \"core_dumps\": false\n  },\n  \"mounts\": [],\n"
        "  \"namespaces\": [],\n  \"workspaces\": []\n}\n");
  CHECK(b.out->enforced.empty());
  CHECK(b.out->unenforceable.empty());
}

TEST_CASE("os: namespaces, limits in their units, mounts by path then kind, workspaces") {
  auto c = compiled("syscalls { allow read }");
  add_os_layer(*c->policy);
  auto b = run(std::move(c));
  CHECK(b.doc["format"] == "polc-os/1");
  CHECK(b.doc["namespaces"] == json({"cgroup", "ipc", "mount", "pid", "uts"}));
  CHECK(b.doc["limits"] == json({{"memory", 536870912},
                                 {"memory_swap", 1073741824},
                                 {"tasks", 128},
                                 {"cpu", 1500},
                                 {"time_ms", 300000},
                                 {"open_files", 1024},
                                 {"file_size", 104857600},
                                 {"core_dumps", false}}));
  REQUIRE(b.doc["mounts"].size() == 4);
  CHECK(b.doc["mounts"][0] == json({{"kind", "minimal_dev"}, {"path", "/dev"}}));
  CHECK(b.doc["mounts"][1] == json({{"kind", "tmpfs"}, {"path", "/tmp"}, {"size", 67108864}}));
  CHECK(b.doc["mounts"][2] == json({{"kind", "readonly"}, {"path", "/usr"}}));
  CHECK(b.doc["mounts"][3] == json({{"kind", "hide"}, {"path", "/work/p/.env"}}));
  CHECK(b.doc["workspaces"] == json::array({{{"path", "/work/p"},
                                             {"discard_on", {"failure", "kill", "refusal"}},
                                             {"refusal_layers", json::array()}}}));

  // One claim per statement; the implied namespace is its needing statement's (the workspace).
  const auto* ns = claim_with(*b.out, "namespace");
  REQUIRE(ns != nullptr);
  CHECK(ns->how == "the payload gets its own cgroup, ipc, pid and uts namespaces");
  CHECK(ns->artifact == "os.json");
  CHECK(ns->extent == backends::Extent::Full);
  CHECK(claim_with(*b.out, "cgroup memory.max 512MiB") != nullptr);
  CHECK(claim_with(*b.out, "cgroup cpu.max 150000 100000: 1.5 cores") != nullptr);
  CHECK(claim_with(*b.out, "kills the run after 5m") != nullptr);
  CHECK(claim_with(*b.out, "RLIMIT_FSIZE 100MiB") != nullptr);
  CHECK(claim_with(*b.out, "a private, empty tmpfs on \"/tmp\" of at most 64MiB") != nullptr);
  CHECK(claim_with(*b.out, "hides \"/work/p/.env\"") != nullptr);
  CHECK(claim_with(*b.out, "committed only when the run ends cleanly; discarded on failure, kill and a refusal") !=
        nullptr);
  // 1 namespaces + 7 limits + 4 mounts + 1 workspace.
  CHECK(b.out->enforced.size() == 13);
}

TEST_CASE("os: core dumps on, refusal layers, and a workspace kept on failure") {
  auto c = compiled("syscalls { allow read }");
  c->policy->os.limits = {{ir::LimitKind::CoreDumps, 1, origin_at(5)}};
  c->policy->os.workspaces = {
      {"/w", ir::kDiscardOnKill | ir::kDiscardOnRefusal, {"landlock", "seccomp"}, origin_at(6)}};
  auto b = run(std::move(c));
  CHECK(b.doc["limits"] == json({{"core_dumps", true}}));
  CHECK(b.doc["workspaces"][0]["discard_on"] == json({"kill", "refusal"}));
  CHECK(b.doc["workspaces"][0]["refusal_layers"] == json({"landlock", "seccomp"}));
  CHECK(claim_with(*b.out, "; discarded on kill and a refusal of landlock or seccomp") != nullptr);
}

TEST_CASE("os: the mask of a deny follows the rights it denies") {
  using namespace ir::fs_right;
  using V = std::vector<MountKind>;
  CHECK(backends::os::mask_kinds(kReadFile) == V{MountKind::Hide});
  CHECK(backends::os::mask_kinds(kReadDir | kWriteFile | kExecute) == V{MountKind::Hide});
  CHECK(backends::os::mask_kinds(kWriteFile) == V{MountKind::ReadOnly});
  CHECK(backends::os::mask_kinds(kTruncate) == V{MountKind::ReadOnly});
  CHECK(backends::os::mask_kinds(kRefer | kMakeSym) == V{MountKind::ReadOnly});
  CHECK(backends::os::mask_kinds(kExecute) == V{MountKind::NoExec});
  CHECK(backends::os::mask_kinds(kIoctlDev) == V{MountKind::NoDev});
  CHECK(backends::os::mask_kinds(kWriteFile | kExecute | kIoctlDev) ==
        V{MountKind::ReadOnly, MountKind::NoExec, MountKind::NoDev});
}

TEST_CASE("os: a deny beneath (or above) a grant is masked and claimed; the mount namespace follows") {
  auto b = run(compiled(R"(filesystem {
      landlock abi >= 5
      read, write, execute "/workspace"
      deny write "/workspace/.git"
      deny read "/workspace/.env"
      deny execute, ioctl_dev "/workspace/bin"
      deny read "/home"
      read "/home/agent/project"
      deny write "/opt"
    })"));
  CHECK(b.doc["namespaces"] == json({"mount"}));
  CHECK(b.doc["mounts"] == json::array({{{"kind", "hide"}, {"path", "/home"}},
                                        {{"kind", "hide"}, {"path", "/workspace/.env"}},
                                        {{"kind", "readonly"}, {"path", "/workspace/.git"}},
                                        {{"kind", "noexec"}, {"path", "/workspace/bin"}},
                                        {{"kind", "nodev"}, {"path", "/workspace/bin"}}}));
  // "/opt" overlaps no grant: Landlock enforces it by not granting, no mask.
  const auto* git = claim_with(*b.out, "masked in the payload's mount namespace: readonly \"/workspace/.git\"");
  REQUIRE(git != nullptr);
  CHECK(git->extent == backends::Extent::Full);
  CHECK(claim_with(*b.out, "masked in the payload's mount namespace: noexec and nodev \"/workspace/bin\"") != nullptr);
  CHECK(claim_with(*b.out, "masked in the payload's mount namespace: hide \"/home\"") != nullptr);
  CHECK(claim_with(*b.out, "\"/opt\"") == nullptr);
  CHECK(b.out->enforced.size() == 4);
}

TEST_CASE("os: a mount rule and a mask that agree are one mount; a masked deny joins the namespaces") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/srv"
      deny read "/srv/secret"
    })");
  c->policy->os.mounts = {{ir::MountKind::Hide, "/srv/secret", 0, origin_at(50)}};
  c->policy->os.namespaces = {{ir::Namespace::Pid, false, origin_at(51)}};
  auto b = run(std::move(c));
  CHECK(b.doc["mounts"] == json::array({{{"kind", "hide"}, {"path", "/srv/secret"}}}));
  CHECK(b.doc["namespaces"] == json({"mount", "pid"}));
  CHECK(claim_with(*b.out, "hides \"/srv/secret\"") != nullptr);
  CHECK(claim_with(*b.out, "masked in the payload's mount namespace: hide \"/srv/secret\"") != nullptr);
}

TEST_CASE("os: a deny beneath a grant is E0606 only when no selected backend enforces it") {
  const std::string body = R"(filesystem {
      landlock abi >= 3
      read, write, execute "/workspace"
      deny write "/workspace/.git"
      deny execute "/workspace/bin"
    })";
  auto check = [&](const std::set<std::string>& selected) {
    auto c = compiled(body);
    driver::BuildInputs inputs;
    inputs.selected = driver::BackendSelection(selected.begin(), selected.end());
    inputs.manifest = false;
    auto built = driver::build_bundle(*c->policy, inputs, c->engine);
    return std::make_pair(built.has_value(), c->count(diag::Code::DenyInsideAllow));
  };
  // Landlock alone: both denies are E0606, once each, as the Landlock backend always reported.
  CHECK(check({"seccomp", "landlock", "nftables"}) == std::make_pair(false, size_t{2}));
  // The os backend masks both: nothing to report, the build succeeds.
  CHECK(check({"seccomp", "landlock", "nftables", "os"}) == std::make_pair(true, size_t{0}));
  // oci-config.json enforces the read-only mask, not the noexec one.
  CHECK(check({"seccomp", "landlock", "nftables", "oci"}) == std::make_pair(false, size_t{1}));
}

TEST_CASE("os: the same IR gives the same bytes") {
  auto first = compiled("syscalls { allow read }");
  auto second = compiled("syscalls { allow read }");
  add_os_layer(*first->policy);
  add_os_layer(*second->policy);
  CHECK(run(std::move(first)).text == run(std::move(second)).text);
}

TEST_CASE("os: limit values in the units policies write") {
  using backends::os::limit_value_text;
  CHECK(limit_value_text(ir::LimitKind::Memory, 512ull << 20) == "512MiB");
  CHECK(limit_value_text(ir::LimitKind::Memory, 1536ull << 10) == "1536KiB");
  CHECK(limit_value_text(ir::LimitKind::FileSize, 100) == "100B");
  CHECK(limit_value_text(ir::LimitKind::MemorySwap, 2ull << 40) == "2TiB");
  CHECK(limit_value_text(ir::LimitKind::Cpu, 1500) == "1.5");
  CHECK(limit_value_text(ir::LimitKind::Cpu, 10) == "0.01");
  CHECK(limit_value_text(ir::LimitKind::Cpu, 250) == "0.25");
  CHECK(limit_value_text(ir::LimitKind::Cpu, 2000) == "2");
  CHECK(limit_value_text(ir::LimitKind::Time, 300000) == "5m");
  CHECK(limit_value_text(ir::LimitKind::Time, 7200000) == "2h");
  CHECK(limit_value_text(ir::LimitKind::Time, 1500) == "1500ms");
  CHECK(limit_value_text(ir::LimitKind::Time, 90000) == "90s");
  CHECK(limit_value_text(ir::LimitKind::CoreDumps, 0) == "off");
  CHECK(limit_value_text(ir::LimitKind::Tasks, 128) == "128");
}

}  // namespace
}  // namespace polc
