// Stage: import. The `polc import oci` pipeline: read, check coverage, translate, write, format,
// compile.
#include "compiler/import/oci_import.h"

#include <algorithm>
#include <stdexcept>

#include "compiler/diag/render.h"
#include "compiler/fmt/format.h"
#include "compiler/import/oci_profile_reader.h"
#include "compiler/import/oci_rules.h"
#include "compiler/import/oci_selection.h"
#include "compiler/import/oci_source.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/import/profile_reporter.h"
#include "compiler/sema/analyze.h"
#include "compiler/syntax/parse.h"

namespace polc::import {

namespace {

std::string scmp_name(arch::Arch a) {
  for (std::string_view n : scmp_arch_names())
    if (arch_from_scmp(n) == a) return std::string(n);
  return "";
}

// E0707 for each target the profile's architecture list leaves out: runc would kill every syscall
// made there, so rules imported for it would be invented.
bool covers_targets(const OciProfile& p, const SelectionContext& ctx, ProfileReporter& r) {
  if (p.scmp_arches.empty()) return true;
  bool ok = true;
  std::string listed;
  for (const std::string& n : p.scmp_arches) listed += (listed.empty() ? "" : ", ") + n;
  for (arch::Arch a : ctx.targets) {
    if (std::any_of(p.scmp_arches.begin(), p.scmp_arches.end(),
                    [&](const std::string& n) { return arch_from_scmp(n) == a; }))
      continue;
    ok = false;
    r.report(diag::Code::OciTargetNotInProfile, p.arches_path,
             "the profile does not cover target " + std::string(arch::name(a)))
        .note("it lists " + listed + "; runc kills every syscall made under any other architecture")
        .with_help("drop `--arch " + std::string(arch::name(a)) + "`, or add " + scmp_name(a) + " to the profile");
  }
  return ok;
}

// Formats `text` with polc's formatter and compiles it with sema. Sema's warnings about the policy
// (a multiplexer that bypasses a rule, say) are the user's to see; errors are the import's bugs.
std::string format_and_compile(diag::Engine& engine, const std::string& text, const std::string& name) {
  diag::Engine scratch(engine.sources());
  const diag::FileId raw = engine.sources().add(name, text);
  auto file = syntax::parse(scratch, raw);
  if (!file) throw std::logic_error("the imported policy does not parse:\n" + diag::render_human(scratch));
  std::string formatted = fmt::format(*file, text);
  const diag::FileId fid = engine.sources().add(name, formatted);
  auto policy = sema::analyze(scratch, fid, name, sema::Options{});
  if (!policy || scratch.has_errors())
    throw std::logic_error("the imported policy does not compile:\n" + diag::render_human(scratch));
  for (const diag::Diagnostic* d : scratch.sorted()) {
    auto& f = engine.report(d->code, d->range, d->message);
    f.notes = d->notes;
    f.help = d->help;
    f.fixits = d->fixits;
  }
  return formatted;
}

}  // namespace

ImportResult import_oci(diag::Engine& engine, diag::FileId profile_file, const ImportOptions& options) {
  ImportResult result;
  auto profile = read_oci_profile(engine, profile_file);
  if (!profile) return result;
  SelectionContext ctx;
  for (arch::Arch a : arch::kAllArches)
    if (std::find(options.targets.begin(), options.targets.end(), a) != options.targets.end()) ctx.targets.push_back(a);
  ctx.caps.insert(options.caps.begin(), options.caps.end());
  ctx.kernel = options.kernel;
  ProfileReporter reporter(engine, profile_file);
  if (!covers_targets(*profile, ctx, reporter)) return result;
  auto rules = translate_rules(*profile, ctx, reporter);
  if (!rules || engine.has_errors()) return result;

  SourceHeader header;
  header.policy_name = options.policy_name;
  header.profile_name = options.profile_name;
  header.targets = ctx.targets;
  for (std::string_view c : capability_names())  // one order whatever order they were given in
    if (ctx.caps.count(std::string(c))) header.caps.emplace_back(c);
  header.docker_default_caps = options.docker_default_caps;
  header.kernel = options.kernel;
  result.source = format_and_compile(engine, write_source(header, *rules), options.output_name);
  return result;
}

}  // namespace polc::import
