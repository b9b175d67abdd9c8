// The differential oracle of the seccomp generators: the same IR through polc's own generator
// (backends/seccomp/gen) and through libseccomp (partition + codegen), both programs run in the BPF
// interpreter and compared with each other and with ir::decide, over every syscall number each
// arch can send (probe_numbers, plus the edges of every number range and of the x32 split) and the
// argument edges of every condition (probe_args), on every example, every standard module and
// seeded random policies on every arch. polc's program is compared with ir::decide alone where
// libseccomp cannot express a policy (E0601: 64-bit comparisons on 32-bit filters, conditions on
// x86/s390x socket and IPC calls; E0602), for big-endian programs built on a little-endian host
// (libseccomp 2.5 mis-encodes them), and where libseccomp's program disagrees with the policy in a
// way emit's own conformance check catches (the build refuses such a program). Also: every number
// the policy allows whatever the arguments is cache-eligible in polc's program, and no program is
// cache-eligible for a number it does not always allow.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/codegen.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/gen/generate.h"
#include "backends/seccomp/partition.h"
#include "compiler/ir/evaluate.h"
#include "compiler/sema/syscall_table.h"
#include "tests/fuzz/random_policy.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;
using sc::Args;
using sc::Insn;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool host_big_endian() {
  const uint16_t one = 1;
  return *reinterpret_cast<const uint8_t*>(&one) == 0;
}

// One generator's program for an arch, or why it has none.
struct Made {
  std::optional<std::vector<Insn>> insns;
  std::string error;
};

const ir::ArchFilter* filter_of(const ir::Policy& p, arch::Arch a) {
  for (const ir::ArchFilter& f : p.syscalls.arches)
    if (f.arch == a) return &f;
  return nullptr;
}

// libseccomp's program for the family of `a`, as emit makes it: masked spelling, and with
// `compact` the compact one when the masked one needs too many rules or instructions (random
// policies go without: libseccomp 2.5 can loop on compact spellings, until its 60 s deadline).
// Errors are named by their diagnostic.
Made libseccomp_program(const ir::Policy& p, arch::Arch a, bool compact) {
  Made out;
  const std::vector<arch::Arch> decides = arch::family_targets(a, p.targets);
  for (sc::Spelling spelling : {sc::Spelling::Masked, sc::Spelling::Compact}) {
    if (spelling == sc::Spelling::Compact && !compact) break;
    std::vector<sc::ArchPartition> parts;
    out.error.clear();
    for (arch::Arch m : decides) {
      parts.push_back(sc::partition(*filter_of(p, m), p.syscalls.default_action, spelling));
      for (const sc::PartitionError& e : parts.back().errors)
        if (out.error.empty())
          out.error = e.kind == sc::PartitionError::Kind::TooManyRules ? "E0602 (too many rules)"
                      : e.kind == sc::PartitionError::Kind::TooWide    ? "E0601 (too wide)"
                                                                       : "E0601 (multiplexed)";
    }
    if (!out.error.empty()) {
      if (out.error.starts_with("E0602")) continue;
      return out;
    }
    std::vector<const sc::ArchPartition*> members;
    for (const sc::ArchPartition& part : parts) members.push_back(&part);
    std::string error;
    auto generated = sc::generate(members, p.syscalls.default_action, &error);
    if (!generated) {
      out.error = "libseccomp failed: " + error;
      return out;
    }
    auto insns = sc::decode(generated->raw, arch::big_endian(a), &error);
    if (!insns) {
      out.error = "undecodable: " + error;
      return out;
    }
    if (insns->size() > sc::bpf::kMaxInsns) {
      out.error = "E0602 (" + std::to_string(insns->size()) + " instructions)";
      continue;
    }
    out.insns = std::move(*insns);
    out.error.clear();
    return out;
  }
  return out;
}

Made polc_program(const ir::Policy& p, arch::Arch a, const sc::gen::Options& options) {
  const std::vector<arch::Arch> decides = arch::family_targets(a, p.targets);
  sc::gen::Result r = sc::gen::generate(p, decides, options);
  Made out;
  if (r.error.empty()) out.insns = std::move(r.insns);
  else out.error = r.error;
  return out;
}

// What the comparisons covered, summed over a test case.
struct Tally {
  size_t programs = 0;        // programs of polc's generator compared
  size_t both = 0;            // ... of which libseccomp made the same program's counterpart
  size_t polc_only = 0;       // libseccomp could not (E0601/E0602) or is mis-encoded (big-endian)
  size_t both_refused = 0;    // neither generator can (64-bit comparisons on 32-bit filters)
  size_t calls = 0;           // (arch, nr, args) triples run
  size_t cache_required = 0;  // numbers always allowed whatever the arguments, checked cache-eligible
  std::map<std::string, size_t> lib_reasons;
};

// Random register values of the shapes that matter (as seccomp_differential_test's).
Args random_args(std::mt19937_64& rng) {
  Args a{};
  for (uint64_t& v : a) switch (rng() % 5) {
      case 0: v = rng(); break;
      case 1: v = rng() % 64; break;
      case 2: v = rng() & 0xffffffff; break;
      case 3: v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rng()))); break;
      default: v = (rng() << 32) | (rng() % 0x10000); break;
    }
  return a;
}

// Numbers worth asking for on audit value `audit`: probe_numbers of every arch that sends it, the
// neighbours of every number the policy names (the edges of the number tree's ranges), the x32
// split, the ends of the int range, and random ones.
std::vector<int32_t> numbers_for(uint32_t audit, arch::Arch program, const ir::Policy& p, std::mt19937_64& rng) {
  bool own_family = false;
  for (arch::Arch a : arch::kAllArches)
    if (arch::audit_arch(a) == audit && (arch::family(program) & arch::bit(a))) own_family = true;
  // Another family's or an unknown arch: the arch check decides, a few numbers suffice.
  if (!own_family) return {0, 1, 59, 0x40000000, -1, INT32_MIN, INT32_MAX};
  std::set<int32_t> out;
  for (arch::Arch a : arch::kAllArches)
    if (arch::audit_arch(a) == audit) {
      for (int32_t n : sc::probe_numbers(a, p)) out.insert(n);
      if (const ir::ArchFilter* f = filter_of(p, a))
        for (const ir::SyscallRule& r : f->rules)
          for (int64_t d = -2; d <= 2; ++d) out.insert(static_cast<int32_t>(static_cast<int64_t>(r.nr) + d));
    }
  for (uint32_t n : {0x3ffffffeu, 0x3fffffffu, 0x40000000u, 0x40000001u, 0x7ffffffeu, 0x7fffffffu, 0x80000000u,
                     0x80000001u, 0xbfffffffu, 0xc0000000u, 0xfffffffeu, 0xffffffffu, 0x000f0000u, 0x000fffffu})
    out.insert(static_cast<int32_t>(n));
  for (int i = 0; i < 24; ++i) out.insert(static_cast<int32_t>(rng()));
  return {out.begin(), out.end()};
}

std::vector<uint32_t> audit_values() {
  std::vector<uint32_t> out;
  for (arch::Arch a : arch::kAllArches)
    if (std::find(out.begin(), out.end(), arch::audit_arch(a)) == out.end()) out.push_back(arch::audit_arch(a));
  out.push_back(0xc0000015);  // ppc64le: never a target
  out.push_back(0);
  return out;
}

// The rules ir::decide reads for (audit, nr) when the call belongs to one of `decides`, else empty.
std::span<const ir::SyscallRule> rules_for(const ir::Policy& p, std::span<const arch::Arch> decides, uint32_t audit,
                                           int32_t nr) {
  const auto target = ir::call_target(p.targets, audit, nr);
  if (!target || !ir::call_target(decides, audit, nr)) return {};
  const ir::ArchFilter* f = filter_of(p, *target);
  if (f == nullptr) return {};
  auto lo = std::lower_bound(f->rules.begin(), f->rules.end(), nr,
                             [](const ir::SyscallRule& r, int32_t n) { return r.nr < n; });
  auto hi = lo;
  while (hi != f->rules.end() && hi->nr == nr) ++hi;
  return {lo, hi};
}

// Above this many argument vectors for one number, they are thinned evenly: a number with large
// sets on several arguments would otherwise dominate the run time (under ASan especially).
constexpr size_t kMaxArgsPerNumber = 2000;

// Runs every call on every program given and compares each with ir::decide; reports the first
// few disagreements precisely (which program, which call, what each side decides).
void compare(const std::string& what, const ir::Policy& p, arch::Arch a, const std::vector<Insn>& polc,
             const std::vector<Insn>* lib, uint64_t seed, Tally& tally) {
  INFO(what << ", program for " << arch::name(a));
  const std::vector<arch::Arch> decides = arch::family_targets(a, p.targets);
  const bool big = arch::big_endian(a);
  std::mt19937_64 rng(seed);
  size_t failures = 0;
  struct Candidate {
    std::string name;
    const std::vector<Insn>* insns;
  };
  std::vector<Candidate> programs = {{"polc", &polc}};
  if (lib) programs.push_back({"libseccomp", lib});
  for (const Candidate& c : programs) {
    const auto invalid = sc::validate(*c.insns);
    REQUIRE_MESSAGE(!invalid, c.name << "'s program would not load: " << *invalid);
  }
  for (uint32_t audit : audit_values()) {
    for (int32_t nr : numbers_for(audit, a, p, rng)) {
      const std::span<const ir::SyscallRule> rules = rules_for(p, decides, audit, nr);
      std::vector<Args> args = rules.empty() ? std::vector<Args>{Args{}} : sc::probe_args(rules);
      if (args.size() > kMaxArgsPerNumber) {
        std::vector<Args> thinned;
        const size_t stride = args.size() / kMaxArgsPerNumber + 1;
        for (size_t i = 0; i < args.size(); i += stride) thinned.push_back(args[i]);
        args = std::move(thinned);
      }
      for (int i = rules.empty() ? 1 : 6; i > 0; --i) args.push_back(random_args(rng));
      // Unconditional: every rule of the number holds whatever the arguments.
      const bool unconditional = ir::call_target(decides, audit, nr) &&
                                 std::all_of(rules.begin(), rules.end(), [](const ir::SyscallRule& r) {
                                   return r.when.size() == 1 && r.when[0].empty();
                                 });
      std::vector<sc::CacheVerdict> cache;
      for (const Candidate& c : programs) cache.push_back(sc::const_action(*c.insns, audit, nr, big));
      for (const Args& x : args) {
        sc::SeccompData d;
        d.nr = nr;
        d.arch = audit;
        d.args = x;
        const ir::Action expected = sc::expected_action(p, decides, d);
        ++tally.calls;
        if (unconditional && expected.kind == ir::ActionKind::Allow && &x == &args.front()) {
          ++tally.cache_required;
          CHECK_MESSAGE(cache[0] == sc::CacheVerdict::AlwaysAllow,
                        "polc's program is not cache-eligible for arch " << sc::hex(audit) << " nr " << nr
                                                                        << ", which the policy always allows");
        }
        for (size_t i = 0; i < programs.size(); ++i) {
          const sc::RunResult r = sc::run(*programs[i].insns, d, big);
          const ir::Action actual = sc::decode_ret(r.ret);
          const bool cache_wrong = cache[i] == sc::CacheVerdict::AlwaysAllow && actual.kind != ir::ActionKind::Allow;
          if (actual == expected && r.fault == nullptr && !cache_wrong) continue;
          sc::Mismatch m{d, expected, actual};
          FAIL_CHECK(programs[i].name << "'s program disagrees: " << m.describe()
                                      << (r.fault ? std::string(" (fault: ") + r.fault + ")" : std::string())
                                      << (cache_wrong ? std::string(" (and const_action says always allow)") : std::string()));
          if (++failures >= 5) return;
        }
      }
    }
  }
}

// Makes both programs of every target of `p` and compares them. `lib_may_fail`: libseccomp's
// refusal is expected for some targets (random policies, x86 socket conditions); otherwise it
// must make every program (examples).
// Random policies: libseccomp only sees the ones that test one argument per syscall, and never
// the compact spelling (on other shapes libseccomp 2.5 can loop until its 60 s deadline, and its
// masked spelling of random multi-argument conditions is E0602 anyway).
enum class Libseccomp : uint8_t { AsEmit, SingleArgumentOnly };

void check_policy(const std::string& what, const ir::Policy& p, uint64_t seed, Tally& tally,
                  Libseccomp use = Libseccomp::AsEmit, const sc::gen::Options& options = {}) {
  const bool try_lib = use == Libseccomp::AsEmit || test::single_argument(p);
  for (arch::Arch a : p.targets) {
    INFO(what << ", program for " << arch::name(a));
    Made lib;
    if (try_lib) lib = libseccomp_program(p, a, use == Libseccomp::AsEmit);
    else lib.error = "not tried (several arguments per syscall)";
    const Made polc = polc_program(p, a, options);
    if (!polc.insns) {
      // Only acceptable for a comparison no 32-bit filter can make (E0601 for libseccomp too).
      CHECK_MESSAGE(test::too_wide(p, arch::family_targets(a, p.targets)),
                    "polc's generator refused (" << polc.error << "), libseccomp "
                                                 << (lib.insns ? "did not" : "refused too: " + lib.error));
      ++tally.both_refused;
      continue;
    }
    // libseccomp 2.5 mis-encodes programs whose byte order differs from the host's.
    bool lib_usable = lib.insns && arch::big_endian(a) == host_big_endian();
    // A libseccomp program that emit's own conformance check refuses is never shipped (FilterMismatch):
    // it counts as a refusal, reported here, and polc's program is compared with ir::decide alone.
    if (lib_usable) {
      const std::vector<arch::Arch> decides = arch::family_targets(a, p.targets);
      if (auto m = sc::check_program(*lib.insns, arch::big_endian(a), p, decides, audit_values())) {
        MESSAGE(what << ", " << arch::name(a) << ": libseccomp's program disagrees with the policy (emit's check "
                     << "refuses it): " << m->describe());
        ++tally.lib_reasons["libseccomp wrong, emit refuses"];
        lib_usable = false;
      }
    }
    if (!lib_usable && (!lib.insns || arch::big_endian(a) != host_big_endian()))
      ++tally.lib_reasons[lib.insns ? "byte order" : lib.error];
    if (lib.error.starts_with("libseccomp failed")) MESSAGE(what << ", " << arch::name(a) << ": " << lib.error);
    ++tally.programs;
    ++(lib_usable ? tally.both : tally.polc_only);
    compare(what, p, a, *polc.insns, lib_usable ? &*lib.insns : nullptr, seed + static_cast<uint64_t>(a), tally);
  }
}

void report(const std::string& name, const Tally& t) {
  std::string reasons;
  for (const auto& [why, n] : t.lib_reasons) reasons += " " + why + ": " + std::to_string(n) + ";";
  MESSAGE(name << ": " << t.programs << " polc programs (" << t.both << " against libseccomp too, " << t.polc_only
               << " against ir::decide alone;" << reasons << " " << t.both_refused << " refused by both), "
               << t.calls << " calls, " << t.cache_required << " always-allowed numbers cache-eligible");
}

// The recorded Python mix (bench/data) as the generator's weights for x86_64: the number search
// then takes another shape, which must decide the same.
sc::gen::Options python_mix() {
  sc::gen::Options options;
  std::ifstream in(std::string(POLC_SOURCE_DIR) + "/bench/data/syscall_mix_python.tsv");
  std::string name;
  double count = 0;
  while (in >> name >> count)
    if (auto nr = sema::syscall_number(name, arch::Arch::x86_64))
      options.weights[arch::Arch::x86_64][static_cast<uint32_t>(*nr)] = count;
  return options;
}

TEST_CASE("oracle: every example, both generators and ir::decide agree on every call") {
  Tally tally, weighted;
  const sc::gen::Options mix = python_mix();
  REQUIRE(mix.weights.at(arch::Arch::x86_64).size() >= 20);
  size_t examples = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples")) {
    if (e.path().extension() != ".sbx") continue;
    auto c = test::compile(read(e.path()));
    INFO(e.path().filename().string());
    REQUIRE_MESSAGE(c->policy, "the example does not compile");
    check_policy(e.path().filename().string(), *c->policy, 100 + examples, tally);
    check_policy(e.path().filename().string() + " weighted by the Python mix", *c->policy, 100 + examples, weighted,
                 Libseccomp::AsEmit, mix);
    ++examples;
  }
  report("examples", tally);
  report("examples, polc weighted by the Python mix", weighted);
  CHECK(examples >= 5);
  CHECK(tally.both >= 10);  // every example's programs have libseccomp's counterpart
}

// Every std module, imported into a policy for every arch at once (and once more without x32,
// whose 32-bit filter refuses 64-bit comparisons in both generators).
std::vector<std::string> std_modules() {
  std::vector<std::string> out;
  const std::filesystem::path root = std::string(POLC_SOURCE_DIR) + "/stdlib";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().extension() == ".sbx") {
      std::string m = std::filesystem::relative(e.path(), root).replace_extension().string();
      std::replace(m.begin(), m.end(), '/', '.');
      out.push_back(m);
    }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("oracle: every standard module on every arch, both generators and ir::decide agree") {
  Tally tally;
  const std::vector<std::string> modules = std_modules();
  CHECK(modules.size() >= 9);
  for (const std::string& m : modules)
    for (const std::string targets :
         {"x86_64, x86, x32, aarch64, arm, riscv64, s390x", "x86_64, x86, aarch64, arm, riscv64, s390x"}) {
      const std::string src = "policy w version 1 {\n  targets " + targets + "\n  import std." + m +
                              "\n  syscalls {\n    default errno(EPERM)\n  }\n}\n";
      auto c = test::compile(src);
      INFO("std." << m << " on " << targets);
      std::string diagnostics;
      for (const auto& d : c->engine.diagnostics()) diagnostics += d.message + "\n";
      REQUIRE_MESSAGE(c->policy, "does not compile: " << diagnostics);
      check_policy("std." + m, *c->policy, 200, tally);
    }
  report("std modules", tally);
}

TEST_CASE("oracle: seeded random policies on every arch, both generators and ir::decide agree") {
  Tally tally;
  constexpr int kPerArch = 8;
  for (arch::Arch a : arch::kAllArches)
    for (int i = 0; i < kPerArch; ++i) {
      const uint64_t seed = 1000 * (static_cast<uint64_t>(a) + 1) + static_cast<uint64_t>(i);
      std::mt19937_64 rng(seed);
      std::vector<uint8_t> bytes(4096);
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
      test::ByteSource in(bytes);
      const ir::Policy p = test::random_policy(in, test::random_family(in, a), 12);
      check_policy("random policy, seed " + std::to_string(seed), p, seed, tally, Libseccomp::SingleArgumentOnly);
    }
  report("random policies", tally);
  CHECK(tally.programs >= 7 * kPerArch);
  CHECK(tally.both >= 10);  // libseccomp takes part in some of the comparisons
}

}  // namespace
}  // namespace polc
