// Stage: driver. `polc fmt [--check|--write] FILE...`.
#include <algorithm>
#include <iostream>

#include "compiler/driver/output_file.h"
#include "compiler/driver/session.h"
#include "compiler/fmt/format.h"
#include "compiler/sema/loader.h"
#include "compiler/syntax/parse.h"

namespace polc::driver {

int cmd_fmt(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "fmt", {"--check", "--write"}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  const bool check = has_flag(*o, "--check"), write = has_flag(*o, "--write");
  if (o->files.empty() || (check && write)) {
    std::cerr << "polc fmt: " << (o->files.empty() ? "no files given" : "--check and --write exclude each other")
              << "\n(see `polc fmt --help`)\n";
    return kExitUsage;
  }
  if (write && std::find(o->files.begin(), o->files.end(), "-") != o->files.end()) {
    std::cerr << "polc fmt: --write cannot rewrite standard input; print it instead\n";
    return kExitUsage;
  }
  if (!check && !write && o->files.size() > 1) {
    std::cerr << "polc fmt: printing to stdout takes one file; use --write or --check for several\n";
    return kExitUsage;
  }
  diag::SourceManager sources;
  diag::Engine engine(sources);
  int status = kExitOk;
  for (const std::string& path : o->files) {
    auto fid = sema::read_source(engine, path, {});
    if (!fid) continue;
    auto file = syntax::parse(engine, *fid);
    if (!file) continue;
    const std::string formatted = fmt::format(*file, sources.contents(*fid));
    const bool same = formatted == sources.contents(*fid);
    if (check) {
      if (!same) {
        std::cout << "would reformat " << path << "\n";
        status = kExitErrors;
      }
    } else if (write) {
      if (same) continue;
      // The file keeps its owner and mode; the caller's own symlink is followed (it stays a link),
      // one planted by another user is refused (output_file.h).
      if (auto error = write_file_atomically(path, formatted)) {
        std::cerr << "polc fmt: cannot write " << path << ": " << *error << "\n";
        status = kExitErrors;
      }
    } else {
      std::cout << formatted;
    }
  }
  const int diag_status = engine.diagnostics().empty() ? kExitOk : report(engine, *o);
  return diag_status != kExitOk ? diag_status : status;
}

}  // namespace polc::driver
