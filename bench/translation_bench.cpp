// Benchmark: how long translation validation (compiler/verify/translation.h) takes to prove each
// emitted seccomp program equal to its policy. For every input it compiles the policy once, emits
// its programs, then validates each program once to warm up and RUNS more times, each with an
// empty answer book as in a build, and prints the first run's wall time (for the first program it includes
// creating Z3's context) and the median wall and CPU time per program, with the program's length
// and the solver queries asked (CPU time is the steadier number on a loaded machine:
// validation is single-threaded). Inputs:
//   POLICY.sbx     a policy (e.g. examples/*.sbx, or one from bench/gen_policy.py LINES)
//   PROFILE.json   an OCI or Docker seccomp profile, imported in-process as `polc import oci`
//                  does by default (x86_64, Docker's default capabilities), e.g. the copy of
//                  Docker's default profile at tests/golden/import/docker-default.json
// Usage: polc_translation_bench RUNS INPUT...   (prints a Markdown table to stdout)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "backends/seccomp/emit.h"
#include "compiler/driver/session.h"
#include "compiler/import/oci_import.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/sema/analyze.h"
#include "compiler/sema/loader.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/translation.h"

namespace {

using namespace polc;

struct Compiled {
  diag::SourceManager sources;
  diag::Engine engine{sources};
  std::optional<ir::Policy> policy;
};

// The profile imported for x86_64 with Docker's default capabilities, then compiled.
void import_profile(const std::string& path, Compiled& c) {
  import::ImportOptions options;
  options.targets = {arch::Arch::x86_64};
  for (std::string_view cap : import::docker_default_caps()) options.caps.emplace_back(cap);
  options.docker_default_caps = true;
  options.policy_name = "imported";
  options.profile_name = std::filesystem::path(path).filename().string();
  options.output_name = "imported.sbx";
  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto fid = sema::read_source(engine, path, {});
  if (!fid) return;
  auto imported = import::import_oci(engine, *fid, options);
  if (!imported.source) return;
  const auto root = c.sources.add("/virtual/imported.sbx", *imported.source);
  c.policy = sema::analyze(c.engine, root, "/virtual/imported.sbx", {});
}

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string verdict_name(verify::TranslationResult::Verdict v) {
  switch (v) {
    case verify::TranslationResult::Verdict::Equivalent: return "equivalent";
    case verify::TranslationResult::Verdict::Mismatch: return "MISMATCH";
    case verify::TranslationResult::Verdict::Unknown: return "UNKNOWN";
    case verify::TranslationResult::Verdict::Invalid: return "INVALID";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: polc_translation_bench RUNS INPUT...\n");
    return 2;
  }
  const int runs = std::max(1, std::atoi(argv[1]));
  std::printf(
      "| input | syscall rules | program | instructions | queries | first ms | median wall ms "
      "| median CPU ms | verdict |\n");
  std::printf("|---|---:|---|---:|---:|---:|---:|---:|---|\n");
  int status = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string path = argv[i];
    Compiled c;
    if (path.ends_with(".json")) import_profile(path, c);
    else c.policy = driver::analyze_file(c.engine, path, driver::CommonOptions{});
    if (!c.policy) {
      std::fprintf(stderr, "%s: does not compile\n", path.c_str());
      status = 1;
      continue;
    }
    auto artifacts = backends::seccomp::emit(*c.policy, c.engine);
    if (!artifacts) {
      std::fprintf(stderr, "%s: the seccomp backend refused it\n", path.c_str());
      status = 1;
      continue;
    }
    size_t rules = 0;
    for (const ir::ArchFilter& f : c.policy->syscalls.arches) rules += f.rules.size();
    const std::string name = std::filesystem::path(path).filename().string();
    for (const auto& program : artifacts->programs) {
      std::vector<double> wall, cpu;
      // The first run (in the first program: the Z3 context's creation too) is reported apart.
      const auto first_start = std::chrono::steady_clock::now();
      // Every run starts with an empty answer book (verify::forget_answers), as each build does:
      // a repeated run would otherwise find every answer there.
      verify::forget_answers();
      verify::TranslationResult last = verify::validate_translation(program, *c.policy);
      const double first =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first_start).count();
      for (int r = 0; r < runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = cpu_ms();
        verify::forget_answers();
        last = verify::validate_translation(program, *c.policy);
        cpu.push_back(cpu_ms() - cpu_start);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
      if (!last.equivalent()) {
        status = 1;
        std::fprintf(stderr, "%s, %s: %s\n", path.c_str(), std::string(arch::name(program.arch)).c_str(),
                     last.witness ? last.witness->describe().c_str() : last.detail.c_str());
      }
      std::printf("| %s | %zu | %s | %zu | %llu | %.1f | %.1f | %.1f | %s |\n", name.c_str(), rules,
                  std::string(arch::name(program.arch)).c_str(), program.insns.size(),
                  static_cast<unsigned long long>(last.work.queries), first, median(wall), median(cpu),
                  verdict_name(last.verdict).c_str());
    }
  }
  return status;
}
