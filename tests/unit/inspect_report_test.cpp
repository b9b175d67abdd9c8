// Unit tests of `polc inspect`'s review report (compiler/report/inspect_report.h): what it shows of
// a real bundle's grants, denies, coverage, verdicts, signers, rebuild check and files, and that
// the text, Markdown and JSON reports state the same facts.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compiler/bundle/sha256.h"
#include "compiler/driver/build_bundle.h"
#include "compiler/report/inspect_model.h"
#include "compiler/report/inspect_report.h"
#include "compiler/sema/analyze.h"

using namespace polc;
using nlohmann::json;

namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(POLC_SOURCE_DIR) + "/examples/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A policy built into a bundle, and the bundle as `polc inspect` reads it back (by hand here: the
// manifest parsed, every listed file with its bytes).
struct Inspected {
  diag::SourceManager sources;
  diag::Engine engine{sources};
  std::optional<ir::Policy> policy;
  bundle::BundleContents contents;
  report::RebuildCheck rebuild{true, {}};
  std::optional<bundle::TrustReport> trust;

  report::InspectInput input() const { return {*policy, sources, contents, trust ? &*trust : nullptr, rebuild}; }
  std::string text() const { return report::inspect_text(input()); }
  std::string markdown() const { return report::inspect_markdown(input()); }
  json doc() const { return json::parse(report::inspect_json(input())); }
};

void read_back(const driver::Artifacts& files, bundle::BundleContents& out) {
  const auto& manifest = files.at(bundle::kManifestFile);
  out.dir = "dist/bundle";
  out.manifest_bytes.assign(manifest.begin(), manifest.end());
  out.manifest_sha256 = bundle::sha256_hex(manifest);
  bundle::Problems problems;
  out.manifest = bundle::from_json(out.manifest_bytes, problems);
  REQUIRE(problems.empty());
  for (const auto& f : out.manifest.artifacts) {
    const auto& bytes = files.at(f.path);
    out.files.push_back({f.path, f.sha256, f.size, std::string(bytes.begin(), bytes.end()), false});
  }
  for (const auto& f : out.manifest.sources) {
    const auto& bytes = files.at(f.path);
    out.files.push_back({f.path, f.sha256, f.size, std::string(bytes.begin(), bytes.end()), true});
  }
}

std::unique_ptr<Inspected> inspect(const std::string& file_name, const std::string& text) {
  // Named by its place in the bundle, as `polc inspect` names the sources it rebuilds from.
  const std::string path = "sources/" + file_name;
  auto r = std::make_unique<Inspected>();
  const auto fid = r->sources.add(path, text);
  r->policy = sema::analyze(r->engine, fid, path, {});
  REQUIRE(r->policy);
  driver::BuildInputs inputs;
  bundle::SourceFile source;
  source.path = path;
  source.role = "policy";
  source.text = text;
  inputs.sources.push_back(source);
  auto built = driver::build_bundle(*r->policy, inputs, r->engine);
  REQUIRE(built);
  read_back(built->files, r->contents);
  return r;
}

std::unique_ptr<Inspected> python_agent() { return inspect("python_agent.sbx", read_example("python_agent.sbx")); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// One entry of the text report: the line containing `from` and the lines after it that are
// indented deeper than it.
std::string block(const std::string& text, const std::string& from) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  const size_t start = text.rfind('\n', at) + 1;
  const size_t indent = text.find_first_not_of(' ', start) - start;
  size_t end = text.find('\n', start);
  while (end != std::string::npos && end + 1 < text.size()) {
    const size_t next_indent = text.find_first_not_of(' ', end + 1) - (end + 1);
    if (next_indent <= indent) break;
    end = text.find('\n', end + 1);
  }
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

const json* find_statement(const json& list, const std::string& statement) {
  for (const json& s : list)
    if (s["statement"] == statement) return &s;
  return nullptr;
}

const json* find_path(const json& list, const std::string& path) {
  for (const json& e : list)
    if (e["path"] == path) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("inspect: syscalls are listed under the statement that allows them, with its condition as written") {
  const auto r = python_agent();
  const std::string text = r->text();
  // A statement over several lines shows its first line.
  const std::string socket_statement = "allow socket(domain in {AF_INET, AF_INET6} && ...";
  const std::string socket = block(text, "  " + socket_statement);
  CHECK(contains(socket, "at sources/python_agent.sbx:"));
  CHECK(
      contains(socket,
               "when socket(domain in {AF_INET, AF_INET6} && (type & 0xf == SOCK_DGRAM || type & 0xf == SOCK_STREAM && "
               "protocol in {0, IPPROTO_TCP})): socket"));
  // A module's statement names its module and lists what its group brings.
  const std::string file_io = block(text, "  allow @file_io");
  CHECK(contains(file_io, "[std.lang.python]"));
  CHECK(contains(file_io, "@file_io: "));
  CHECK(contains(file_io, "openat"));
  CHECK(contains(text, "default: errno(1)  (sources/python_agent.sbx:"));

  const json doc = r->doc();
  const json* s = find_statement(doc["syscalls"]["allowed"], socket_statement);
  REQUIRE(s != nullptr);
  CHECK((*s)["action"] == "allow");
  CHECK((*s)["module"] == "");
  CHECK((*s)["targets"][0]["conditional"] == true);
  CHECK((*s)["targets"][0]["syscalls"] == json::array({"socket"}));
  const json* io = find_statement(doc["syscalls"]["allowed"], "allow @file_io");
  REQUIRE(io != nullptr);
  CHECK((*io)["module"] == "std.lang.python");
  CHECK(doc["syscalls"]["default"]["action"] == "errno(1)");
  CHECK(doc["syscalls"]["default"]["source"]["statement"] == "default errno(EPERM)");
}

TEST_CASE("inspect: explicit syscall denies carry their action") {
  const auto r = python_agent();
  const std::string denied = block(r->text(), "  deny socket(domain == AF_UNIX) errno(EPERM)");
  CHECK(contains(denied, "-> errno(1)"));
  CHECK(contains(denied, "when socket(domain == AF_UNIX): socket"));
  const json doc = r->doc();
  const json* s = find_statement(doc["syscalls"]["denied"], "deny socket(domain == AF_UNIX) errno(EPERM)");
  REQUIRE(s != nullptr);
  CHECK((*s)["action"] == "errno(1)");
  // std.hardening's kill list is a deny, labelled with its module.
  bool ptrace_killed = false;
  for (const json& st : doc["syscalls"]["denied"])
    for (const json& t : st["targets"])
      for (const json& name : t["syscalls"])
        if (name == "ptrace" && st["action"] == "kill_process" && st["module"] == "std.hardening") ptrace_killed = true;
  CHECK(ptrace_killed);
  CHECK(doc["syscalls"]["supervised"].empty());
}

TEST_CASE("inspect: supervised actions are kept apart from grants and denies") {
  const auto r = inspect("t.sbx", R"(policy t version 3 {
  targets x86_64, aarch64
  syscalls {
    allow read, write
    log openat
    user_notif mount
    allow fork?
  }
}
)");
  const json doc = r->doc();
  REQUIRE(doc["syscalls"]["supervised"].size() == 2);
  CHECK(doc["syscalls"]["supervised"][0]["action"] == "log");
  CHECK(doc["syscalls"]["supervised"][1]["action"] == "user_notif");
  // fork exists on x86_64 alone: listed for that arch only.
  const json* fork = find_statement(doc["syscalls"]["allowed"], "allow fork?");
  REQUIRE(fork != nullptr);
  CHECK((*fork)["targets"][0]["syscalls"].empty());
  CHECK((*fork)["targets"][0]["only_on"]["x86_64"] == json::array({"fork"}));
  const std::string text = r->text();
  CHECK(contains(text, "Syscalls that run under supervision"));
  CHECK(contains(block(text, "  user_notif mount"), "-> user_notif"));
  CHECK(contains(block(text, "  allow fork?"), "on x86_64 only: fork"));
  CHECK(contains(text, "default: kill_process (implicit: the policy writes no `default`)"));
  // No filesystem or network section: said, not left out.
  CHECK(contains(text, "no filesystem section"));
  CHECK(contains(text, "no network section: every connection and bind is allowed"));
  CHECK(doc["filesystem"]["present"] == false);
}

TEST_CASE("inspect: paths with their rights by name, and network endpoints, domains, proxy and denies") {
  const auto r = python_agent();
  const std::string text = r->text();
  const std::string workspace = block(text, "  /workspace  (");
  CHECK(contains(workspace, "write_file"));
  CHECK(contains(workspace, "read_file"));
  CHECK_FALSE(contains(workspace, "execute"));
  CHECK(contains(text, "connect tcp 8080 to 127.0.0.1"));
  CHECK(contains(text, "connect tcp 443 to pypi.org, files.pythonhosted.org"));
  CHECK(contains(text, "proxy endpoint: 10.200.0.1:3128"));
  // The policy's own `deny to @cloud_metadata`, and polc's implicit one, labelled as such.
  const std::string denies = text.substr(text.find("Network denies"));
  CHECK(contains(block(denies, "deny any traffic to 169.254.169.254"), "at sources/python_agent.sbx:103"));
  const std::string after = denies.substr(denies.find("at sources/python_agent.sbx:104"));
  CHECK(contains(block(after, "deny any traffic to 169.254.169.254"), "implicit: added by polc (cloud metadata)"));
  CHECK(contains(text, "deny connect tcp 25, 465, 587 to any host"));

  const json doc = r->doc();
  const json* ws = find_path(doc["filesystem"]["granted"], "/workspace");
  REQUIRE(ws != nullptr);
  CHECK(std::find((*ws)["rights"].begin(), (*ws)["rights"].end(), "write_file") != (*ws)["rights"].end());
  CHECK((*ws)["sources"][0]["statement"] == "read, write \"/workspace\", \"/tmp\"");
  CHECK(doc["filesystem"]["landlock_abi"] == 3);
  bool implicit = false, explicit_metadata = false;
  for (const json& d : doc["network"]["denied"]) {
    implicit = implicit || (d["implicit"] == true && d["source"]["statement"] == "");
    explicit_metadata = explicit_metadata || d["source"]["statement"] == "deny to @cloud_metadata";
  }
  CHECK(implicit);
  CHECK(explicit_metadata);
  CHECK(doc["network"]["proxy"]["endpoint"] == "10.200.0.1:3128");
  bool pypi = false;
  for (const json& a : doc["network"]["allowed"])
    pypi = pypi ||
           (a["domains"] == json::array({"pypi.org", "files.pythonhosted.org"}) && a["ports"] == json::array({"443"}));
  CHECK(pypi);

  const std::string markdown = r->markdown();
  CHECK(contains(markdown, "| `/workspace` |"));
  CHECK(contains(markdown, "| **implicit: added by polc (cloud metadata)** |"));
  CHECK(contains(markdown, "Proxy endpoint: `10.200.0.1:3128`"));
}

TEST_CASE("inspect: coverage and verification come from the manifest") {
  const auto r = python_agent();
  const std::string text = r->text();
  const std::string coverage = text.substr(text.find("Coverage: the artifacts"));
  CHECK(contains(block(coverage, "\"/workspace\", \"/tmp\""), "landlock.json"));
  CHECK(contains(block(coverage, "default errno(EPERM)"), "seccomp.x86_64.bpf"));
  CHECK(contains(block(coverage, "(added by polc)"), "nftables.nft"));
  CHECK(contains(text, "proved  sources/python_agent.sbx:"));
  CHECK(contains(text, "assert never ptrace"));
  CHECK(contains(block(text, "    seccomp.x86_64.bpf "), "equivalent"));
  CHECK(contains(text, "solver: z3"));

  const json doc = r->doc();
  CHECK(doc["verification"] == json::parse(r->contents.manifest_bytes)["verification"]);
  CHECK(doc["coverage"].size() == r->contents.manifest.coverage.size());
  CHECK(contains(r->markdown(), "| `assert never ptrace` |"));
}

TEST_CASE("inspect: the header states expiry, digest, targets and the rebuild check") {
  auto r = python_agent();
  std::string text = r->text();
  CHECK(text.rfind("polc inspect: python_agent version 1\n", 0) == 0);
  CHECK(contains(text, "never expires"));
  CHECK(contains(text, "sha256 " + r->contents.manifest_sha256));
  CHECK(contains(text, "x86_64, aarch64"));
  CHECK(contains(text, "artifacts are byte-identical to a rebuild from the bundled sources"));
  CHECK(r->doc()["rebuild"]["status"] == "identical");
  CHECK(r->doc()["expires"].is_null());

  r->contents.manifest.expires = "2027-01-31T00:00:00Z";
  r->rebuild.mismatched = {"seccomp.x86_64.bpf", "landlock.json"};
  text = r->text();
  CHECK(contains(text, "expires 2027-01-31T00:00:00Z"));
  CHECK(contains(text, "MISMATCH: differs from a rebuild from the bundled sources: landlock.json, seccomp.x86_64.bpf"));
  const json doc = r->doc();
  CHECK(doc["rebuild"]["status"] == "differs");
  CHECK(doc["rebuild"]["mismatched"] == json::array({"landlock.json", "seccomp.x86_64.bpf"}));
  CHECK(doc["expires"] == "2027-01-31T00:00:00Z");
  CHECK(contains(r->markdown(), "⚠ MISMATCH"));

  r->rebuild = {false, {}};
  CHECK(contains(r->text(), "built by another polc version: not compared"));
  CHECK(r->doc()["rebuild"]["status"] == "not_compared");
}

TEST_CASE("inspect: signers against a trust file, or an explicit statement that none was given") {
  auto r = python_agent();
  CHECK(contains(r->text(), "signatures were not checked against a trust file (0 signatures in signatures.json"));
  CHECK(r->doc()["signers"]["checked"] == false);
  CHECK(contains(r->markdown(), "**not checked**"));

  bundle::TrustReport t;
  t.trust_file = "trust.json";
  t.threshold = 2;
  t.valid_signers = 1;
  t.signers = {{std::string(64, 'a'), "alice", bundle::SignerStatus::State::Signed},
               {std::string(64, 'b'), "bob", bundle::SignerStatus::State::Missing}};
  t.unknown_signers = {std::string(64, 'c')};
  t.min_version = 1;
  t.problems.push_back(
      {bundle::ProblemKind::TooFewSigners, "trust.json", "1 of 2 required trusted keys signed", "", {}});
  r->trust = t;

  const std::string signers = r->text().substr(r->text().find("\nSigners\n"));
  CHECK(contains(signers, "threshold: 2 distinct trusted signers; valid: 1"));
  CHECK(contains(signers, "alice  aaaaaaaaaaaa  signed"));
  CHECK(contains(signers, "bob    bbbbbbbbbbbb  NOT SIGNED: missing"));
  CHECK(contains(signers, "unknown signers: cccccccccccc"));
  CHECK(contains(signers, "minimum version 1 for python_agent (this bundle: 1)"));
  CHECK(contains(signers, "verdict: REJECTED"));
  CHECK(contains(signers, "- trust.json: 1 of 2 required trusted keys signed"));

  const json doc = r->doc();
  CHECK(doc["signers"]["threshold"] == 2);
  CHECK(doc["signers"]["signers"][1] == json{{"key_id", std::string(64, 'b')}, {"name", "bob"}, {"state", "missing"}});
  CHECK(doc["signers"]["accepted"] == false);
  const std::string markdown = r->markdown();
  CHECK(contains(markdown, "| bob | `bbbbbbbbbbbb` | ⚠ **missing** |"));
  CHECK(contains(markdown, "⚠ **rejected**"));
}

TEST_CASE("inspect: every file with its size and digest; the reports are deterministic") {
  const auto r = python_agent();
  const std::string text = r->text();
  const json doc = r->doc();
  size_t sources = 0;
  for (const bundle::BundleFile& f : r->contents.files) {
    CHECK(contains(text, f.path));
    CHECK(contains(text, f.sha256.substr(0, 12)));
    const json* row = find_path(doc["files"], f.path);
    REQUIRE(row != nullptr);
    CHECK((*row)["sha256"] == f.sha256);
    CHECK((*row)["size"] == f.size);
    sources += f.source;
  }
  CHECK(sources == 1);
  CHECK(contains(text, "source (policy)"));
  CHECK(text == python_agent()->text());
  CHECK(r->markdown() == python_agent()->markdown());
  CHECK(report::inspect_json(r->input()) == report::inspect_json(python_agent()->input()));
}

TEST_CASE("inspect: statements read as the coverage map shows them") {
  const auto r = python_agent();
  const report::inspect::Model m = report::inspect::build_model(r->input());
  auto in_coverage = [&](const report::inspect::StatementRef& ref) {
    for (const auto& row : m.coverage)
      if (row.source.at == ref.at && row.source.statement == ref.statement && row.source.module == ref.module)
        return true;
    return false;
  };
  for (const auto* list : {&m.syscalls.allowed, &m.syscalls.denied})
    for (const auto& s : *list) CHECK_MESSAGE(in_coverage(s.source), s.source.at << ": " << s.source.statement);
  for (const auto& e : m.filesystem.granted)
    for (const auto& src : e.sources) CHECK_MESSAGE(in_coverage(src), src.at << ": " << src.statement);
  for (const auto& e : m.network.allowed)
    CHECK_MESSAGE(in_coverage(e.source), e.source.at << ": " << e.source.statement);
}

TEST_CASE("inspect: a failed verdict is flagged in the header and shown with its counterexample") {
  auto r = python_agent();
  bundle::ManifestAssertion& assertion = r->contents.manifest.verification->assertions[0];
  assertion.result = "failed";
  assertion.counterexample = "ptrace on x86_64";
  r->contents.manifest.verification->tests_failed = 2;
  const std::string text = r->text();
  CHECK(contains(text, "verification  FAILED: 17 of 18 assertions proved; 48 expectations passed, 2 failed"));
  CHECK(contains(text, "failed  sources/python_agent.sbx:108  assert never ptrace"));
  CHECK(contains(text, "counterexample to sources/python_agent.sbx:108: ptrace on x86_64"));
  CHECK(contains(r->markdown(),
                 "| `assert never ptrace` | sources/python\\_agent.sbx:108 | ⚠ **failed** | ptrace on x86\\_64 |"));
  CHECK(r->doc()["verification"]["assertions"][0]["counterexample"] == "ptrace on x86_64");
}

TEST_CASE("inspect: an accepted trust decision, and no machine path from the bundle's location") {
  auto r = python_agent();
  r->contents.dir = "/home/reviewer/dist/python_agent";
  r->contents.real_dir = "/home/reviewer/dist/python_agent";
  bundle::TrustReport t;
  t.trust_file = "team.trust.json";
  t.threshold = 1;
  t.valid_signers = 1;
  t.signers = {{std::string(64, 'a'), "alice", bundle::SignerStatus::State::Signed},
               {std::string(64, 'd'), "", bundle::SignerStatus::State::Invalid}};
  r->trust = t;
  const std::string text = r->text();
  CHECK(contains(text, "signatures    accepted: 1 of 1 required trusted signers (team.trust.json)"));
  CHECK(contains(text, "(unnamed)  dddddddddddd  NOT SIGNED: invalid"));
  CHECK(contains(text, "no minimum version for python_agent"));
  CHECK(contains(text, "verdict: accepted"));
  for (const std::string& report : {text, r->markdown(), report::inspect_json(r->input())})
    CHECK_FALSE(contains(report, "/home/reviewer"));
}
