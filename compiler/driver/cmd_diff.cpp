// Stage: driver. `polc diff OLD NEW`: what NEW permits that OLD refused and the reverse, per
// dimension (syscalls per target, filesystem paths and rights, network endpoints), proved with the
// verifier's encodings, and the OS layer's settings (limits, namespaces, mounts, workspaces).
// Exit status: 0 when both decide every request the same way, 3 when NEW widens a permission, 4
// when it only narrows or changes how requests are refused.
#include <iostream>

#include "compiler/report/diff_report.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/report_format.h"
#include "compiler/driver/session.h"
#include "compiler/verify/fs_diff.h"
#include "compiler/verify/net_diff.h"
#include "compiler/verify/os_diff.h"
#include "compiler/verify/syscall_diff.h"

namespace polc::driver {

namespace {

constexpr int kExitWidened = 3;
constexpr int kExitNarrowed = 4;

int usage(const std::string& message) {
  std::cerr << "polc diff: " << message << "\n(see `polc diff --help`)\n";
  return kExitUsage;
}

std::string label(const std::string& path, const ir::Policy& p) {
  return path + " (" + p.name + " version " + std::to_string(p.version) + ")";
}

}  // namespace

int cmd_diff(const Args& args) {
  const FormatOption format = take_format(args);
  bool help = false;
  auto o = parse_options(format.rest, "diff", {"-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (format.missing_value) return usage("--format needs a value: text, json or md");
  const std::string fmt = format.value.value_or("text");
  if (fmt != "text" && fmt != "json" && fmt != "md" && fmt != "markdown")
    return usage("unknown format `" + fmt + "`: use text, json or md");
  if (o->files.size() != 2) return usage("give two policy files: OLD NEW");

  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto old_policy = analyze_file(engine, o->files[0], *o);
  auto new_policy = analyze_file(engine, o->files[1], *o);
  // Diagnostics go to stderr: stdout carries the report alone.
  const int status = report(engine, *o, /*to_stderr=*/true);
  if (status != kExitOk) return status;
  if (!old_policy || !new_policy) return usage("both files must be policies, not modules");

  report::DiffInput in{label(o->files[0], *old_policy), label(o->files[1], *new_policy), {}};
  for (auto* part : {&verify::diff_syscalls, &verify::diff_filesystem, &verify::diff_network, &verify::diff_os}) {
    auto entries = (*part)(*old_policy, *new_policy);
    in.entries.insert(in.entries.end(), std::make_move_iterator(entries.begin()),
                      std::make_move_iterator(entries.end()));
  }
  const std::string text = fmt == "json"   ? report::diff_json(in, sources)
                           : fmt == "text" ? report::diff_text(in, sources)
                                           : report::diff_markdown(in, sources);
  if (auto out = value_of(*o, "-o")) {
    if (auto error = write_file_atomically(*out, text)) {
      std::cerr << "polc diff: " << *error << "\n";
      return kExitErrors;
    }
  } else {
    std::cout << text;
  }
  if (in.entries.empty()) return kExitOk;
  for (const verify::DiffEntry& e : in.entries)
    if (report::change_of(e) == report::Change::Widened) return kExitWidened;
  return kExitNarrowed;
}

}  // namespace polc::driver
