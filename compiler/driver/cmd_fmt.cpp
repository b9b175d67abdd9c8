// Stage: driver. `polc fmt [--check|--write] FILE...`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/driver/session.h"
#include "compiler/fmt/format.h"
#include "compiler/sema/loader.h"
#include "compiler/syntax/parse.h"

namespace polc::driver {

namespace {

// Replaces the file `path` names atomically (a reader sees the old or the new file, never a
// partial one). A symlink is followed so the link stays a link, and the file keeps its mode.
bool write_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = fs::canonical(path, ec);
  if (ec) return false;
  const fs::perms mode = fs::status(target, ec).permissions();
  if (ec) return false;
  const fs::path tmp = target.string() + ".polc-fmt.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  fs::permissions(tmp, mode, ec);
  if (!ec) fs::rename(tmp, target, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

}  // namespace

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
      if (!same && !write_atomically(path, formatted)) {
        std::cerr << "polc fmt: cannot write " << path << "\n";
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
