// Stage: driver. `polc inspect BUNDLE [--trust TRUST.json] [--format text|json|md] [-o FILE]`: the
// governance review report of a bundle. The bundle must be intact; its policy is rebuilt from the
// sources it carries (never from the disk), and when the manifest names this same polc the
// rebuilt artifacts must be byte-identical to the bundle's (E0815 otherwise), so the report
// describes exactly the bytes a launcher would apply.
#include <ctime>
#include <iostream>

#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/report/inspect_report.h"
#include "compiler/driver/options.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/rebuild_check.h"
#include "compiler/driver/report_format.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

int usage(const std::string& message) {
  std::cerr << "polc inspect: " << message << "\n(see `polc inspect --help`)\n";
  return kExitUsage;
}

}  // namespace

int cmd_inspect(const Args& args) {
  const FormatOption format = take_format(args);
  bool help = false;
  auto o = parse_options(format.rest, "inspect", {"--trust=", "-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (format.missing_value) return usage("--format needs a value: text, json or md");
  const std::string fmt = format.value.value_or("text");
  if (fmt != "text" && fmt != "json" && fmt != "md" && fmt != "markdown")
    return usage("unknown format `" + fmt + "`: use text, json or md");
  if (o->files.size() != 1) return usage("give one bundle directory");

  diag::SourceManager sources;
  diag::Engine engine(sources);
  const std::string dir = o->files[0];
  std::optional<bundle::Trust> trust;
  if (const auto path = value_of(*o, "--trust")) {
    trust = load_trust(engine, *path);
    if (!trust) return report(engine, *o, true);
  }
  const auto contents = load_intact_bundle(engine, dir);
  if (!contents) return report(engine, *o, true);
  std::optional<bundle::TrustReport> verdict;
  if (trust) verdict = bundle::evaluate_trust(*contents, *trust, std::time(nullptr));
  auto rebuilt = rebuild(engine, *contents);
  if (!rebuilt) return report(engine, *o, true);
  report_rebuild(engine, *contents, rebuilt->check);
  const report::InspectInput in{rebuilt->policy, sources, *contents, verdict ? &*verdict : nullptr, rebuilt->check};
  const std::string text = fmt == "json"   ? report::inspect_json(in)
                           : fmt == "text" ? report::inspect_text(in)
                                           : report::inspect_markdown(in);
  if (auto out = value_of(*o, "-o")) {
    if (auto error = write_file_atomically(*out, text)) {
      std::cerr << "polc inspect: " << *error << "\n";
      return kExitErrors;
    }
  } else {
    std::cout << text;
  }
  return report(engine, *o, true);
}

}  // namespace polc::driver
