// Runs `polc build`, `polc ir` and `polc eval` for one example (see polc_artifacts.h).
#include "tests/kernel/polc_artifacts.h"

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tests/kernel/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

namespace kernel_test {
namespace {

// The file named for `name` by POLC_KERNEL_TEST_FILTER_OVERRIDE, if any.
fs::path override_for(const std::string& name) {
  const char* env = std::getenv("POLC_KERNEL_TEST_FILTER_OVERRIDE");
  if (env == nullptr) return {};
  const std::string spec = env;
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {};
  const std::string who = spec.substr(0, colon);
  if (who != "*" && who != name) return {};
  return spec.substr(colon + 1);
}

std::string failed(const std::string& what, const Run& r) {
  return "`" + what + "` exited " + std::to_string(r.status) + ":\n" + r.out + r.err;
}

}  // namespace

std::vector<sock_filter> read_filter(const fs::path& file, std::string& error) {
  const std::string bytes = slurp(file);
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0 || bytes.size() / sizeof(sock_filter) > BPF_MAXINSNS) {
    error = file.string() + ": " + std::to_string(bytes.size()) + " bytes is not a sock_filter array of 1.." +
            std::to_string(BPF_MAXINSNS) + " instructions";
    return {};
  }
  // x86_64 is little-endian, like the host (the tests only run there).
  std::vector<sock_filter> prog(bytes.size() / sizeof(sock_filter));
  std::memcpy(prog.data(), bytes.data(), bytes.size());
  return prog;
}

Artifacts build_example(const fs::path& polc, const fs::path& source_dir, const std::string& name) {
  return build_policy(polc, source_dir / "examples" / (name + ".sbx"), name);
}

Artifacts build_policy(const fs::path& polc, const fs::path& source, const std::string& name) {
  Artifacts a;
  polc::test::TempDir tmp("polc-kernel");
  const fs::path out = fs::path(tmp.path()) / "out";
  const Run build = run({polc.string(), "build", source.string(), "-o", out.string()}, fs::path(tmp.path()) / "stderr");
  if (build.status != 0) {
    a.error = failed("polc build " + source.string(), build);
    return a;
  }
  a.filter_source = (out / name / "seccomp.x86_64.bpf").string();
  if (const fs::path o = override_for(name); !o.empty()) {
    std::cerr << "*** " << name << ": POLC_KERNEL_TEST_FILTER_OVERRIDE replaces the built filter "
              << "with " << o << " ***\n";
    a.filter_source = o.string();
  }
  a.filter = read_filter(a.filter_source, a.error);
  if (!a.error.empty()) return a;

  const Run ir = run({polc.string(), "ir", source.string()}, fs::path(tmp.path()) / "stderr");
  if (ir.status != 0) {
    a.error = failed("polc ir " + source.string(), ir);
    return a;
  }
  a.ir = nlohmann::json::parse(ir.out, nullptr, false);
  if (a.ir.is_discarded()) a.error = "`polc ir " + source.string() + "` printed invalid JSON";
  return a;
}

std::vector<EvalResult> eval_calls(const fs::path& polc, const fs::path& source_dir, const std::string& name,
                                   const std::vector<std::string>& calls) {
  std::vector<EvalResult> results(calls.size());
  polc::test::TempDir tmp("polc-kernel");
  const std::string source = (source_dir / "examples" / (name + ".sbx")).string();
  std::vector<Spawned> running;
  for (size_t i = 0; i < calls.size(); ++i)
    running.push_back(spawn({polc.string(), "eval", source, "--arch", "x86_64", "--format", "json", calls[i]},
                            fs::path(tmp.path()) / ("stderr." + std::to_string(i))));
  for (size_t i = 0; i < calls.size(); ++i) {
    const Run r = collect(running[i]);
    EvalResult& e = results[i];
    const std::string what = "polc eval " + source + " --arch x86_64 '" + calls[i] + "'";
    const auto json = nlohmann::json::parse(r.out, nullptr, false);
    if (r.status != 0 || !json.is_array() || json.size() != 1) {
      e.error = failed(what, r);
      continue;
    }
    const auto& d = json[0];
    e.action = d.value("action", "");
    e.filter_action = d.contains("filter") ? d["filter"].value("action", "") : "";
    e.agrees = d.contains("filter") && d["filter"].value("agrees", false);
  }
  return results;
}

}  // namespace kernel_test
