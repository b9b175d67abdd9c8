// Stage: driver. `--seccomp-codegen` and `--syscall-mix` (see seccomp_options.h).
#include "compiler/driver/seccomp_options.h"

#include <fstream>
#include <sstream>

#include "backends/seccomp/emit.h"
#include "compiler/sema/syscall_table.h"

namespace polc::driver {

namespace {

// A recorded mix (bench/data/syscall_mix_*.tsv): NAME<TAB>COUNT per line. Each arch gets the
// counts of the names it has; a name no arch has is an error (a typo would silently weigh nothing).
std::optional<std::string> read_mix(const std::string& path, backends::seccomp::gen::Options& out) {
  std::ifstream in(path);
  if (!in) return "--syscall-mix: cannot read `" + path + "`";
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string name, count_text, extra;
    std::getline(fields, name, '\t');
    std::getline(fields, count_text, '\t');
    double count = 0;
    size_t used = 0;
    try {
      count = std::stod(count_text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (name.empty() || used == 0 || used != count_text.size() || count < 0 || std::getline(fields, extra))
      return "--syscall-mix: " + path + ":" + std::to_string(line_no) + ": expected NAME<TAB>COUNT, not `" + line + "`";
    if (!sema::is_known_syscall(name))
      return "--syscall-mix: " + path + ":" + std::to_string(line_no) + ": no architecture has a syscall `" + name + "`";
    for (arch::Arch a : arch::kAllArches)
      if (auto nr = sema::syscall_number(name, a)) out.weights[a][static_cast<uint32_t>(*nr)] += count;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_seccomp_options(const CommonOptions& options) {
  namespace sc = backends::seccomp;
  sc::CodegenChoice choice;
  if (auto name = value_of(options, "--seccomp-codegen")) {
    if (*name == "polc") choice.generator = sc::Generator::Polc;
    else if (*name == "libseccomp") choice.generator = sc::Generator::Libseccomp;
    else return "--seccomp-codegen takes polc or libseccomp, not `" + *name + "`";
  }
  if (auto mix = value_of(options, "--syscall-mix")) {
    if (choice.generator != sc::Generator::Polc) return "--syscall-mix only weighs polc's code generator";
    if (auto err = read_mix(*mix, choice.options)) return err;
  }
  sc::set_codegen(std::move(choice));
  return std::nullopt;
}

}  // namespace polc::driver
