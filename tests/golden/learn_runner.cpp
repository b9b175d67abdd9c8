// Golden drafts of `polc learn`. For every NAME.recording.json in the directory given, drafts a
// policy (compiler/learn/draft.h; with NAME.within.sbx as the boundary when it exists) and
// compares, byte for byte:
//   NAME.sbx.expected       the draft;
//   NAME.report.expected    what was left out, one line each, then the proof's verdict and
//                           problems (compiler/learn/prove.h, with `polc check --strict`'s backends).
// It also fails when the draft is not in polc fmt's layout or the proof finds a problem, and when
// drafting twice gives different text. With POLC_UPDATE_GOLDEN=1, the .expected files are
// rewritten instead (the other checks still apply).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/driver/build_bundle.h"
#include "compiler/fmt/format.h"
#include "compiler/learn/compile_text.h"
#include "compiler/learn/draft.h"
#include "compiler/learn/prove.h"
#include "compiler/syntax/parse.h"

namespace fs = std::filesystem;
using namespace polc;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool check(const fs::path& expected_path, const std::string& actual, bool update) {
  if (update) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return true;
  }
  if (!fs::exists(expected_path)) {
    std::cerr << "MISSING " << expected_path << " (run with POLC_UPDATE_GOLDEN=1)\n";
    return false;
  }
  if (read_file(expected_path) == actual) return true;
  std::cerr << "MISMATCH " << expected_path << "\n--- actual ---\n" << actual << "--- end ---\n";
  return false;
}

std::string formatted(const std::string& text) {
  diag::SourceManager sm;
  diag::Engine engine(sm);
  const auto fid = sm.add("draft.sbx", text);
  auto file = syntax::parse(engine, fid);
  return file && !engine.has_errors() ? fmt::format(*file, sm.contents(fid)) : std::string();
}

bool run_case(const fs::path& recording_path, bool update) {
  const std::string name = recording_path.filename().string().substr(0, recording_path.filename().string().find('.'));
  const fs::path dir = recording_path.parent_path();
  std::string error;
  auto rec = learn::recording_from_json(read_file(recording_path), error);
  if (!rec) {
    std::cerr << recording_path << ": " << error << "\n";
    return false;
  }
  std::unique_ptr<learn::Compiled> boundary;
  learn::DraftOptions options;
  options.name = name;
  if (fs::exists(dir / (name + ".within.sbx"))) {
    boundary = learn::compile_text(read_file(dir / (name + ".within.sbx")), name + ".within.sbx");
    if (!boundary->policy) {
      std::cerr << name << ".within.sbx does not compile\n";
      return false;
    }
    options.within = &*boundary->policy;
  }
  learn::Draft draft = learn::draft_policy(*rec, options);
  bool ok = true;
  if (learn::draft_policy(*rec, options).text != draft.text) {
    std::cerr << name << ": drafting twice gave different text\n";
    ok = false;
  }
  if (formatted(draft.text) != draft.text) {
    std::cerr << name << ": the draft is not formatted\n";
    ok = false;
  }
  learn::ProveOptions prove_options;
  prove_options.within = options.within;
  prove_options.left_out = &draft.excluded;
  prove_options.backend_check = [](const ir::Policy& policy, diag::Engine& engine) {
    driver::BuildInputs inputs;
    inputs.manifest = false;
    driver::build_bundle(policy, inputs, engine);
  };
  learn::Proof proof = learn::prove(draft.text, *rec, prove_options);
  if (!proof.ok) {
    std::cerr << name << ": the proof failed\n";
    ok = false;
  }
  std::string report;
  for (const std::string& line : draft.left_out) report += "left out: " + line + "\n";
  report += std::string("proof: ") + (proof.ok ? "ok" : "FAILED") + "\n";
  for (const std::string& p : proof.problems) report += "problem: " + p + "\n";
  ok = check(dir / (name + ".sbx.expected"), draft.text, update) && ok;
  ok = check(dir / (name + ".report.expected"), report, update) && ok;
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: polc_learn_golden DIR\n";
    return 2;
  }
  const char* env = std::getenv("POLC_UPDATE_GOLDEN");
  const bool update = env != nullptr && std::string(env) == "1";
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    const std::string f = entry.path().filename().string();
    if (f.size() > 15 && f.substr(f.size() - 15) == ".recording.json") cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  if (cases.empty()) {
    std::cerr << "no *.recording.json in " << argv[1] << "\n";
    return 1;
  }
  int failed = 0;
  for (const fs::path& c : cases) failed += !run_case(c, update);
  std::cout << cases.size() - failed << "/" << cases.size() << " learn golden cases pass\n";
  return failed == 0 ? 0 : 1;
}
