// Unit tests of the OS layer's front end: limits, namespaces, mount rules and workspaces from the
// source text to ir::Os, how modules combine with the policy, the diagnostics of bad input, the
// formatter, the IR's JSON and `polc diff`'s entries.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "compiler/fmt/format.h"
#include "compiler/ir/json.h"
#include "compiler/ir/os_names.h"
#include "compiler/ir/os_text.h"
#include "compiler/syntax/parse.h"
#include "compiler/verify/os_diff.h"
#include "tests/unit/test_support.h"

using namespace polc;
using diag::Code;
using test::compile;
using test::policy_with;

namespace {

std::string fs_section(const std::string& body) {
  return "  filesystem {\n    landlock abi >= 3\n    read, write \"/work\", \"/tmp\"\n" + body + "\n  }";
}

const ir::Limit* limit(const ir::Policy& p, ir::LimitKind kind) {
  for (const ir::Limit& l : p.os.limits)
    if (l.kind == kind) return &l;
  return nullptr;
}

uint64_t limit_value(const std::string& stmt, ir::LimitKind kind) {
  auto c = compile(policy_with("  limits {\n    " + stmt + "\n  }"));
  REQUIRE_MESSAGE(c->policy, stmt);
  const ir::Limit* l = limit(*c->policy, kind);
  REQUIRE(l != nullptr);
  return l->value;
}

// The code of the first error `stmt` (inside `limits`) reports.
Code limit_error(const std::string& stmt) {
  auto c = compile(policy_with("  limits {\n    " + stmt + "\n  }"));
  CHECK_MESSAGE(!c->policy, stmt);
  REQUIRE_MESSAGE(!c->engine.diagnostics().empty(), stmt);
  return c->engine.diagnostics().front().code;
}

std::string format_text(const std::string& text) {
  diag::SourceManager sm;
  diag::Engine e(sm);
  const auto fid = sm.add("t.sbx", text);
  auto f = syntax::parse(e, fid);
  REQUIRE_MESSAGE(f, "input must parse: ", text);
  return fmt::format(*f, sm.contents(fid));
}

// A policy file and the modules it imports, written to a fresh temporary directory.
struct Files {
  std::filesystem::path dir;
  explicit Files(const std::string& name) : dir(std::filesystem::temp_directory_path() / name) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~Files() { std::filesystem::remove_all(dir); }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
  void write(const std::string& file, const std::string& text) const { std::ofstream(dir / file) << text; }
  std::unique_ptr<test::Compiled> compile(const std::string& file) const {
    auto c = std::make_unique<test::Compiled>();
    std::ifstream in(dir / file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto fid = c->sources.add((dir / file).string(), text);
    c->policy = sema::analyze(c->engine, fid, dir / file, {});
    return c;
  }
};

}  // namespace

TEST_CASE("limits: sizes, times, cores, counts and switches in the IR's units") {
  using K = ir::LimitKind;
  CHECK(limit_value("memory 512MiB", K::Memory) == 512ull << 20);
  CHECK(limit_value("memory 2G", K::Memory) == 2ull << 30);
  CHECK(limit_value("memory 1_024KiB", K::Memory) == 1ull << 20);
  CHECK(limit_value("file_size 7B", K::FileSize) == 7);
  CHECK(limit_value("file_size 1TiB", K::FileSize) == 1ull << 40);
  CHECK(limit_value("time 5m", K::Time) == 300'000);
  CHECK(limit_value("time 1500ms", K::Time) == 1500);
  CHECK(limit_value("time 2h", K::Time) == 7'200'000);
  CHECK(limit_value("cpu 1.5", K::Cpu) == 1500);
  CHECK(limit_value("cpu 0.01", K::Cpu) == 10);
  CHECK(limit_value("cpu 2", K::Cpu) == 2000);
  CHECK(limit_value("cpu 1024", K::Cpu) == 1'024'000);
  CHECK(limit_value("cpu 0.5", K::Cpu) == 500);
  CHECK(limit_value("tasks 128", K::Tasks) == 128);
  CHECK(limit_value("tasks 0x80", K::Tasks) == 128);
  CHECK(limit_value("open_files 1_024", K::OpenFiles) == 1024);
  CHECK(limit_value("core_dumps on", K::CoreDumps) == 1);
  CHECK(limit_value("core_dumps off", K::CoreDumps) == 0);
}

TEST_CASE("limits: every malformed value has its diagnostic") {
  CHECK(limit_error("memroy 1GiB") == Code::UnknownLimit);
  CHECK(limit_error("memory 512") == Code::MissingUnit);
  CHECK(limit_error("time 30") == Code::MissingUnit);
  CHECK(limit_error("memory 1.5") == Code::MissingUnit);
  CHECK(limit_error("memory 512MB") == Code::UnknownUnit);
  CHECK(limit_error("memory 512mib") == Code::UnknownUnit);
  CHECK(limit_error("time 5min") == Code::UnknownUnit);
  CHECK(limit_error("time 5d") == Code::UnknownUnit);
  CHECK(limit_error("tasks 12k") == Code::UnknownUnit);
  CHECK(limit_error("cpu 2cores") == Code::UnknownUnit);
  CHECK(limit_error("memory 1.5GiB") == Code::BadLimitValue);
  CHECK(limit_error("time 1.5h") == Code::BadLimitValue);
  CHECK(limit_error("cpu 1.505") == Code::BadLimitValue);
  CHECK(limit_error("cpu many") == Code::BadLimitValue);
  CHECK(limit_error("tasks 1.5") == Code::BadLimitValue);
  CHECK(limit_error("tasks lots") == Code::BadLimitValue);
  CHECK(limit_error("memory off") == Code::BadLimitValue);
  CHECK(limit_error("core_dumps 1") == Code::BadLimitValue);
  CHECK(limit_error("core_dumps yes") == Code::BadLimitValue);
  CHECK(limit_error("tasks 0") == Code::LimitOutOfRange);
  CHECK(limit_error("tasks 4194305") == Code::LimitOutOfRange);
  CHECK(limit_error("open_files 0") == Code::LimitOutOfRange);
  CHECK(limit_error("open_files 2147483585") == Code::LimitOutOfRange);
  CHECK(limit_error("memory 0MiB") == Code::LimitOutOfRange);
  CHECK(limit_error("time 0s") == Code::LimitOutOfRange);
  CHECK(limit_error("cpu 0") == Code::LimitOutOfRange);
  CHECK(limit_error("cpu 0.001") == Code::BadLimitValue);
  CHECK(limit_error("cpu 0.00") == Code::LimitOutOfRange);
  CHECK(limit_error("cpu 1024.01") == Code::LimitOutOfRange);
  CHECK(limit_error("cpu 99999999999999999999") == Code::IntegerTooLarge);
  CHECK(limit_error("memory 99999999999TiB") == Code::LimitOutOfRange);
  CHECK(limit_error("memory 99999999999999999999999B") == Code::LimitOutOfRange);
  CHECK(limit_error("memory_swap 1GiB") == Code::SwapBelowMemory);
  CHECK(limit_error("memory 2GiB memory_swap 1GiB") == Code::SwapBelowMemory);
  CHECK(limit_error("tasks 1 tasks 2") == Code::DuplicateStatement);
}

TEST_CASE("limits: suggestions for likely mistakes") {
  auto c = compile(policy_with("  limits {\n    memory 512MB\n    time 5min\n    memroy 1GiB\n  }"));
  REQUIRE(c->engine.diagnostics().size() == 3);
  std::vector<std::string> helps;
  for (const auto& d : c->engine.diagnostics()) helps.push_back(d.help);
  CHECK(std::find(helps.begin(), helps.end(), "did you mean `512MiB`? (polc's sizes are binary: 1KiB is 1024 bytes)") !=
        helps.end());
  CHECK(std::find(helps.begin(), helps.end(), "did you mean `5m`?") != helps.end());
  CHECK(std::find(helps.begin(), helps.end(), "did you mean `memory`?") != helps.end());

  auto d = compile(policy_with("  limits {\n    memory 1.5GiB\n  }"));
  REQUIRE(!d->engine.diagnostics().empty());
  CHECK(d->engine.diagnostics().front().help == "write `1536MiB`");
}

TEST_CASE("a space between a number and its unit does not make a size") {
  // `512 MiB` is a number, then a name: the name starts the next limit, which fails to parse.
  auto c = compile(policy_with("  limits {\n    memory 512 MiB\n  }"));
  CHECK(!c->policy);
  CHECK(c->has(Code::SyntaxError));
}

TEST_CASE("namespaces: names, net, duplicates, and the implied mount namespace") {
  auto c = compile(policy_with("  namespaces uts, ipc, cgroup, user"));
  REQUIRE(c->policy);
  REQUIRE(c->policy->os.namespaces.size() == 4);
  CHECK(c->policy->os.namespaces[0].ns == ir::Namespace::Cgroup);  // sorted
  for (const auto& n : c->policy->os.namespaces) CHECK(!n.implied);

  auto pid = compile(policy_with("  namespaces pid"));
  REQUIRE(pid->policy);
  REQUIRE(pid->policy->os.namespaces.size() == 2);
  CHECK(pid->policy->os.namespaces[0].ns == ir::Namespace::Mount);
  CHECK(pid->policy->os.namespaces[0].implied);
  CHECK(pid->policy->os.namespaces[0].origin.where == "/virtual/test.sbx:3");

  auto explicit_mount = compile(policy_with("  namespaces pid, mount"));
  REQUIRE(explicit_mount->policy);
  CHECK(!explicit_mount->policy->os.namespaces[0].implied);

  auto by_mount_rule = compile(policy_with(fs_section("    mount tmpfs \"/tmp\"")));
  REQUIRE(by_mount_rule->policy);
  REQUIRE(by_mount_rule->policy->os.namespaces.size() == 1);
  CHECK(by_mount_rule->policy->os.namespaces[0].implied);
  CHECK(by_mount_rule->policy->os.namespaces[0].origin.where == "/virtual/test.sbx:6");

  auto by_workspace = compile(policy_with(fs_section("    workspace \"/work\"")));
  REQUIRE(by_workspace->policy);
  CHECK(by_workspace->policy->os.namespaces.size() == 1);

  CHECK(compile(policy_with("  namespaces pid, net"))->has(Code::NetNamespaceNamed));
  CHECK(compile(policy_with("  namespaces network"))->has(Code::NetNamespaceNamed));
  auto unknown = compile(policy_with("  namespaces mnt"));
  CHECK(unknown->has(Code::UnknownNamespace));
  CHECK(unknown->engine.diagnostics().front().help == "did you mean `mount`?");
  auto dup = compile(policy_with("  namespaces pid, pid"));
  REQUIRE(dup->policy);
  CHECK(dup->has(Code::DuplicateEntry));
  // `namespaces` twice in one file is a union.
  auto twice = compile(policy_with("  namespaces ipc\n  namespaces uts, ipc"));
  REQUIRE(twice->policy);
  CHECK(twice->policy->os.namespaces.size() == 2);
}

TEST_CASE("mount rules: kinds, paths, sizes, sorted by path") {
  auto c =
      compile(policy_with(fs_section("    mount tmpfs \"/tmp\" size 64MiB\n    mount hide \"/root\", \"/home/u/.ssh\"\n"
                                     "    mount readonly \"/usr\", \"/\"\n    mount minimal_dev")));
  REQUIRE(c->policy);
  const auto& m = c->policy->os.mounts;
  REQUIRE(m.size() == 6);
  CHECK(m[0].path == "/");
  CHECK(m[0].kind == ir::MountKind::ReadOnly);
  CHECK(m[1].path == "/dev");
  CHECK(m[1].kind == ir::MountKind::MinimalDev);
  CHECK(m[2].path == "/home/u/.ssh");
  CHECK(m[3].path == "/root");
  CHECK(m[4].path == "/tmp");
  CHECK(m[4].size == 64ull << 20);
  CHECK(m[5].path == "/usr");

  auto has = [](const std::string& stmt, Code code) { return compile(policy_with(fs_section(stmt)))->has(code); };
  CHECK(has("    mount ro \"/usr\"", Code::UnknownMountKind));
  CHECK(has("    mount hide", Code::MalformedMount));
  CHECK(has("    mount minimal_dev \"/dev\"", Code::MalformedMount));
  CHECK(has("    mount readonly \"/usr\" size 1MiB", Code::MalformedMount));
  CHECK(has("    mount tmpfs \"/tmp\" size 64", Code::MissingUnit));
  CHECK(has("    mount tmpfs \"/tmp\" size 0B", Code::LimitOutOfRange));
  CHECK(has("    mount tmpfs \"tmp\"", Code::RelativePath));
  CHECK(has("    mount hide \"/root/\"", Code::NonNormalPath));
  CHECK(has("    mount hide \"/\"", Code::OsRootPath));
  CHECK(has("    mount tmpfs \"/\"", Code::OsRootPath));
  CHECK(has("    mount hide \"/srv\", \"/srv\"", Code::DuplicateEntry));
  CHECK(has("    mount hide \"/srv\"\n    mount readonly \"/srv\"", Code::ConflictingMounts));
  CHECK(has("    mount minimal_dev\n    mount hide \"/dev\"", Code::ConflictingMounts));
  CHECK(has("    mount hide \"/srv\"\n    mount readonly \"/srv/a\"", Code::MountBeneathEmptyMount));
  CHECK(has("    mount tmpfs \"/tmp\"\n    mount hide \"/tmp/x\"", Code::MountBeneathEmptyMount));
  CHECK(has("    mount minimal_dev\n    mount hide \"/dev/kmsg\"", Code::MountBeneathEmptyMount));
  // Beneath a read-only path, or beside a sibling that shares a prefix, is fine.
  CHECK(compile(policy_with(fs_section("    mount readonly \"/srv\"\n    mount hide \"/srv/secret\"")))->policy);
  CHECK(compile(policy_with(fs_section("    mount hide \"/srv\"\n    mount hide \"/srv-data\", \"/srva/x\"")))->policy);
  // The same rule twice is one rule.
  auto twice = compile(policy_with(fs_section("    mount hide \"/srv\"\n    mount hide \"/srv\"")));
  REQUIRE(twice->policy);
  CHECK(twice->policy->os.mounts.size() == 1);
}

TEST_CASE("workspaces: discard conditions, defaults, nesting and mounts") {
  auto c = compile(policy_with(
      fs_section("    workspace \"/work\" discard on failure, refusal(seccomp, landlock)\n    workspace \"/tmp\"")));
  REQUIRE(c->policy);
  const auto& w = c->policy->os.workspaces;
  REQUIRE(w.size() == 2);
  CHECK(w[0].path == "/tmp");
  CHECK(w[0].discard_on == ir::kDiscardOnDefault);
  CHECK(w[0].refusal_layers.empty());
  CHECK(w[1].path == "/work");
  CHECK(w[1].discard_on == (ir::kDiscardOnFailure | ir::kDiscardOnRefusal));
  CHECK(w[1].refusal_layers == std::vector<std::string>{"landlock", "seccomp"});

  auto has = [](const std::string& stmt, Code code) { return compile(policy_with(fs_section(stmt)))->has(code); };
  CHECK(has("    workspace \"/work\" discard on crash", Code::UnknownDiscardCondition));
  CHECK(has("    workspace \"/work\" discard on refusal(apparmor)", Code::UnknownDiscardCondition));
  CHECK(has("    workspace \"/work\" discard on kill(seccomp)", Code::UnknownDiscardCondition));
  CHECK(has("    workspace \"/work\" discard on kill, kill", Code::DuplicateEntry));
  CHECK(has("    workspace \"/work\"\n    workspace \"/work/a\"", Code::NestedWorkspaces));
  CHECK(has("    workspace \"/work/a/b\"\n    workspace \"/work\"", Code::NestedWorkspaces));
  CHECK(has("    mount readonly \"/work\"\n    workspace \"/work/a\"", Code::WorkspaceUnderMount));
  CHECK(has("    mount hide \"/work/a\"\n    workspace \"/work/a\"", Code::WorkspaceUnderMount));
  CHECK(has("    mount tmpfs \"/tmp\"\n    workspace \"/tmp\"", Code::MountBeneathEmptyMount));
  CHECK(has("    workspace \"/\"", Code::OsRootPath));
  CHECK(has("    workspace \"work\"", Code::RelativePath));
  // A mount rule inside a workspace applies on top of it; siblings with a shared prefix are fine.
  CHECK(compile(policy_with(fs_section("    workspace \"/work\"\n    mount hide \"/work/.env\"")))->policy);
  CHECK(compile(policy_with(fs_section("    workspace \"/work\"\n    workspace \"/work2\"")))->policy);
  // Two statements for one workspace: discarded whenever either would be.
  auto merged = compile(policy_with(
      fs_section("    workspace \"/work\" discard on kill\n    workspace \"/work\" discard on refusal(proxy)")));
  REQUIRE(merged->policy);
  REQUIRE(merged->policy->os.workspaces.size() == 1);
  CHECK(merged->policy->os.workspaces[0].discard_on == (ir::kDiscardOnKill | ir::kDiscardOnRefusal));
  CHECK(merged->policy->os.workspaces[0].refusal_layers == std::vector<std::string>{"proxy"});
}

TEST_CASE("modules combine with the policy: the most restrictive limit, unions elsewhere") {
  Files f("polc-os-layer-modules");
  f.write("m.sbx",
          "module team.os {\n  limits {\n    memory 1GiB\n    tasks 32\n    core_dumps on\n    cpu 4\n  }\n"
          "  namespaces ipc\n  filesystem {\n    landlock abi >= 3\n    mount hide \"/root\"\n"
          "    mount tmpfs \"/tmp\" size 32MiB\n    workspace \"/work\" discard on kill\n  }\n}\n");
  f.write(
      "p.sbx",
      "policy p version 1 {\n  targets x86_64\n  import \"./m.sbx\"\n  limits {\n    memory 512MiB\n"
      "    tasks 64\n    core_dumps off\n  }\n  namespaces uts\n  filesystem {\n    read, write \"/work\", \"/tmp\"\n"
      "    mount tmpfs \"/tmp\" size 64MiB\n    workspace \"/work\" discard on failure\n  }\n}\n");
  auto c = f.compile("p.sbx");
  REQUIRE(c->policy);
  const ir::Os& os = c->policy->os;
  CHECK(limit(*c->policy, ir::LimitKind::Memory)->value == 512ull << 20);
  CHECK(limit(*c->policy, ir::LimitKind::Memory)->origin.module.empty());
  CHECK(limit(*c->policy, ir::LimitKind::Tasks)->value == 32);
  CHECK(limit(*c->policy, ir::LimitKind::Tasks)->origin.module == "team.os");
  CHECK(limit(*c->policy, ir::LimitKind::CoreDumps)->value == 0);
  CHECK(limit(*c->policy, ir::LimitKind::Cpu)->value == 4000);
  REQUIRE(os.namespaces.size() == 3);  // ipc, mount (implied), uts
  CHECK(os.namespaces[1].ns == ir::Namespace::Mount);
  CHECK(os.namespaces[1].implied);
  REQUIRE(os.mounts.size() == 2);
  CHECK(os.mounts[1].path == "/tmp");
  CHECK(os.mounts[1].size == 32ull << 20);
  REQUIRE(os.workspaces.size() == 1);
  CHECK(os.workspaces[0].discard_on == (ir::kDiscardOnKill | ir::kDiscardOnFailure));

  // A module's memory below the policy's memory_swap... and above: compared after combining.
  f.write("n.sbx", "module team.small {\n  limits {\n    memory 4GiB\n  }\n}\n");
  f.write("q.sbx",
          "policy q version 1 {\n  targets x86_64\n  import \"./n.sbx\"\n  limits {\n    memory_swap 2GiB\n  }\n}\n");
  CHECK(f.compile("q.sbx")->has(Code::SwapBelowMemory));

  // Conflicting mount kinds across files are an error too.
  f.write("r.sbx", "module team.r {\n  filesystem {\n    landlock abi >= 3\n    mount readonly \"/srv\"\n  }\n}\n");
  f.write("s.sbx",
          "policy s version 1 {\n  targets x86_64\n  import \"./r.sbx\"\n  filesystem {\n    read \"/srv\"\n"
          "    mount hide \"/srv\"\n  }\n}\n");
  CHECK(f.compile("s.sbx")->has(Code::ConflictingMounts));
}

TEST_CASE("polc fmt prints the OS layer canonically and idempotently") {
  const std::string src =
      "policy p version 1 { targets x86_64\nlimits{\nmemory 512MiB\n   cpu 1.5 # cores\n core_dumps off}"
      " namespaces pid,mount\n filesystem { landlock abi >= 3 mount hide \"/a\",\"/b\" mount tmpfs \"/tmp\"   size 64MiB"
      " mount minimal_dev workspace \"/w\" discard on kill,refusal( seccomp,landlock ) } }";
  const std::string want =
      "policy p version 1 {\n  targets x86_64\n  limits {\n    memory 512MiB\n    cpu 1.5  # cores\n"
      "    core_dumps off\n  }\n  namespaces pid, mount\n  filesystem {\n    landlock abi >= 3\n"
      "    mount hide \"/a\", \"/b\"\n    mount tmpfs \"/tmp\" size 64MiB\n    mount minimal_dev\n"
      "    workspace \"/w\" discard on kill, refusal(seccomp, landlock)\n  }\n}\n";
  const std::string out = format_text(src);
  CHECK(out == want);
  CHECK(format_text(out) == out);
}

TEST_CASE("the OS layer's values print as a policy writes them") {
  CHECK(ir::size_text(512ull << 20) == "512MiB");
  CHECK(ir::size_text(1536ull << 20) == "1536MiB");
  CHECK(ir::size_text(3) == "3B");
  CHECK(ir::size_text(1ull << 40) == "1TiB");
  CHECK(ir::duration_text(300'000) == "5m");
  CHECK(ir::duration_text(1500) == "1500ms");
  CHECK(ir::duration_text(7'200'000) == "2h");
  CHECK(ir::cores_text(1500) == "1.5");
  CHECK(ir::cores_text(10) == "0.01");
  CHECK(ir::cores_text(2000) == "2");
  CHECK(ir::cores_text(1250) == "1.25");
  CHECK(ir::limit_value_text(ir::LimitKind::CoreDumps, 0) == "off");
}

TEST_CASE("the IR's JSON has an os object only when the policy has an OS layer") {
  auto none = compile(policy_with("  syscalls {\n    allow read\n  }"));
  REQUIRE(none->policy);
  CHECK(nlohmann::json::parse(ir::to_json(*none->policy)).count("os") == 0);

  auto c = compile(policy_with("  limits {\n    memory 1GiB\n  }\n  namespaces pid"));
  REQUIRE(c->policy);
  const auto j = nlohmann::json::parse(ir::to_json(*c->policy));
  REQUIRE(j.count("os") == 1);
  CHECK(j["os"]["limits"][0]["value"] == "1GiB");
  CHECK(j["os"]["limits"][0]["raw"] == 1ull << 30);
  CHECK(j["os"]["namespaces"][0]["name"] == "mount");
  CHECK(j["os"]["namespaces"][0]["implied"] == true);
  CHECK(j["os"]["namespaces"][1]["name"] == "pid");
}

TEST_CASE("polc diff: raising or removing a limit, dropping a namespace or a mount widen") {
  auto old_c = compile(policy_with("  limits {\n    memory 1GiB\n    tasks 64\n  }\n  namespaces pid, ipc\n" +
                                   fs_section("    mount hide \"/root\"\n    mount tmpfs \"/tmp\" size 64MiB\n"
                                              "    workspace \"/work\" discard on kill, failure, refusal")));
  auto new_c =
      compile(policy_with("  limits {\n    memory 2GiB\n    tasks 32\n    core_dumps on\n  }\n  namespaces pid\n" +
                          fs_section("    mount readonly \"/usr\"\n    mount tmpfs \"/tmp\"\n"
                                     "    workspace \"/work\" discard on kill, refusal(seccomp)")));
  REQUIRE(old_c->policy);
  REQUIRE(new_c->policy);
  const auto entries = verify::diff_os(*old_c->policy, *new_c->policy);
  std::map<std::string, bool> widened;
  for (const auto& e : entries) {
    CHECK(e.dimension == verify::DiffEntry::Dimension::Os);
    widened[e.region] = e.widened;
  }
  CHECK(widened.at("limit memory") == true);
  CHECK(widened.at("limit tasks") == false);
  CHECK(widened.at("limit core_dumps") == true);
  CHECK(widened.at("ipc namespace") == true);
  CHECK(widened.at("mount hide \"/root\"") == true);
  CHECK(widened.at("mount readonly \"/usr\"") == false);
  CHECK(widened.at("mount tmpfs \"/tmp\" size") == true);
  CHECK(widened.count("workspace \"/work\": no longer discarded on failure, refusal(landlock), refusal(nftables), "
                      "refusal(proxy)") == 1);
  CHECK(entries.size() == 8);
  // The reverse narrows everything it widened, and the same policy differs in nothing.
  for (const auto& e : verify::diff_os(*new_c->policy, *old_c->policy))
    CHECK_MESSAGE(e.widened == (e.region == "limit tasks" || e.region == "mount readonly \"/usr\""), e.region);
  CHECK(verify::diff_os(*old_c->policy, *old_c->policy).empty());
}
