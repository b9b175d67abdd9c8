// os.json read into an OsSpec (launcher/os/os_json.h): the documented example, and a refusal for
// every way a file can be wrong.
#include "launcher/os/os_json.h"

#include <doctest/doctest.h>

#include <string>

#include "launcher/errors.h"

namespace polc::launcher::os {
namespace {

const char* const kExample = R"({"format":"polc-os/1",
  "limits":{"core_dumps":false,"cpu":1500,"file_size":104857600,"memory":536870912,"memory_swap":1073741824,
            "open_files":1024,"tasks":128,"time_ms":300000},
  "mounts":[{"kind":"minimal_dev","path":"/dev"},{"kind":"tmpfs","path":"/tmp","size":67108864},
            {"kind":"hide","path":"/work/p/.env"},{"kind":"readonly","path":"/work/p/.git"},{"kind":"noexec","path":"/work/p/.git"}],
  "namespaces":["cgroup","ipc","mount","pid","uts"],
  "workspaces":[{"discard_on":["failure","kill","refusal"],"path":"/work/p","refusal_layers":[]},
                {"discard_on":["refusal"],"path":"/work/q","refusal_layers":["landlock","seccomp"]}]})";

// The message parse_os_json refuses `text` with ("" when it does not refuse).
std::string refusal(const std::string& text) {
  try {
    parse_os_json(text);
  } catch (const Failure& f) {
    CHECK(f.code() == ExitCode::BundleInvalid);
    return f.what();
  }
  return "";
}

// kExample with `from` replaced by `to` (once; the test fails when `from` is not there).
std::string edited(const std::string& from, const std::string& to) {
  std::string text = kExample;
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_SUITE("os_json") {
  TEST_CASE("the documented example") {
    const OsSpec spec = parse_os_json(kExample);
    CHECK(spec.cgroup_ns);
    CHECK(spec.ipc_ns);
    CHECK(spec.mount_ns);
    CHECK(spec.pid_ns);
    CHECK(spec.uts_ns);
    CHECK_FALSE(spec.user_ns);
    CHECK(spec.limits.memory == 536870912u);
    CHECK(spec.limits.memory_swap == 1073741824u);
    CHECK(spec.limits.tasks == 128u);
    CHECK(spec.limits.cpu == 1500u);
    CHECK(spec.limits.time_ms == 300000u);
    CHECK(spec.limits.open_files == 1024u);
    CHECK(spec.limits.file_size == 104857600u);
    CHECK_FALSE(spec.limits.core_dumps);
    REQUIRE(spec.mounts.size() == 5);
    CHECK(spec.mounts[0].kind == MountKind::MinimalDev);
    CHECK(spec.mounts[0].path == "/dev");
    CHECK(spec.mounts[1].kind == MountKind::Tmpfs);
    CHECK(spec.mounts[1].size == 67108864u);
    CHECK(spec.mounts[2].kind == MountKind::Hide);
    CHECK(spec.mounts[2].path == "/work/p/.env");
    CHECK(spec.mounts[3].kind == MountKind::ReadOnly);
    CHECK(spec.mounts[4].kind == MountKind::NoExec);
    REQUIRE(spec.workspaces.size() == 2);
    CHECK(spec.workspaces[0].path == "/work/p");
    CHECK(spec.workspaces[0].discard_on_failure);
    CHECK(spec.workspaces[0].discard_on_kill);
    CHECK(spec.workspaces[0].discard_on_refusal);
    CHECK(spec.workspaces[0].refusal_layers.empty());
    CHECK_FALSE(spec.workspaces[1].discard_on_failure);
    CHECK_FALSE(spec.workspaces[1].discard_on_kill);
    CHECK(spec.workspaces[1].refusal_layers == std::vector<std::string>{"landlock", "seccomp"});
  }

  TEST_CASE("the smallest file: core dumps off, nothing else") {
    const OsSpec spec = parse_os_json(
        R"({"format":"polc-os/1","limits":{"core_dumps":false},"mounts":[],"namespaces":[],"workspaces":[]})");
    CHECK_FALSE(spec.mount_ns);
    CHECK_FALSE(spec.limits.memory.has_value());
    CHECK(spec.mounts.empty());
    CHECK(spec.workspaces.empty());
  }

  TEST_CASE("minimal_dev may leave its path out") {
    const OsSpec spec = parse_os_json(edited(R"({"kind":"minimal_dev","path":"/dev"})", R"({"kind":"minimal_dev"})"));
    CHECK(spec.mounts[0].path == "/dev");
  }

  TEST_CASE("refusals") {
    CHECK(refusal("not json").find("not valid JSON") != std::string::npos);
    CHECK(refusal("[]").find("not an object") != std::string::npos);
    CHECK(refusal(edited("polc-os/1", "polc-os/2")).find("polc-os/2") != std::string::npos);
    CHECK(refusal(edited(R"("format":"polc-os/1",)", "")).find("no \"format\"") != std::string::npos);
    CHECK(refusal(edited(R"("format")", R"("extra":1,"format")")).find("unknown key \"extra\"") != std::string::npos);
    CHECK(refusal(edited(R"("format":"polc-os/1")", R"("format":"polc-os/1","format":"polc-os/1")"))
              .find("appears twice") != std::string::npos);
    // Namespaces: unknown, net (the network section decides it), unsorted, repeated.
    CHECK(refusal(edited(R"("cgroup",)", R"("cgroup","time",)")).find("unknown name \"time\"") != std::string::npos);
    CHECK(refusal(edited(R"("cgroup",)", R"("cgroup","net",)")).find("\"net\"") != std::string::npos);
    CHECK(refusal(edited(R"("cgroup","ipc")", R"("ipc","cgroup")")).find("not sorted") != std::string::npos);
    CHECK(refusal(edited(R"("cgroup","ipc")", R"("cgroup","cgroup")")).find("repeats") != std::string::npos);
    CHECK(refusal(edited(R"("namespaces":[)", R"("namespaces":[1,)")).find("not a string") != std::string::npos);
    // Limits: wrong types, negative, unknown, inconsistent.
    CHECK(refusal(edited(R"("cpu":1500)", R"("cpu":1.5)")).find("limits.cpu") != std::string::npos);
    CHECK(refusal(edited(R"("tasks":128)", R"("tasks":-1)")).find("limits.tasks") != std::string::npos);
    CHECK(refusal(edited(R"("tasks":128)", R"("tasks":"128")")).find("limits.tasks") != std::string::npos);
    CHECK(refusal(edited(R"("tasks":128)", R"("tasks":0)")).find("limits.tasks") != std::string::npos);
    CHECK(refusal(edited(R"("tasks":128)", R"("tasks":128,"swap":1)")).find("unknown key \"swap\"") !=
          std::string::npos);
    CHECK(refusal(edited(R"("core_dumps":false,)", "")).find("core_dumps") != std::string::npos);
    CHECK(refusal(edited(R"("core_dumps":false)", R"("core_dumps":0)")).find("not a boolean") != std::string::npos);
    CHECK(refusal(edited(R"("memory_swap":1073741824)", R"("memory_swap":1)")).find("memory_swap") !=
          std::string::npos);
    // Mounts: unknown kind or key, paths, size on the wrong kind, order.
    CHECK(refusal(edited(R"("kind":"hide")", R"("kind":"mask")")).find("unknown mount kind \"mask\"") !=
          std::string::npos);
    CHECK(refusal(edited(R"("kind":"hide","path":"/work/p/.env")", R"("kind":"hide","path":"/work/p/.env","ro":true)"))
              .find("unknown key \"ro\"") != std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "work/p/.env")).find("not an absolute, normal path") != std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "/work/p/../p/.env")).find("not an absolute, normal path") !=
          std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "/work/p/./.env")).find("not an absolute, normal path") != std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "/work//p/.env")).find("not an absolute, normal path") != std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "/work/p/.env/")).find("not an absolute, normal path") != std::string::npos);
    CHECK(refusal(edited(R"("path":"/work/p/.env")", R"("path":7)")).find("not a string") != std::string::npos);
    CHECK(refusal(edited(R"("kind":"hide","path":"/work/p/.env")", R"("kind":"hide","path":"/work/p/.env","size":1)"))
              .find("only for a tmpfs") != std::string::npos);
    CHECK(refusal(edited(R"("kind":"minimal_dev","path":"/dev")", R"("kind":"minimal_dev","path":"/mnt/dev")"))
              .find("made at /dev") != std::string::npos);
    CHECK(refusal(edited("/work/p/.env", "/zzz")).find("out of order") != std::string::npos);
    CHECK(refusal(edited(R"("kind":"noexec")", R"("kind":"readonly")")).find("out of order or repeated") !=
          std::string::npos);
    CHECK(refusal(edited(R"({"kind":"readonly","path":"/work/p/.git"},{"kind":"noexec","path":"/work/p/.git"})",
                         R"({"kind":"noexec","path":"/work/p/.git"},{"kind":"readonly","path":"/work/p/.git"})"))
              .find("out of order") != std::string::npos);
    CHECK(refusal(R"({"format":"polc-os/1","limits":{"core_dumps":false},"mounts":{},"namespaces":[],"workspaces":[]})")
              .find("\"mounts\" is not an array") != std::string::npos);
    // Workspaces.
    CHECK(refusal(edited(R"(["failure","kill","refusal"])", R"(["kill","failure"])")).find("not sorted") !=
          std::string::npos);
    CHECK(refusal(edited(R"(["failure","kill","refusal"])", R"(["exit"])")).find("unknown name \"exit\"") !=
          std::string::npos);
    CHECK(refusal(edited(R"(["landlock","seccomp"])", R"(["seccomp","landlock"])")).find("not sorted") !=
          std::string::npos);
    CHECK(refusal(edited(R"("discard_on":["refusal"])", R"("discard_on":[])")).find("refusal_layers") !=
          std::string::npos);
    CHECK(refusal(edited(R"("path":"/work/q")", R"("path":"/work/a")")).find("out of order") != std::string::npos);
    CHECK(refusal(edited(R"(,"refusal_layers":[]})", "}")).find("refusal_layers") != std::string::npos);
  }

  TEST_CASE("normal absolute paths") {
    CHECK(is_normal_absolute_path("/"));
    CHECK(is_normal_absolute_path("/a/b.c/..d"));
    CHECK_FALSE(is_normal_absolute_path(""));
    CHECK_FALSE(is_normal_absolute_path("a"));
    CHECK_FALSE(is_normal_absolute_path("//"));
    CHECK_FALSE(is_normal_absolute_path("/a/"));
    CHECK_FALSE(is_normal_absolute_path("/a/."));
    CHECK_FALSE(is_normal_absolute_path("/a/.."));
    CHECK_FALSE(is_normal_absolute_path(std::string("/a\0b", 4)));
  }
}

}  // namespace
}  // namespace polc::launcher::os
