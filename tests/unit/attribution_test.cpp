// Unit tests of attribution.json (compiler/bundle/attribution_schema.h, attribution.h) and of the
// launcher's lookup (launcher/telemetry/attribution.h): the golden files read back to the same
// bytes, strict reading refuses every malformed field, and refusals reported the way the kernel
// and the proxy report them are attributed, on bundles built in-process from real policies, to the
// statement the policy's semantics say decided them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compiler/bundle/attribution_schema.h"
#include "compiler/driver/build_bundle.h"
#include "compiler/driver/bundle_sources.h"
#include "compiler/driver/session.h"
#include "compiler/ir/evaluate.h"
#include "launcher/telemetry/attribution.h"
#include "tests/unit/bundle_test_support.h"

namespace polc {
namespace {

using nlohmann::json;
using telemetry::Event;
using telemetry::Layer;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A policy built by the driver as `polc build` builds it (sources placed under sources/, every
// backend selected, the proofs run), with what sbx-exec would read back from the bundle.
struct BuiltBundle {
  std::optional<ir::Policy> policy;
  std::string attribution_json;
  bundle::Attribution attribution;
  bundle::Manifest manifest;
  std::optional<telemetry::Attributor> attributor;
};

std::unique_ptr<BuiltBundle> build(const std::string& name, const std::string& text) {
  auto out = std::make_unique<BuiltBundle>();
  test::bundles::TempDir dir;
  const std::string path = dir.path() + "/" + name + ".sbx";
  test::bundles::write_file(path, text);
  diag::SourceManager sources;
  diag::Engine engine(sources);
  std::vector<sema::LoadedSource> loaded;
  out->policy = driver::analyze_file(engine, path, driver::CommonOptions{}, &loaded);
  REQUIRE_MESSAGE(out->policy, "the policy does not compile");
  driver::BuildInputs inputs;
  REQUIRE(!driver::place_sources(loaded, path, inputs.sources));
  auto built = driver::build_bundle(*out->policy, inputs, engine);
  REQUIRE_MESSAGE((built && !engine.has_errors()), "the policy does not build");
  const auto& files = built->files;
  REQUIRE(files.count(bundle::kAttributionFile) == 1);
  out->attribution_json =
      std::string(files.at(bundle::kAttributionFile).begin(), files.at(bundle::kAttributionFile).end());
  const auto& manifest_bytes = files.at(bundle::kManifestFile);
  bundle::Problems problems;
  out->manifest = bundle::from_json(std::string(manifest_bytes.begin(), manifest_bytes.end()), problems);
  out->attribution = bundle::attribution_from_json(out->attribution_json, problems);
  REQUIRE_MESSAGE(problems.empty(), test::bundles::dump(problems));
  // Listed in the manifest like every artifact: digested, so signed.
  const bool listed = std::any_of(out->manifest.artifacts.begin(), out->manifest.artifacts.end(),
                                  [](const auto& a) { return a.path == bundle::kAttributionFile; });
  CHECK(listed);
  out->attributor.emplace(out->attribution, out->manifest.coverage);
  return out;
}

// The line of the first statement containing `needle` in `text`, as a bundle location.
std::string at_line(const std::string& file, const std::string& text, const std::string& needle) {
  const size_t pos = text.find(needle);
  REQUIRE_MESSAGE(pos != std::string::npos, needle);
  return "sources/" + file + ":" + std::to_string(1 + std::count(text.begin(), text.begin() + pos, '\n'));
}

Event seccomp_event(const std::string& decision, int64_t nr, std::optional<std::vector<uint64_t>> args = {}) {
  Event e;
  e.layer = Layer::Seccomp;
  e.decision = decision;
  e.request.arch = "x86_64";
  e.request.nr = nr;
  e.request.args = std::move(args);
  return e;
}

constexpr int64_t kSocket = 41, kPtrace = 101, kRead = 0, kOpenat = 257, kMount = 165;

const char* const kMainText = R"(policy attr version 3 {
  targets x86_64
  import std.hardening
  syscalls {
    default errno(EPERM)
    allow read, write, close, exit_group, brk, mmap, munmap
    allow socket(domain in {AF_INET, AF_INET6})
    deny socket(domain == AF_UNIX) errno(EACCES)
    deny socket(domain == AF_PACKET) errno(EACCES)
    trap openat(flags & O_CREAT != 0)
  }
  filesystem {
    landlock abi >= 3
    landlock scope signal
    landlock best_effort scope
    read "/usr", "/etc"
    deny read "/root"
  }
  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org"
    connect tcp 8080 to 127.0.0.1
    deny connect tcp 443 to "upload.pythonhosted.org"
    deny connect tcp 25
    deny to 10.9.0.0/16
  }
}
)";

const BuiltBundle& main_bundle() {
  static const std::unique_ptr<BuiltBundle> b = build("attr", kMainText);
  return *b;
}

std::string main_at(const std::string& needle) { return at_line("attr.sbx", kMainText, needle); }

}  // namespace

TEST_CASE("attribution: every golden attribution.json reads back to the same bytes") {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/tests/golden/build")) {
    const std::string name = entry.path().filename().string();
    if (name.find(".attribution.json.expected") == std::string::npos) continue;
    ++files;
    const std::string bytes = slurp(entry.path());
    bundle::Problems problems;
    const bundle::Attribution a = bundle::attribution_from_json(bytes, problems);
    CHECK_MESSAGE(problems.empty(), name << test::bundles::dump(problems));
    CHECK_MESSAGE(bundle::to_json(a) == bytes, name);
  }
  CHECK(files >= 10);
}

TEST_CASE("attribution: strict reading refuses every malformed field with a message naming it") {
  const std::string good = main_bundle().attribution_json;
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"another format", [](json& d) { d["format"] = "polc.attribution/2"; }, "\"format\""},
      {"no format", [](json& d) { d.erase("format"); }, "\"format\""},
      {"an unknown top-level key", [](json& d) { d["apparmor"] = json::object(); }, "unknown key \"apparmor\""},
      {"policy.version a string", [](json& d) { d["policy"]["version"] = "3"; }, "policy.version"},
      {"policy.name missing", [](json& d) { d["policy"].erase("name"); }, "policy has no \"name\""},
      {"seccomp default without decision", [](json& d) { d["seccomp"]["default"].erase("decision"); },
       "seccomp.default has no \"decision\""},
      {"a rule's nr a string", [](json& d) { d["seccomp"]["arches"][0]["rules"][0]["nr"] = "41"; },
       "seccomp.arches[0].rules[0].nr"},
      {"a rule's nr negative", [](json& d) { d["seccomp"]["arches"][0]["rules"][0]["nr"] = -1; },
       "seccomp.arches[0].rules[0].nr"},
      {"an unknown key in a rule", [](json& d) { d["seccomp"]["arches"][0]["rules"][0]["args"] = 1; },
       "unknown key \"args\""},
      {"an unknown comparison",
       [](json& d) {
         for (json& r : d["seccomp"]["arches"][0]["rules"])
           if (!r["when"][0].empty()) r["when"][0][0]["op"] = "between";
       },
       "is not a comparison"},
      {"a comparison on argument 6",
       [](json& d) {
         for (json& r : d["seccomp"]["arches"][0]["rules"])
           if (!r["when"][0].empty()) r["when"][0][0]["arg"] = 6;
       },
       ".arg"},
      {"a width of 8",
       [](json& d) {
         for (json& r : d["seccomp"]["arches"][0]["rules"])
           if (!r["when"][0].empty()) r["when"][0][0]["width"] = 8;
       },
       "16, 32 or 64"},
      {"a masked comparison without its mask",
       [](json& d) {
         for (json& r : d["seccomp"]["arches"][0]["rules"])
           for (json& c : r["when"])
             for (json& cmp : c)
               if (cmp.contains("mask")) cmp.erase("mask");
       },
       "no \"mask\""},
      {"always_decided not an array", [](json& d) { d["seccomp"]["arches"][0]["always_decided"] = 1; },
       "always_decided is not an array"},
      {"landlock rights not strings", [](json& d) { d["landlock"]["denies"][0]["rights"] = {1}; },
       "landlock.denies[0].rights[0]"},
      {"a port range reversed",
       [](json& d) {
         d["landlock"]["tcp_denies"][0]["ports"] = {{30, 20}};
       },
       "port range"},
      {"port 0",
       [](json& d) {
         d["landlock"]["tcp_denies"][0]["ports"] = {{0, 20}};
       },
       "port range"},
      {"a direction misspelt", [](json& d) { d["landlock"]["tcp_denies"][0]["direction"] = "out"; }, ".direction"},
      {"nflog group a string", [](json& d) { d["nftables"]["nflog_group"] = "27"; }, "nftables.nflog_group"},
      {"implicit not a boolean", [](json& d) { d["nftables"]["denies"][0]["implicit"] = 0; }, "true or false"},
      {"proxy rule without at", [](json& d) { d["proxy"]["denies"][0].erase("at"); }, "has no \"at\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    json doc = json::parse(good);
    c.edit(doc);
    bundle::Problems problems;
    bundle::attribution_from_json(doc.dump(), problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].file == bundle::kAttributionFile);
    CHECK_MESSAGE(problems[0].message.find(c.needle) != std::string::npos, problems[0].message);
  }
  for (const char* bytes : {"", "[]", "{\"format\":", "{\"format\":\"polc.attribution/1\",\"format\":\"x\"}"}) {
    bundle::Problems problems;
    bundle::attribution_from_json(bytes, problems);
    CHECK_MESSAGE(problems.size() == 1, bytes);
  }
}

TEST_CASE("attribution: the sections follow the selected backends, with the nflog convention") {
  const bundle::Attribution& a = main_bundle().attribution;
  REQUIRE(a.seccomp);
  REQUIRE(a.landlock);
  REQUIRE(a.nftables);
  REQUIRE(a.proxy);
  CHECK(a.policy_name == "attr");
  CHECK(a.policy_version == 3);
  CHECK(a.seccomp->default_decision == "errno(EPERM)");
  CHECK(a.seccomp->default_data == 1);
  CHECK(a.seccomp->default_at == main_at("default errno(EPERM)"));
  CHECK(a.nftables->nflog_group == 27);
  CHECK(a.nftables->default_prefix == "polc default ");
  // Deny rules by their index among all network rules: the three written ones, then the implicit.
  REQUIRE(a.nftables->denies.size() == 4);
  CHECK(a.nftables->denies[0].prefix == "polc 0 ");
  CHECK(a.nftables->denies[3].prefix == "polc 3 ");
  CHECK(a.nftables->denies[3].implicit);
  CHECK(a.landlock->handled.size() == 15);
  CHECK(a.landlock->scopes == std::vector<std::string>{"signal"});
  CHECK(bundle::to_json(a) == main_bundle().attribution_json);
}

TEST_CASE("attribution: seccomp refusals with their arguments name exactly the rule that decided") {
  const BuiltBundle& b = main_bundle();
  // AF_UNIX (1): the first errno(EACCES) rule, not its twin for AF_PACKET.
  Event e = seccomp_event("errno", kSocket, std::vector<uint64_t>{1, 1, 0});
  b.attributor->attribute(e);
  CHECK(e.rule.known);
  CHECK(!e.rule.is_default);
  CHECK(e.rule.at == main_at("deny socket(domain == AF_UNIX)"));
  CHECK(e.rule.text == "deny socket(domain == AF_UNIX) errno(EACCES)");
  CHECK(e.rule.candidates.empty());
  CHECK(e.decision == "errno(EACCES)");
  // AF_NETLINK (16): no rule matches, the default decided.
  e = seccomp_event("errno", kSocket, std::vector<uint64_t>{16, 3, 0});
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at == main_at("default errno(EPERM)"));
  CHECK(e.rule.text == "default errno(EPERM)");
  CHECK(e.decision == "errno(EPERM)");
  // The register's upper half is not compared for a 32-bit argument: AF_UNIX with garbage above.
  e = seccomp_event("errno", kSocket, std::vector<uint64_t>{0xdead000000000001ull, 1, 0});
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("deny socket(domain == AF_UNIX)"));
  // A masked comparison: openat with O_CREAT traps.
  e = seccomp_event("trap", kOpenat, std::vector<uint64_t>{0, 0, 0100, 0});
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("trap openat"));
  CHECK(e.decision == "trap");
}

TEST_CASE("attribution: without arguments, every statement that could have decided is a candidate") {
  const BuiltBundle& b = main_bundle();
  // errno on socket: both errno(EACCES) rules and the default (errno(EPERM)) could have; they
  // disagree on the errno, so the decision stays as recorded.
  Event e = seccomp_event("errno", kSocket);
  b.attributor->attribute(e);
  CHECK(e.rule.known);
  CHECK(!e.rule.is_default);
  CHECK(e.rule.at == main_at("deny socket(domain == AF_UNIX)"));
  CHECK(e.rule.candidates == std::vector<std::string>{main_at("deny socket(domain == AF_UNIX)"),
                                                      main_at("deny socket(domain == AF_PACKET)"),
                                                      main_at("default errno(EPERM)")});
  CHECK(e.decision == "errno");
  // kill_process on ptrace: std.hardening's kill, in the bundle's copy of the module.
  e = seccomp_event("kill_process", kPtrace);
  b.attributor->attribute(e);
  CHECK(e.rule.at.rfind("sources/_std/hardening.sbx:", 0) == 0);
  CHECK(e.rule.text.find("kill") == 0);
  CHECK(e.rule.candidates.empty());
  CHECK(e.decision == "kill_process");
  // kill_process on mount: std.hardening again (another statement).
  e = seccomp_event("kill_process", kMount);
  b.attributor->attribute(e);
  CHECK(e.rule.at.rfind("sources/_std/hardening.sbx:", 0) == 0);
  // errno on a syscall nothing names: the default alone.
  e = seccomp_event("errno", 999);
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at == main_at("default errno(EPERM)"));
  CHECK(e.decision == "errno(EPERM)");
  // read is allowed on every call: no statement of the policy refuses it.
  e = seccomp_event("errno", kRead);
  b.attributor->attribute(e);
  CHECK(!e.rule.known);
  // An architecture the policy does not target: every program kills it, no statement.
  e = seccomp_event("kill_process", kRead);
  e.request.arch = "aarch64";
  b.attributor->attribute(e);
  CHECK(!e.rule.known);
}

TEST_CASE("attribution: two rules with the same decision on one syscall are candidates that agree") {
  const std::string text = R"(policy twins version 1 {
  targets x86_64
  syscalls {
    default kill
    allow read, write, exit_group
    deny socket(domain == AF_UNIX) errno(EACCES)
    deny socket(domain == AF_PACKET) errno(EACCES)
  }
}
)";
  const auto b = build("twins", text);
  Event e = seccomp_event("errno", kSocket);
  b->attributor->attribute(e);
  CHECK(e.rule.candidates == std::vector<std::string>{at_line("twins.sbx", text, "deny socket(domain == AF_UNIX)"),
                                                      at_line("twins.sbx", text, "deny socket(domain == AF_PACKET)")});
  CHECK(e.decision == "errno(EACCES)");  // both say it
  // kill_process on socket: only the default kills (no rule decides every socket call).
  e = seccomp_event("kill_process", kSocket);
  b->attributor->attribute(e);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at == at_line("twins.sbx", text, "default kill"));
  CHECK(e.rule.text == "default kill");
  CHECK(e.decision == "kill_process");

  // Without a `default` statement the implicit kill_process decides, and has no location.
  const std::string implicit = "policy implicit version 1 {\n  targets x86_64\n  syscalls {\n    allow read\n  }\n}\n";
  const auto c = build("implicit", implicit);
  e = seccomp_event("kill_process", kSocket);
  c->attributor->attribute(e);
  CHECK(e.rule.known);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at.empty());
  CHECK(!c->attribution.seccomp->default_at);
}

TEST_CASE("attribution: with arguments, the lookup decides as the IR does (differential)") {
  // Overlapping rules of several decisions on one syscall: the most restrictive wins, and among
  // errnos the lowest.
  const auto overlap = build("overlap", R"(policy overlap version 1 {
  targets x86_64
  syscalls {
    default errno(ENOSYS)
    allow socket, read, exit_group
    deny socket(domain == AF_PACKET) errno(EACCES)
    deny socket(type == SOCK_RAW) errno(EPERM)
    trace(7) write(fd == 3)
    log write(count < 16)
    kill write(fd == 3 && count == 0)
  }
}
)");
  std::mt19937_64 rng(15);
  const uint64_t edges[] = {0, 1, 2, 3, 10, 16, 17, 255, 0100, 0101, 0xffffffffull, 0x100000001ull, ~0ull};
  size_t compared = 0;
  for (const BuiltBundle* b : {&main_bundle(), static_cast<const BuiltBundle*>(overlap.get())}) {
    const ir::Policy& policy = *b->policy;
    for (const ir::ArchFilter& af : policy.syscalls.arches)
      for (const ir::SyscallRule& r : af.rules) {
        for (int i = 0; i < 64; ++i) {
          std::array<uint64_t, 6> args{};
          for (uint64_t& a : args) a = (rng() % 4 != 0) ? edges[rng() % std::size(edges)] : rng();
          const ir::SyscallDecision d = ir::decide(policy, 0xC000003E, r.nr, args);
          if (d.action.kind == ir::ActionKind::Allow) continue;
          Event e = seccomp_event(std::string(ir::action_name(d.action.kind)), r.nr,
                                  std::vector<uint64_t>(args.begin(), args.end()));
          b->attributor->attribute(e);
          CHECK(e.decision == driver::decision_text(d.action));
          CHECK(e.rule.is_default == (d.reason == ir::SyscallDecision::Reason::Default));
          ++compared;
        }
      }
  }
  CHECK(compared > 100);
  // A write all three rules match: kill wins over trace and log.
  Event e = seccomp_event("kill_process", 1, std::vector<uint64_t>{3, 0, 0});
  overlap->attributor->attribute(e);
  CHECK(e.decision == "kill_process");
  CHECK(e.rule.text == "kill write(fd == 3 && count == 0)");
  // Both errnos match: EPERM (1) wins over EACCES (13).
  e = seccomp_event("errno", kSocket, std::vector<uint64_t>{17, 3, 0});
  overlap->attributor->attribute(e);
  CHECK(e.decision == "errno(EPERM)");
  CHECK(e.rule.text == "deny socket(type == SOCK_RAW) errno(EPERM)");
}

TEST_CASE("attribution: Landlock denials name the deny rule covering the path, else the abi statement") {
  const BuiltBundle& b = main_bundle();
  Event e;
  e.layer = Layer::Landlock;
  e.request.path = "/root/.ssh/id_ed25519";
  e.request.rights = {"fs.read_file"};
  b.attributor->attribute(e);
  CHECK(!e.rule.is_default);
  CHECK(e.rule.at == main_at("deny read \"/root\""));
  CHECK(e.rule.text == "deny read \"/root\"");
  CHECK(e.decision == "deny");
  // A right the deny does not name (write): nothing grants it, so the abi statement decided.
  e = Event{};
  e.layer = Layer::Landlock;
  e.request.path = "/root/.ssh/id_ed25519";
  e.request.rights = {"write_file"};
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at == main_at("landlock abi >= 3"));
  CHECK(e.rule.text == "landlock abi >= 3");
  // A path no deny covers ("/rootx" is not beneath "/root").
  e.request.path = "/rootx";
  e.request.rights = {"read_file"};
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  // A scope: the scope statement.
  e = Event{};
  e.layer = Layer::Landlock;
  e.request.scope = "signal";
  e.request.target_pid = 1;
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("landlock scope signal"));
  // TCP: port 25 is taken out by its deny; port 22 nothing allows (the network section).
  e = Event{};
  e.layer = Layer::Landlock;
  e.request.rights = {"net.connect_tcp"};
  e.request.port = 25;
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("deny connect tcp 25"));
  e.request.port = 22;
  b.attributor->attribute(e);
  CHECK(e.rule.known);
  CHECK(e.rule.is_default);
  CHECK(e.rule.at.empty());
}

TEST_CASE("attribution: an nftables log prefix names its deny rule, the implicit one, or the default") {
  const BuiltBundle& b = main_bundle();
  Event e;
  e.layer = Layer::Nftables;
  b.attributor->attribute(e, "polc 2 ");
  CHECK(e.rule.at == main_at("deny to 10.9.0.0/16"));
  CHECK(e.rule.text == "deny to 10.9.0.0/16");
  CHECK(e.decision == "drop");
  b.attributor->attribute(e, "polc 1");  // a reader that trimmed the final space
  CHECK(e.rule.at == main_at("deny connect tcp 25"));
  b.attributor->attribute(e, "polc 3 ");
  CHECK(e.rule.at == "implicit: cloud metadata endpoints");
  CHECK(e.rule.text == "implicit: cloud metadata endpoints");
  b.attributor->attribute(e, "polc default ");
  CHECK(e.rule.known);
  CHECK(e.rule.is_default);
  b.attributor->attribute(e, "polc 9 ");
  CHECK(!e.rule.known);
  b.attributor->attribute(e, "polc 12 ");  // never rule 1 by its prefix
  CHECK(!e.rule.known);
}

TEST_CASE("attribution: a refused proxy request names the deny rule, or the default when nothing allowed it") {
  const BuiltBundle& b = main_bundle();
  Event e;
  e.layer = Layer::Proxy;
  e.request.domain = "Upload.PythonHosted.org.";
  e.request.port = 443;
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("deny connect tcp 443 to \"upload.pythonhosted.org\""));
  CHECK(e.decision == "deny");
  // Port 25 anywhere: the port-only deny.
  e.request.domain = "pypi.org";
  e.request.port = 25;
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("deny connect tcp 25"));
  // A name no rule allows, and an allowed name on a port its rule does not open.
  e.request.domain = "example.com";
  e.request.port = 443;
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  e.request.domain = "pypi.org";
  e.request.port = 80;
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  // "*.pythonhosted.org" is every strict subdomain, not the name itself.
  e.request.domain = "pythonhosted.org";
  e.request.port = 443;
  b.attributor->attribute(e);
  CHECK(e.rule.is_default);
  // An allowed name the proxy resolved to a denied address.
  e.request.domain = "files.pythonhosted.org";
  e.request.address = "10.9.1.2";
  b.attributor->attribute(e);
  CHECK(e.rule.at == main_at("deny to 10.9.0.0/16"));
  // The same, the address unknown: the address denies are the candidates.
  e.request.address.reset();
  b.attributor->attribute(e);
  CHECK(!e.rule.is_default);
  CHECK(e.rule.candidates ==
        std::vector<std::string>{main_at("deny to 10.9.0.0/16"), "implicit: cloud metadata endpoints"});
}

}  // namespace polc
