// Benchmark: what a seccomp program costs per system call, counted in executed BPF instructions by
// the in-project model of the kernel's interpreter (no filter is installed, nothing is timed). For
// each input it reports the program's length, the mean and maximum instructions executed over the
// allowed and over the denied system calls of x86_64, the mean weighted by the recorded Python and
// Node.js system-call mixes (bench/data/), and how many allowed system calls the kernel's action
// cache can skip the filter for; for policies with ioctl request sets, the instructions per
// allowed and per denied ioctl request. Inputs:
//   POLICY.sbx        side by side: polc's own generator (backends/seccomp/gen), libseccomp's
//                     binary tree and linear program of the same partitioned rules
//                     (SCMP_FLTATR_CTL_OPTIMIZE=2 and 1), and two lower bounds computed from the
//                     policy (filter_bounds.h): a balanced search over the number ranges, and the
//                     optimal alphabetic tree weighted by the allowed numbers (in the mix columns,
//                     by that mix's counts)
//   PROGRAM.bpf       a program as `polc build` writes it (x86_64, little-endian)
//   PROFILE.json[:IMPORTED.sbx]
//                     an OCI or Docker seccomp profile, resolved the Docker way for amd64 with
//                     Docker's default capabilities and compiled as runc does (libseccomp's
//                     default, linear), and with the binary tree for comparison; then, when
//                     given, the two programs of its `polc import oci` translation
// Usage: polc_filter_cost DATA_DIR INPUT...   (prints a Markdown table and notes to stdout)
#include <seccomp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/codegen.h"
#include "backends/seccomp/emit.h"
#include "backends/seccomp/gen/generate.h"
#include "backends/seccomp/oci_compile.h"
#include "backends/seccomp/partition.h"
#include "compiler/driver/session.h"
#include "compiler/import/oci_profile_reader.h"
#include "compiler/import/oci_selection.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/sema/loader.h"
#include "bench/filter_bounds.h"

namespace {

using namespace polc;
using namespace polc::backends::seccomp;

constexpr arch::Arch kArch = arch::Arch::x86_64;
// Every x86_64 syscall number libseccomp 2.5 knows is below this.
constexpr int kMaxNr = 1024;

using Args = std::array<uint64_t, 6>;
struct Sample {
  uint32_t mult = 1;  // how many of the sampled calls had these arguments
  Args args{};
};
using Samples = std::map<std::string, std::vector<Sample>>;

struct Mix {
  std::vector<std::pair<std::string, uint64_t>> counts;
  Samples args;
};

[[noreturn]] void die(const std::string& message) {
  std::cerr << "polc_filter_cost: " << message << "\n";
  std::exit(1);
}

std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path + " (run bench/record_syscall_mix.sh)");
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, '\t');) fields.push_back(f);
    rows.push_back(std::move(fields));
  }
  return rows;
}

Mix read_mix(const std::string& dir, const std::string& name) {
  Mix mix;
  for (const auto& row : read_tsv(dir + "/syscall_mix_" + name + ".tsv")) {
    if (row.size() != 2) die("syscall_mix_" + name + ".tsv: expected NAME<TAB>COUNT");
    mix.counts.emplace_back(row[0], std::stoull(row[1]));
  }
  for (const auto& row : read_tsv(dir + "/syscall_args_" + name + ".tsv")) {
    if (row.size() != 8) die("syscall_args_" + name + ".tsv: expected NAME<TAB>MULT<TAB>ARG0..ARG5");
    Sample s;
    s.mult = static_cast<uint32_t>(std::stoul(row[1]));
    for (size_t i = 0; i < 6; ++i) s.args[i] = std::stoull(row[2 + i], nullptr, 16);
    mix.args[row[0]].push_back(s);
  }
  return mix;
}

int nr_of(const std::string& name) {
  const int nr = seccomp_syscall_resolve_name_arch(arch::scmp_token(kArch), name.c_str());
  if (nr < 0) die("libseccomp does not know `" + name + "` on x86_64");
  return nr;
}

// The x86_64 system calls: every number libseccomp can name.
std::vector<std::pair<int, std::string>> syscalls_of_arch() {
  std::vector<std::pair<int, std::string>> out;
  for (int nr = 0; nr < kMaxNr; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(arch::scmp_token(kArch), nr);
    if (name == nullptr) continue;
    out.emplace_back(nr, name);
    std::free(name);
  }
  return out;
}

// A row of the table: a program, or a lower bound (a cost model deciding as the policy does), or
// a generator's refusal (`refused` says why; nothing is measured).
struct Program {
  std::string label;
  std::vector<Insn> insns;
  std::shared_ptr<const bench::LowerBound> bound;
  std::vector<std::shared_ptr<const bench::LowerBound>> mix_bounds;  // per mix: the bound weighted by it
  std::string refused;
  const ir::Policy* policy = nullptr;  // the policy the row decides (for the ioctl table)
};

Program program(std::string label, std::vector<Insn> insns) {
  Program p;
  p.label = std::move(label);
  p.insns = std::move(insns);
  return p;
}

RunResult run_call(const Program& p, int nr, const Args& args) {
  if (p.bound) return p.bound->run(nr, args);
  SeccompData d;
  d.nr = nr;
  d.arch = arch::audit_arch(kArch);
  d.args = args;
  const RunResult r = run(p.insns, d, false);
  if (r.fault) die(p.label + ": the program faults: " + r.fault);
  return r;
}

bool allowed(uint32_t ret) { return decode_ret(ret).kind == ir::ActionKind::Allow; }

CacheVerdict cache_of(const Program& p, int nr) {
  return p.bound ? p.bound->cache(nr) : const_action(p.insns, arch::audit_arch(kArch), nr, false);
}

struct Cost {
  size_t length = 0;
  size_t allowed_nrs = 0, denied_nrs = 0, eligible = 0;
  double allowed_mean = 0, denied_mean = 0;
  uint32_t allowed_max = 0, denied_max = 0;
  std::string allowed_max_name, denied_max_name;          // the syscall of the longest path
  std::vector<std::string> not_cached;                    // allowed syscalls the action cache cannot hold
  std::vector<double> mix_mean, mix_cached, mix_allowed;  // per mix
  size_t ranges = 0;
};

// Each system call number counts once per class: its calls (one per sampled argument vector) are
// averaged within the class they fall in, so a syscall whose arguments decide (socket) may count
// as allowed and as denied.
Cost measure(const Program& p, const std::vector<std::pair<int, std::string>>& table, const Samples& samples,
             const std::vector<Mix>& mixes) {
  Cost c;
  c.length = p.insns.size();
  const std::vector<Sample> zero = {Sample{}};
  double allowed_sum = 0, denied_sum = 0;
  for (const auto& [nr, name] : table) {
    auto it = samples.find(name);
    const std::vector<Sample>& calls = it == samples.end() ? zero : it->second;
    double sum[2] = {0, 0};
    uint64_t n[2] = {0, 0};
    for (const Sample& s : calls) {
      const RunResult r = run_call(p, nr, s.args);
      const int cls = allowed(r.ret) ? 0 : 1;
      sum[cls] += double(s.mult) * r.executed;
      n[cls] += s.mult;
      uint32_t& mx = cls == 0 ? c.allowed_max : c.denied_max;
      if (r.executed > mx) {
        mx = r.executed;
        (cls == 0 ? c.allowed_max_name : c.denied_max_name) = name;
      }
    }
    if (n[0] > 0) {
      ++c.allowed_nrs;
      allowed_sum += sum[0] / double(n[0]);
      if (cache_of(p, nr) == CacheVerdict::AlwaysAllow) ++c.eligible;
      else c.not_cached.push_back(name);
    }
    if (n[1] > 0) {
      ++c.denied_nrs;
      denied_sum += sum[1] / double(n[1]);
    }
  }
  c.allowed_mean = c.allowed_nrs ? allowed_sum / double(c.allowed_nrs) : 0;
  c.denied_mean = c.denied_nrs ? denied_sum / double(c.denied_nrs) : 0;

  for (size_t m = 0; m < mixes.size(); ++m) {
    const Mix& mix = mixes[m];
    Program weighted;
    if (m < p.mix_bounds.size()) weighted.bound = p.mix_bounds[m];
    const Program& q = weighted.bound ? weighted : p;
    double total = 0, cached = 0, allowed_calls = 0;
    uint64_t calls_total = 0;
    for (const auto& [name, count] : mix.counts) {
      const int nr = nr_of(name);
      auto it = mix.args.find(name);
      const std::vector<Sample>& calls = it == mix.args.end() ? zero : it->second;
      double sum = 0, ok = 0;
      uint64_t n = 0;
      for (const Sample& s : calls) {
        const RunResult r = run_call(q, nr, s.args);
        sum += double(s.mult) * r.executed;
        ok += allowed(r.ret) ? s.mult : 0;
        n += s.mult;
      }
      const double mean = sum / double(n);
      total += double(count) * mean;
      // The kernel skips the filter for a syscall its action cache holds as always allowed.
      if (cache_of(q, nr) != CacheVerdict::AlwaysAllow) cached += double(count) * mean;
      allowed_calls += double(count) * ok / double(n);
      calls_total += count;
    }
    c.mix_mean.push_back(total / double(calls_total));
    c.mix_cached.push_back(cached / double(calls_total));
    c.mix_allowed.push_back(allowed_calls / double(calls_total));
  }

  // Ranges of numbers 0..max+1 that a search over the number alone must tell apart: runs of equal
  // constant decision; a number whose decision depends on arguments is a range of its own.
  // (A plain flag rather than std::optional: GCC 12 at -O2 warns maybe-uninitialized on it.)
  bool have_prev = false;
  uint32_t prev = 0;
  for (int nr = 0; nr <= table.back().first + 1; ++nr) {
    const CacheVerdict v = cache_of(p, nr);
    if (v == CacheVerdict::Depends) {
      ++c.ranges;
      have_prev = false;
      continue;
    }
    const uint32_t ret = run_call(p, nr, Args{}).ret;
    if (!have_prev || prev != ret) ++c.ranges;
    prev = ret;
    have_prev = true;
  }
  return c;
}

std::vector<Insn> decode_or_die(const std::vector<uint8_t>& raw, const std::string& what) {
  std::string error;
  auto insns = decode(raw, false, &error);
  if (!insns) die(what + ": " + error);
  if (auto bad = validate(*insns)) die(what + ": the kernel would refuse the program: " + *bad);
  return std::move(*insns);
}

// Policies the rows decide (lower bounds keep references to them), alive until the end.
std::deque<ir::Policy> policies;

// libseccomp's program of the policy's x86_64 family at an optimisation level (2: binary tree, 1:
// linear), spelled as emit spells it (masked, compact when that is too long), or why not.
Program libseccomp_row(const ir::Policy& policy, const std::string& label, int optimize) {
  Program row = program(label, {});
  row.policy = &policy;
  for (Spelling spelling : {Spelling::Masked, Spelling::Compact}) {
    std::vector<ArchPartition> parts;
    for (const ir::ArchFilter& f : policy.syscalls.arches)
      parts.push_back(partition(f, policy.syscalls.default_action, spelling));
    std::vector<const ArchPartition*> members;
    row.refused.clear();
    for (arch::Arch a : arch::family_targets(kArch, policy.targets))
      for (const ArchPartition& q : parts)
        if (q.arch == a) {
          members.push_back(&q);
          for (const PartitionError& e : q.errors)
            row.refused = e.kind == PartitionError::Kind::TooManyRules ? "E0602: a syscall needs more than 4,096 rules"
                          : e.kind == PartitionError::Kind::TooWide    ? "E0601: a comparison is too wide"
                                                                       : "E0601: socket/IPC conditions on x86";
        }
    if (!row.refused.empty()) continue;
    std::string error;
    auto raw = generate(members, policy.syscalls.default_action, &error, optimize);
    if (!raw) die(label + ": " + error);
    row.insns = decode_or_die(raw->raw, label);
    if (row.insns.size() <= bpf::kMaxInsns) return row;
    row.refused = "E0602: " + std::to_string(row.insns.size()) + " instructions";
    row.insns.clear();
  }
  return row;
}

// Weights of the number ranges for the optimal tree: each allowed (or argument-decided) x86_64
// number weighs 1, or its count in `mix`; every range also a small epsilon, so that the tree
// still places the others.
std::vector<double> range_weights(const ir::Policy& policy, const bench::LowerBound& balanced,
                                  const std::vector<std::pair<int, std::string>>& table, const Mix* mix) {
  const std::vector<bench::NumberRange> ranges = bench::number_ranges(policy);
  std::vector<double> w(ranges.size(), 1e-3);
  auto add = [&](int nr, double weight) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), static_cast<uint32_t>(nr),
                               [](uint32_t n, const bench::NumberRange& r) { return n < r.lo; });
    w[static_cast<size_t>(it - ranges.begin()) - 1] += weight;
  };
  if (mix != nullptr) {
    for (const auto& [name, count] : mix->counts) add(nr_of(name), double(count));
  } else {
    for (const auto& [nr, name] : table)
      if (balanced.cache(nr) != CacheVerdict::NotAllow) add(nr, 1);
  }
  return w;
}

// The rows of a policy: polc's generator, libseccomp's tree and linear programs, and the bounds.
std::vector<Program> programs_of_policy(const std::string& path, const std::vector<std::pair<int, std::string>>& table,
                                        const std::vector<Mix>& mixes) {
  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto analyzed = driver::analyze_file(engine, path, driver::CommonOptions{});
  if (!analyzed) {
    driver::report(engine, driver::CommonOptions{});
    die(path + " does not compile");
  }
  const ir::Policy& policy = policies.emplace_back(std::move(*analyzed));
  if (std::find(policy.targets.begin(), policy.targets.end(), kArch) == policy.targets.end())
    die(path + " does not target x86_64");
  std::vector<Program> out;
  const std::vector<arch::Arch> decides = arch::family_targets(kArch, policy.targets);
  gen::Result polc = gen::generate(policy, decides, gen::Options{});
  Program own = program(policy.name + ": polc", std::move(polc.insns));
  own.refused = polc.error;
  own.policy = &policy;
  if (own.refused.empty())
    if (auto bad = validate(own.insns)) die(path + ": polc's program would not load: " + *bad);
  out.push_back(std::move(own));
  out.push_back(libseccomp_row(policy, policy.name + ": libseccomp tree", 2));
  out.push_back(libseccomp_row(policy, policy.name + ": libseccomp linear", 1));
  auto balanced = std::make_shared<const bench::LowerBound>(policy, std::span<const double>{});
  Program even = program(policy.name + ": lower bound, balanced", {});
  even.bound = balanced;
  even.policy = &policy;
  out.push_back(std::move(even));
  Program weighted = program(policy.name + ": lower bound, optimal weighted", {});
  weighted.policy = &policy;
  weighted.bound = std::make_shared<const bench::LowerBound>(policy, range_weights(policy, *balanced, table, nullptr));
  for (const Mix& m : mixes)
    weighted.mix_bounds.push_back(
        std::make_shared<const bench::LowerBound>(policy, range_weights(policy, *balanced, table, &m)));
  out.push_back(std::move(weighted));
  return out;
}

// The entries of a Docker profile that apply to an amd64 container with Docker's default
// capabilities on a current kernel (every minKernel reached), as a plain OCI profile: what Docker
// hands to runc.
nlohmann::json resolve_docker(const std::string& path) {
  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto fid = sema::read_source(engine, path, {});
  std::optional<import::OciProfile> profile;
  if (fid) profile = import::read_oci_profile(engine, *fid);
  if (!profile) {
    driver::report(engine, driver::CommonOptions{});
    die(path + " is not a valid profile");
  }
  std::ifstream in(path);
  const nlohmann::json raw = nlohmann::json::parse(in);
  import::SelectionContext ctx;
  ctx.targets = {kArch};
  for (std::string_view cap : import::docker_default_caps()) ctx.caps.emplace(cap);
  nlohmann::json out = {{"defaultAction", raw.at("defaultAction")}, {"syscalls", nlohmann::json::array()}};
  if (raw.contains("defaultErrnoRet")) out["defaultErrnoRet"] = raw["defaultErrnoRet"];
  for (const import::OciSyscall& e : profile->syscalls) {
    if ((import::select_entry(e, ctx).applies & arch::bit(kArch)) == 0) continue;
    nlohmann::json entry = raw.at("syscalls").at(e.path.at(1).index);
    entry.erase("includes");
    entry.erase("excludes");
    entry.erase("comment");
    out["syscalls"].push_back(entry);
  }
  return out;
}

// runc's compile (libcontainer/seccomp/seccomp_linux.go) at a given optimisation level: runc
// leaves libseccomp's default (1, linear).
std::vector<uint8_t> runc_compile(const nlohmann::json& profile, std::span<const arch::Arch> arches, int optimize) {
  std::string error;
  auto raw = compile_oci_profile(profile, arches, &error, optimize);
  if (!raw) die(error);
  return *raw;
}

std::vector<Program> programs_of_profile(const std::string& path) {
  const nlohmann::json profile = resolve_docker(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  const arch::Arch x86_64_only[] = {kArch};
  // Docker's archMap for amd64: the container's filter also decides x86 and x32 calls. x32 shares
  // x86_64's audit value, so libseccomp's linear program checks x32's numbers in the same chain.
  const arch::Arch amd64[] = {kArch, arch::Arch::x86, arch::Arch::x32};
  return {program(base + ": runc (linear)", decode_or_die(runc_compile(profile, x86_64_only, 1), path)),
          program(base + ": runc (linear), with x86 and x32", decode_or_die(runc_compile(profile, amd64, 1), path)),
          program(base + ": runc's rules, tree", decode_or_die(runc_compile(profile, x86_64_only, 2), path))};
}

std::vector<Program> program_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  const std::vector<uint8_t> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return {program(path.substr(path.find_last_of('/') + 1), decode_or_die(raw, path))};
}

std::string fixed(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Returns the calls (by syscall name) on which two programs decide differently.
std::set<std::string> disagreements(const Program& a, const Program& b,
                                    const std::vector<std::pair<int, std::string>>& table, const Samples& samples) {
  std::set<std::string> out;
  const std::vector<Sample> zero = {Sample{}};
  for (const auto& [nr, name] : table) {
    auto it = samples.find(name);
    for (const Sample& s : it == samples.end() ? zero : it->second)
      if (run_call(a, nr, s.args).ret != run_call(b, nr, s.args).ret) out.insert(name);
  }
  return out;
}

// Instructions per ioctl call for the policies whose ioctl rules test request values: every value
// a rule names and its two neighbours, with the other arguments 0, split into the calls the row
// allows and those it denies.
void print_ioctl_costs(const std::vector<std::vector<Program>>& groups) {
  const int ioctl = nr_of("ioctl");
  bool header = false;
  for (const auto& group : groups) {
    const ir::Policy* policy = nullptr;
    for (const Program& p : group)
      if (p.policy) policy = p.policy;
    if (!policy) continue;
    std::set<uint64_t> values;
    for (const ir::ArchFilter& f : policy->syscalls.arches)
      if (f.arch == kArch)
        for (const ir::SyscallRule& r : f.rules)
          if (r.nr == ioctl)
            for (const ir::Clause& c : r.when)
              for (const ir::ArgCmp& cmp : c)
                if (cmp.arg == 1)
                  for (uint64_t d : {uint64_t{0}, uint64_t{1}, ~uint64_t{0}}) values.insert((cmp.value + d) & 0xffffffff);
    if (values.size() < 2) continue;
    if (!header) {
      std::cout << "\nPer ioctl call (request values the rules name and their neighbours):\n\n"
                   "| program | requests tried | allowed mean / max | denied mean / max |\n|---|---:|---:|---:|\n";
      header = true;
    }
    for (const Program& p : group) {
      if (!p.policy) continue;
      if (!p.refused.empty()) {
        std::cout << "| " << p.label << " | refused: " << p.refused << " | | |\n";
        continue;
      }
      double sum[2] = {0, 0};
      uint32_t mx[2] = {0, 0};
      size_t n[2] = {0, 0};
      for (uint64_t v : values) {
        Args a{};
        a[1] = v;
        const RunResult r = run_call(p, ioctl, a);
        const int cls = allowed(r.ret) ? 0 : 1;
        sum[cls] += r.executed;
        mx[cls] = std::max(mx[cls], r.executed);
        ++n[cls];
      }
      std::cout << "| " << p.label << " | " << values.size() << " | " << fixed(n[0] ? sum[0] / double(n[0]) : 0)
                << " / " << mx[0] << " | " << fixed(n[1] ? sum[1] / double(n[1]) : 0) << " / " << mx[1] << " |\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: polc_filter_cost DATA_DIR INPUT...\n"
                 "  INPUT: POLICY.sbx, PROGRAM.bpf or PROFILE.json[:IMPORTED.sbx]\n";
    return 2;
  }
  const std::string data = argv[1];
  const std::vector<Mix> mixes = {read_mix(data, "python"), read_mix(data, "node")};
  // The argument vectors every x86_64 syscall is evaluated with: both workloads' samples.
  Samples samples;
  for (const Mix& m : mixes)
    for (const auto& [name, s] : m.args) samples[name].insert(samples[name].end(), s.begin(), s.end());
  const auto table = syscalls_of_arch();

  std::vector<std::vector<Program>> groups;
  for (int i = 2; i < argc; ++i) {
    const std::string path = argv[i];
    const size_t colon = path.find(".json:");
    if (colon != std::string::npos) {
      auto group = programs_of_profile(path.substr(0, colon + 5));
      // The translation's rows are named after the profile, not after the policy name it got.
      const std::string base = path.substr(0, colon + 5).substr(path.find_last_of('/', colon) + 1);
      for (Program& p : programs_of_policy(path.substr(colon + 6), table, mixes)) {
        p.label = base + " via polc import" + p.label.substr(p.label.find(':'));
        group.push_back(std::move(p));
      }
      groups.push_back(std::move(group));
    } else {
      groups.push_back(path.ends_with(".json")  ? programs_of_profile(path)
                       : path.ends_with(".bpf") ? program_of_file(path)
                                                : programs_of_policy(path, table, mixes));
    }
  }

  const scmp_version* v = seccomp_version();
  std::cout << "Programs generated by libseccomp " << v->major << "." << v->minor << "." << v->micro
            << "; instructions counted by polc's model of the kernel's BPF interpreter "
               "(`backends/seccomp/bpf_interp.h`) for x86_64 calls.\n\n";
  std::cout << "| program | length | allowed syscalls | allowed mean / max | denied mean / max | python mix "
               "| node mix | cache-eligible allowed | ranges |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::vector<std::vector<Cost>> costs;
  for (const auto& group : groups) {
    costs.emplace_back();
    for (const Program& p : group) {
      if (!p.refused.empty()) {
        costs.back().emplace_back();
        std::cout << "| " << p.label << " | refused: " << p.refused << " | | | | | | | |\n";
        continue;
      }
      const Cost& c = costs.back().emplace_back(measure(p, table, samples, mixes));
      std::cout << "| " << p.label << " | " << (p.bound ? std::string("–") : std::to_string(c.length)) << " | "
                << c.allowed_nrs << " | " << fixed(c.allowed_mean) << " / " << c.allowed_max << " `"
                << c.allowed_max_name << "` | " << fixed(c.denied_mean) << " / " << c.denied_max << " `"
                << c.denied_max_name << "`";
      for (size_t m = 0; m < mixes.size(); ++m)
        std::cout << " | " << fixed(c.mix_mean[m]) << " (" << fixed(c.mix_cached[m]) << ", "
                  << fixed(100 * c.mix_allowed[m], 0) << "%)";
      std::cout << " | " << c.eligible << " / " << c.allowed_nrs << " | " << c.ranges << " |\n";
    }
  }
  print_ioctl_costs(groups);

  // Every program of a group should decide every evaluated call alike: they compile the same rules,
  // or (for a profile) polc's translation of them; any difference is listed by syscall. Then the
  // allowed syscalls the action cache cannot hold, per group when its programs agree on them.
  std::cout << "\n";
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& group = groups[g];
    std::vector<std::string> same, differ;
    for (size_t i = 1; i < group.size(); ++i) {
      if (!group[i].refused.empty() || !group[0].refused.empty()) continue;
      const auto diff = disagreements(group[0], group[i], table, samples);
      if (diff.empty()) {
        same.push_back("`" + group[i].label + "`");
        continue;
      }
      std::string line = "`" + group[i].label + "` decides differently from `" + group[0].label + "`:";
      for (const std::string& n : diff) line += " " + n;
      differ.push_back(line);
    }
    std::string line = "- `" + group[0].label + "`";
    for (size_t i = 0; i < same.size(); ++i) line += (i + 1 == same.size() ? " and " : ", ") + same[i];
    std::cout << line << (same.empty() ? "" : " decide every evaluated call alike") << ".";
    for (const std::string& d : differ) std::cout << " " << d << ".";
    std::set<std::vector<std::string>> lists;
    for (size_t i = 0; i < groups[g].size(); ++i)
      if (groups[g][i].refused.empty()) lists.insert(costs[g][i].not_cached);
    for (size_t i = 0; i < groups[g].size(); ++i) {
      if (!groups[g][i].refused.empty()) continue;
      const auto& list = costs[g][i].not_cached;
      if (lists.size() > 1) std::cout << " `" << groups[g][i].label << "`:";
      if (lists.size() > 1 || i == 0) {
        std::cout << " Allowed but not cache-eligible:";
        for (const std::string& n : list) std::cout << " `" << n << "`";
        if (list.empty()) std::cout << " none";
        std::cout << ".";
      }
    }
    std::cout << "\n";
  }
  return 0;
}
