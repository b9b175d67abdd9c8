// Unit tests of translation validation (compiler/verify/translation.h and bpf_symbolic.h): the
// symbolic executor computes what the concrete BPF interpreter computes, every program polc emits
// is proved to decide like its policy, and systematically corrupted programs are refuted with
// witnesses that really disagree when replayed in the interpreter and the IR evaluator.
#include <doctest/doctest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/emit.h"
#include "compiler/import/oci_import.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/ir/evaluate.h"
#include "compiler/verify/bpf_symbolic.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/translation.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;
using namespace sc::bpf;
using verify::TranslationResult;
using Verdict = TranslationResult::Verdict;
using Prog = std::vector<sc::Insn>;

constexpr uint32_t kAuditX86_64 = 0xc000003e;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Built {
  std::unique_ptr<test::Compiled> compiled;
  std::vector<sc::ProgramArtifact> programs;
  const ir::Policy& policy() const { return *compiled->policy; }
};

Built build(const std::string& source) {
  Built b;
  b.compiled = test::compile(source);
  std::string diagnostics;
  for (const auto& d : b.compiled->engine.diagnostics()) diagnostics += d.message + "\n";
  REQUIRE_MESSAGE(b.compiled->policy, "the policy does not compile: " << diagnostics);
  auto artifacts = sc::emit(*b.compiled->policy, b.compiled->engine);
  REQUIRE_MESSAGE(artifacts, "the backend refused the policy");
  b.programs = std::move(artifacts->programs);
  return b;
}

std::string explain(const TranslationResult& r) { return r.witness ? r.witness->describe() : r.detail; }

// A mismatch's witness is real: the interpreter runs the program on it, the IR evaluator decides
// it, the two give the actions the result names, and those differ.
bool replays(const TranslationResult& r, std::span<const sc::Insn> program, bool big_endian, const ir::Policy& policy,
             std::span<const arch::Arch> decides) {
  if (r.verdict != Verdict::Mismatch || !r.witness) return false;
  const auto& w = *r.witness;
  const ir::Action actual = sc::decode_ret(sc::run(program, w.data, big_endian).ret);
  const ir::Action expected = sc::expected_action(policy, decides, w.data);
  return actual == w.actual && expected == w.expected && !(actual == expected);
}

// ---------------------------------------------------------------------------------------------
// The symbolic executor against the interpreter.

// A random program the kernel accepts, using every opcode seccomp allows: loads of every field,
// ALU with constants and X (division by X included, which may be by zero), scratch cells (all
// written first, as the checker requires), forward jumps, and returns of A and of constants.
Prog random_program(std::mt19937_64& rng) {
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  Prog p;
  p.push_back(stmt(kLd | kW | kAbs, 4 * pick(16)));
  for (uint32_t i = 0; i < kMemWords; ++i) {
    p.push_back(stmt(kAlu | kAdd | kK, pick(1u << 20)));
    p.push_back(stmt(kSt, i));
  }
  const uint32_t body = 8 + pick(40);
  const uint16_t alu_ops[] = {kAdd, kSub, kMul, kDiv, kOr, kAnd, kLsh, kRsh, kXor};
  const uint16_t jump_ops[] = {kJeq, kJgt, kJge, kJset};
  for (uint32_t i = 0; i < body; ++i) {
    const uint32_t left = body - i;  // instructions still to come before the final return
    switch (pick(10)) {
      case 0: p.push_back(stmt(kLd | kW | kAbs, 4 * pick(16))); break;
      case 1: p.push_back(stmt(pick(2) ? kLd | kImm : kLdx | kImm, static_cast<uint32_t>(rng()))); break;
      case 2: p.push_back(stmt(pick(2) ? kLd | kMem : kLdx | kMem, pick(kMemWords))); break;
      case 3: p.push_back(stmt(pick(2) ? kSt : kStx, pick(kMemWords))); break;
      case 4: p.push_back(stmt(kMisc | (pick(2) ? kTax : kTxa), 0)); break;
      case 5: {
        const uint16_t op = alu_ops[pick(9)];
        uint32_t k = static_cast<uint32_t>(rng());
        if (op == kLsh || op == kRsh) k %= 32;
        if (op == kDiv && k == 0) k = 3;
        p.push_back(stmt(kAlu | op | kK, pick(3) ? k : k % 8));
        break;
      }
      case 6: p.push_back(stmt(kAlu | alu_ops[pick(9)] | kX, 0)); break;
      case 7: p.push_back(stmt(kAlu | kNeg, 0)); break;
      case 8: {
        const uint16_t op = jump_ops[pick(4)];
        const auto jt = static_cast<uint8_t>(pick(std::min<uint32_t>(left, 6)));
        const auto jf = static_cast<uint8_t>(pick(std::min<uint32_t>(left, 6)));
        const uint32_t k = pick(2) ? static_cast<uint32_t>(rng()) : pick(8);
        p.push_back(jump(static_cast<uint16_t>(kJmp | op | (pick(3) ? kK : kX)), k, jt, jf));
        break;
      }
      default: p.push_back(pick(2) ? stmt(kRet | kA, 0) : stmt(kRet | kK, static_cast<uint32_t>(rng()))); break;
    }
  }
  p.push_back(stmt(kRet | kA, 0));
  return p;
}

sc::SeccompData random_data(std::mt19937_64& rng) {
  sc::SeccompData d;
  auto value = [&]() -> uint64_t { return rng() % 3 ? rng() : rng() % 8; };
  d.nr = static_cast<int32_t>(value());
  d.arch = static_cast<uint32_t>(value());
  d.ip = value();
  for (uint64_t& a : d.args) a = value();
  return d;
}

uint64_t evaluate(z3::expr term, const verify::SymbolicData& vars, const sc::SeccompData& d) {
  z3::context& ctx = term.ctx();
  z3::expr_vector from(ctx), to(ctx);
  from.push_back(vars.nr);
  to.push_back(ctx.bv_val(static_cast<uint32_t>(d.nr), 32));
  from.push_back(vars.arch);
  to.push_back(ctx.bv_val(d.arch, 32));
  from.push_back(vars.ip);
  to.push_back(ctx.bv_val(d.ip, 64));
  for (size_t i = 0; i < 6; ++i) {
    from.push_back(vars.args[i]);
    to.push_back(ctx.bv_val(d.args[i], 64));
  }
  return verify::numeral(term.substitute(from, to).simplify()).value_or(~uint64_t{0});
}

TEST_CASE("symbolic execution returns what the interpreter returns, on random programs and inputs") {
  std::mt19937_64 rng(42);
  z3::context ctx;
  const verify::SymbolicData vars = verify::make_data(ctx);
  size_t programs = 0, inputs = 0;
  while (programs < 300) {
    const Prog p = random_program(rng);
    auto checked = verify::CheckedProgram::check(p);
    if (!checked) continue;  // e.g. a jump past the end: the checker's business, tested elsewhere
    ++programs;
    const bool big = programs % 2 == 0;
    // Symbolic inputs: one term for the whole program, then evaluated on concrete inputs.
    const z3::expr symbolic = verify::return_value(verify::execute(*checked, big, vars));
    for (int i = 0; i < 8; ++i, ++inputs) {
      const sc::SeccompData d = random_data(rng);
      const uint32_t want = sc::run(p, d, big).ret;
      INFO("program " << programs << " input " << i);
      CHECK(evaluate(symbolic, vars, d) == want);
      // Concrete inputs: the walk folds every step and follows one path.
      verify::SymbolicData fixed{ctx.bv_val(static_cast<uint32_t>(d.nr), 32), ctx.bv_val(d.arch, 32),
                                 ctx.bv_val(d.ip, 64), vars.args};
      for (size_t a = 0; a < 6; ++a) fixed.args[a] = ctx.bv_val(d.args[a], 64);
      const auto exits = verify::execute(*checked, big, fixed);
      REQUIRE(exits.size() == 1);
      CHECK(exits[0].when.is_true());
      CHECK(verify::numeral(exits[0].value) == want);
    }
  }
  CHECK(inputs == 2400);
}

// A random dispatch-shaped program: loads of the number, the arch or a constant, sometimes an
// argument or an ALU step, and forward jumps of every kind against constants near a few pivots,
// ending in returns. return_for_numbers answers for many of these and must give up on the rest.
Prog random_dispatch(std::mt19937_64& rng) {
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  const uint32_t pivots[] = {0, 7, 8, 100, 0x3fffffff, 0x40000000, 0xfffffffe, 0xffffffff};
  Prog p;
  const size_t body = 2 + pick(24);
  for (size_t i = 0; i < body; ++i) {
    const size_t left = body - i;  // instructions after this one, before the final return
    switch (pick(12)) {
      case 0: p.push_back(stmt(kLd | kW | kAbs, pick(4) ? sc::kOffsetNr : sc::kOffsetArch)); break;
      case 1: p.push_back(stmt(kLd | kImm, pivots[pick(8)] + pick(3))); break;
      case 2: p.push_back(stmt(kLd | kW | kAbs, sc::arg_offset(pick(6), pick(2) == 0, false))); break;
      case 3: p.push_back(stmt(kAlu | kAnd | kK, pick(16))); break;
      case 4: p.push_back(stmt(kRet | kK, pick(5))); break;
      case 5: p.push_back(jump(kJmp | kJa, pick(static_cast<uint32_t>(left)), 0, 0)); break;
      default: {
        const uint16_t ops[] = {kJeq, kJgt, kJge, kJset};
        const uint32_t k = pivots[pick(8)] + pick(5) - 2;
        const auto reach = static_cast<uint32_t>(std::min<size_t>(left, 255));
        p.push_back(jump(static_cast<uint16_t>(kJmp | ops[pick(4)] | (pick(8) ? kK : kX)), k,
                         static_cast<uint8_t>(pick(reach)), static_cast<uint8_t>(pick(reach))));
      }
    }
  }
  p.push_back(stmt(kRet | (pick(4) ? kK : kA), pick(5)));
  return p;
}

TEST_CASE("return_for_numbers: every number of the range returns what it says, whatever the arguments") {
  std::mt19937_64 rng(7);
  size_t answered = 0, refused = 0, runs = 0;
  const uint32_t starts[] = {0, 5, 7, 8, 9, 99, 100, 0x3ffffffe, 0x40000000, 0xfffffff0};
  for (int n = 0; n < 4000; ++n) {
    const Prog p = random_dispatch(rng);
    if (!verify::CheckedProgram::check(p)) continue;
    const uint32_t lo = starts[rng() % 10] + static_cast<uint32_t>(rng() % 4);
    const uint32_t hi = lo + static_cast<uint32_t>(rng() % 3 == 0 ? 0 : rng() % 12);
    if (hi < lo) continue;
    const uint32_t audit = rng() % 2 ? kAuditX86_64 : static_cast<uint32_t>(rng());
    const auto ret = verify::return_for_numbers(p, audit, lo, hi);
    if (!ret) {
      ++refused;
      continue;
    }
    ++answered;
    for (uint64_t nr = lo; nr <= hi; ++nr)
      for (int i = 0; i < 3; ++i, ++runs) {
        sc::SeccompData d = random_data(rng);
        d.nr = static_cast<int32_t>(static_cast<uint32_t>(nr));
        d.arch = audit;
        INFO("program " << n << ", numbers " << lo << ".." << hi << ", nr " << nr);
        REQUIRE(sc::run(p, d, false).ret == *ret);
      }
  }
  // Both outcomes are exercised: a test that never answers (or never refuses) proves nothing.
  CHECK(answered > 500);
  CHECK(refused > 500);
  CHECK(runs > 5000);
}

TEST_CASE("return_for_numbers gives up where one run cannot speak for the range") {
  const auto dispatch = [](sc::Insn test) {
    return Prog{stmt(kLd | kW | kAbs, sc::kOffsetNr), test, stmt(kRet | kK, 1), stmt(kRet | kK, 2)};
  };
  // A bit test the two ends agree on (4 and 6 have bit 0 clear) but 5 does not.
  CHECK_FALSE(verify::return_for_numbers(dispatch(jump(kJmp | kJset | kK, 1, 0, 1)), kAuditX86_64, 4, 6));
  CHECK(verify::return_for_numbers(dispatch(jump(kJmp | kJset | kK, 1, 0, 1)), kAuditX86_64, 5, 5) == 1u);
  // Equality with a number inside the range; outside it the outcome is the same for all.
  CHECK_FALSE(verify::return_for_numbers(dispatch(jump(kJmp | kJeq | kK, 5, 0, 1)), kAuditX86_64, 4, 6));
  CHECK(verify::return_for_numbers(dispatch(jump(kJmp | kJeq | kK, 9, 0, 1)), kAuditX86_64, 4, 6) == 2u);
  // An order the range straddles.
  CHECK_FALSE(verify::return_for_numbers(dispatch(jump(kJmp | kJgt | kK, 5, 0, 1)), kAuditX86_64, 4, 6));
  CHECK(verify::return_for_numbers(dispatch(jump(kJmp | kJge | kK, 4, 0, 1)), kAuditX86_64, 4, 6) == 1u);
  // An argument read, an ALU step on the number, a comparison with X.
  CHECK_FALSE(verify::return_for_numbers(
      Prog{stmt(kLd | kW | kAbs, sc::arg_offset(0, true, false)), stmt(kRet | kK, 1)}, kAuditX86_64, 4, 4));
  CHECK_FALSE(verify::return_for_numbers(
      Prog{stmt(kLd | kW | kAbs, sc::kOffsetNr), stmt(kAlu | kAnd | kK, 1), stmt(kRet | kA, 0)}, kAuditX86_64, 4, 4));
  CHECK_FALSE(verify::return_for_numbers(dispatch(jump(kJmp | kJeq | kX, 0, 0, 1)), kAuditX86_64, 4, 4));
  // The arch is the value given: the arch check decides.
  const Prog arch_check = {stmt(kLd | kW | kAbs, sc::kOffsetArch), jump(kJmp | kJeq | kK, kAuditX86_64, 0, 1),
                           stmt(kRet | kK, 7), stmt(kRet | kK, 8)};
  CHECK(verify::return_for_numbers(arch_check, kAuditX86_64, 0, 0xffffffff) == 7u);
  CHECK(verify::return_for_numbers(arch_check, 0xc00000b7, 0, 0xffffffff) == 8u);
}

TEST_CASE("symbolic execution: the byte order decides which half of a 64-bit field a load reads") {
  z3::context ctx;
  const verify::SymbolicData vars = verify::make_data(ctx);
  for (bool big : {false, true}) {
    // Returns the high half of args[2] and of ip.
    const Prog p = {stmt(kLd | kW | kAbs, sc::arg_offset(2, true, big)), stmt(kRet | kA, 0)};
    const Prog q = {stmt(kLd | kW | kAbs, sc::half_offset(sc::kOffsetIp, true, big)), stmt(kRet | kA, 0)};
    sc::SeccompData d;
    d.args[2] = 0x1122334455667788;
    d.ip = 0xaabbccdd00000000;
    CHECK(evaluate(verify::return_value(verify::execute(*verify::CheckedProgram::check(p), big, vars)), vars, d) ==
          0x11223344);
    CHECK(evaluate(verify::return_value(verify::execute(*verify::CheckedProgram::check(q), big, vars)), vars, d) ==
          0xaabbccdd);
  }
}

TEST_CASE("symbolic decoding of return values matches decode_ret") {
  z3::context ctx;
  const z3::expr ret = ctx.bv_const("ret", 32);
  z3::expr decoded = verify::decoded_rank(ret);
  std::vector<uint32_t> values;
  for (uint32_t action : {sc::kRetKillProcess, sc::kRetKillThread, sc::kRetTrap, sc::kRetErrno, sc::kRetUserNotif,
                          sc::kRetTrace, sc::kRetLog, sc::kRetAllow, 0x00010000u, 0x7ffe0000u, 0xffff0000u})
    for (uint32_t data : {0u, 1u, 4094u, 4095u, 4096u, 0xffffu}) values.push_back(action | data);
  std::mt19937 rng(5);
  for (int i = 0; i < 200; ++i) values.push_back(static_cast<uint32_t>(rng()));
  for (uint32_t v : values) {
    z3::expr_vector from(ctx), to(ctx);
    from.push_back(ret);
    to.push_back(ctx.bv_val(v, 32));
    INFO("ret " << sc::hex(v));
    CHECK(verify::numeral(decoded.substitute(from, to).simplify()) == verify::rank(sc::decode_ret(v)));
    CHECK(verify::numeral(verify::decoded_rank(ctx.bv_val(v, 32))) == verify::rank(sc::decode_ret(v)));
  }
}

// ---------------------------------------------------------------------------------------------
// Emitted programs are proved.

TEST_CASE("translation validation proves every example's programs") {
  verify::TranslationValidator validator;
  size_t programs = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples")) {
    if (e.path().extension() != ".sbx") continue;
    INFO(e.path().filename().string());
    Built b = build(read(e.path()));
    for (const sc::ProgramArtifact& p : b.programs) {
      INFO("program for " << arch::name(p.arch));
      const TranslationResult r = validator.validate(p, b.policy());
      CHECK_MESSAGE(r.equivalent(), explain(r));
      CHECK(r.work.unknown == 0);
      ++programs;
    }
  }
  CHECK(programs >= 8);
}

// Small policies over every family polc targets, with every action and condition shape.
const std::vector<std::pair<std::string, std::string>>& small_policies() {
  static const std::vector<std::pair<std::string, std::string>> policies = {
      {"allow list", test::policy_with("  syscalls {\n    allow read, write, exit_group\n  }")},
      {"overlapping actions", test::policy_with(R"(  syscalls {
    default errno(EPERM)
    allow write, read, close
    deny write(fd == 2) errno(EBADF)
    kill write(fd > 1000)
    trap close(fd < 3)
    log read(count & 0xfff == 0)
    allow ioctl(request in {TCGETS, TIOCSTI})
    kill ioctl(request == TIOCSTI)
    allow clone
    kill clone(flags & CLONE_NEWUSER != 0)
    errno(ENOSYS) clone(flags & CLONE_NEWNET != 0)
  })",
                                                "x86_64, aarch64")},
      {"every action", test::policy_with(R"(  syscalls {
    default log
    allow read
    kill_thread write(fd == 5)
    trap getpid
    user_notif openat
    trace(7) ptrace
    errno(4094) mkdirat
    kill_process reboot
  })",
                                         "x86_64")},
      {"x86 family", test::policy_with(R"(  syscalls {
    default errno(ENOSYS)
    allow read, write, close, exit_group
    deny write(fd > 2) errno(EBADF)
  })",
                                       "x86_64, x32, x86")},
      {"x32 alone", test::policy_with("  syscalls {\n    allow read, write\n    kill close(fd == 0)\n  }", "x32")},
      {"arm family", test::policy_with(R"(  syscalls {
    default errno(EPERM)
    allow read, write, mprotect(prot & PROT_EXEC == 0)
  })",
                                       "aarch64, arm")},
      {"riscv64", test::policy_with("  syscalls {\n    allow read, lseek(whence <= 2)\n  }", "riscv64")},
  };
  return policies;
}

TEST_CASE("translation validation proves small policies on every family") {
  verify::TranslationValidator validator;
  for (const auto& [name, source] : small_policies()) {
    const auto& shown = name;  // clang 14 cannot capture a structured binding (INFO does)
    INFO(shown);
    Built b = build(source);
    for (const sc::ProgramArtifact& p : b.programs) {
      INFO("program for " << arch::name(p.arch));
      const TranslationResult r = validator.validate(p, b.policy());
      CHECK_MESSAGE(r.equivalent(), explain(r));
    }
  }
}

TEST_CASE("translation validation proves Docker's default profile as polc imports it") {
  // The same copy of the profile the import tests use.
  const std::string profile = std::string(POLC_SOURCE_DIR) + "/tests/golden/import/docker-default.json";
  auto c = std::make_unique<test::Compiled>();
  const auto fid = c->sources.add("docker-default.json", read(profile));
  import::ImportOptions options;
  options.targets = {arch::Arch::x86_64};
  for (std::string_view cap : import::docker_default_caps()) options.caps.emplace_back(cap);
  options.docker_default_caps = true;
  options.policy_name = "docker_default";
  options.profile_name = "docker-default.json";
  options.output_name = "docker_default.sbx";
  auto imported = import::import_oci(c->engine, fid, options);
  REQUIRE(imported.source);
  Built b = build(*imported.source);
  REQUIRE(b.programs.size() == 1);
  const TranslationResult r = verify::validate_translation(b.programs[0], b.policy());
  CHECK_MESSAGE(r.equivalent(), explain(r));
}

TEST_CASE("a program the kernel would refuse is invalid, not a mismatch") {
  Built b = build(small_policies()[0].second);
  Prog p = b.programs[0].insns;
  p.back() = stmt(kLd | kImm, 0);  // the last instruction is no longer a return
  const TranslationResult r = verify::validate_translation(p, false, b.policy(), b.programs[0].decides);
  CHECK(r.verdict == Verdict::Invalid);
  CHECK(r.detail.find("return") != std::string::npos);
}

TEST_CASE("hand-written programs: scratch cells, X, RET A and division by zero are modelled") {
  // allow read (0), errno(nr) for 1..9 computed in A, kill for the rest; the arch is checked.
  Built b = build(test::policy_with(R"(  syscalls {
    default kill_process
    allow read
    errno(1) write
    errno(2) open
    errno(3) close
    errno(4) stat
    errno(5) fstat
    errno(6) lstat
    errno(7) poll
    errno(8) lseek
    errno(9) mmap
  })"));
  const std::vector<arch::Arch> decides = {arch::Arch::x86_64};
  const Prog right = {
      stmt(kLd | kW | kAbs, sc::kOffsetArch),      // 0
      jump(kJmp | kJeq | kK, kAuditX86_64, 1, 0),  // 1
      stmt(kRet | kK, sc::kRetKillProcess),        // 2
      stmt(kLd | kW | kAbs, sc::kOffsetNr),        // 3
      stmt(kSt, 3),                                // 4: M[3] = nr
      jump(kJmp | kJeq | kK, 0, 7, 0),             // 5: read -> 13
      jump(kJmp | kJgt | kK, 9, 5, 0),             // 6: > 9 -> 12
      stmt(kMisc | kTax, 0),                       // 7: X = nr
      stmt(kLd | kImm, sc::kRetErrno),             // 8
      stmt(kAlu | kOr | kX, 0),                    // 9: A = errno | nr
      stmt(kLdx | kMem, 3),                        // 10
      stmt(kRet | kA, 0),                          // 11
      stmt(kRet | kK, sc::kRetKillProcess),        // 12
      stmt(kRet | kK, sc::kRetAllow),              // 13
  };
  CHECK_MESSAGE(verify::validate_translation(right, false, b.policy(), decides).equivalent(),
                explain(verify::validate_translation(right, false, b.policy(), decides)));
  // The same, but dividing by X = nr - 1 on the way: nr 1 divides by zero, which ends the
  // program with 0 (kill_thread) where the policy says errno(1).
  Prog divides = right;
  divides.insert(divides.begin() + 9,
                 {stmt(kMisc | kTxa, 0), stmt(kAlu | kSub | kK, 1), stmt(kMisc | kTax, 0), stmt(kLd | kImm, 12),
                  stmt(kAlu | kDiv | kX, 0), stmt(kLdx | kMem, 3), stmt(kLd | kImm, sc::kRetErrno)});
  divides[6].jt = 12;  // still to the kill return
  divides[5].jt = 14;  // still to the allow return
  const TranslationResult r = verify::validate_translation(divides, false, b.policy(), decides);
  REQUIRE(r.verdict == Verdict::Mismatch);
  CHECK(r.witness->data.nr == 1);
  CHECK(r.witness->actual.kind == ir::ActionKind::KillThread);
  CHECK(replays(r, divides, false, b.policy(), decides));
}

// ---------------------------------------------------------------------------------------------
// Mutation tests: corrupted programs are refuted.

struct Mutant {
  std::string kind;  // the rule that made it
  std::string what;  // where and what exactly
  Prog program;
};

// Every mutation of `p` by the rules below, each a single change that keeps the program loadable:
// a conditional jump's targets swapped; a compared constant (syscall number, argument value or
// arch) plus one; a return of a constant turned into allow, into kill_process, or (errno and
// trace) with its data plus one; the arch check dropped (its jump made to always continue).
std::vector<Mutant> mutants(const Prog& p) {
  std::vector<Mutant> out;
  auto add = [&](size_t pc, const std::string& kind, const sc::Insn& insn) {
    Prog q = p;
    q[pc] = insn;
    if (q == p) return;
    out.push_back({kind, "instruction " + std::to_string(pc) + " (" + sc::hex(p[pc].k) + "): " + kind, std::move(q)});
  };
  bool after_arch_load = false;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const sc::Insn& insn = p[pc];
    if (op_class(insn.code) == kJmp && op_op(insn.code) != kJa) {
      sc::Insn swapped = insn;
      std::swap(swapped.jt, swapped.jf);
      add(pc, "jt and jf swapped", swapped);
      if (op_src(insn.code) == kK) {
        sc::Insn plus = insn;
        ++plus.k;
        add(pc, "compared constant + 1", plus);
      }
      if (after_arch_load && op_op(insn.code) == kJeq) {
        sc::Insn always = insn;
        always.jf = always.jt;
        add(pc, "arch check dropped", always);
      }
    }
    if (insn.code == (kRet | kK)) {
      add(pc, "returns allow", stmt(kRet | kK, sc::kRetAllow));
      add(pc, "returns kill_process", stmt(kRet | kK, sc::kRetKillProcess));
      const uint32_t action = insn.k & sc::kRetActionMask;
      if (action == sc::kRetErrno || action == sc::kRetTrace) add(pc, "returned data + 1", stmt(kRet | kK, insn.k + 1));
    }
    if (insn.code == (kLd | kW | kAbs)) after_arch_load = insn.k == sc::kOffsetArch;
    else if (op_class(insn.code) != kJmp) after_arch_load = false;
  }
  return out;
}

// Independent evidence that a mutant the validator accepts really is equivalent: the sampling
// conformance check finds no difference with the policy, and a direct proof that the mutant and
// the original program (itself proved) return the same action for every input, which shares no
// code with the validator's splitting of the input space or its model of the policy.
bool equivalent_mutant(const Prog& original, const Prog& mutant, bool big, const ir::Policy& policy,
                       std::span<const arch::Arch> decides) {
  std::vector<uint32_t> audits;
  for (arch::Arch a : arch::kAllArches) audits.push_back(arch::audit_arch(a));
  audits.push_back(0xc0000015);
  if (sc::check_program(mutant, big, policy, decides, audits)) return false;
  z3::context ctx;
  const verify::SymbolicData vars = verify::make_data(ctx);
  auto action = [&](const Prog& p) {
    return verify::decoded_rank(verify::return_value(verify::execute(*verify::CheckedProgram::check(p), big, vars)));
  };
  verify::Query q(ctx);
  return q.check(action(original) != action(mutant)) == verify::Answer::Unsat;
}

TEST_CASE("mutation tests: every corrupted program is refuted with a witness that replays") {
  struct Subject {
    std::string name;
    std::string source;
    size_t program;  // which program of the policy
  };
  const std::vector<Subject> subjects = {
      {"overlapping actions, x86_64", small_policies()[1].second, 0},
      {"overlapping actions, aarch64", small_policies()[1].second, 1},
      {"every action", small_policies()[2].second, 0},
      {"x86 family, x86_64 program", small_policies()[3].second, 0},
      {"x86 family, x86 program", small_policies()[3].second, 1},
      {"riscv64", small_policies()[6].second, 0},
      {"minimal_static, x86_64", read(std::string(POLC_SOURCE_DIR) + "/examples/minimal_static.sbx"), 0},
  };
  verify::TranslationValidator validator;
  size_t generated = 0, refuted = 0, equivalent = 0;
  std::map<std::string, std::array<size_t, 3>> by_kind;  // generated, refuted, equivalent
  for (const Subject& s : subjects) {
    Built b = build(s.source);
    REQUIRE(s.program < b.programs.size());
    const sc::ProgramArtifact& original = b.programs[s.program];
    const bool big = arch::big_endian(original.arch);
    REQUIRE(validator.validate(original, b.policy()).equivalent());
    for (const Mutant& m : mutants(original.insns)) {
      INFO(s.name << ", " << m.what);
      ++generated;
      ++by_kind[m.kind][0];
      const TranslationResult r = validator.validate(m.program, big, b.policy(), original.decides);
      REQUIRE(r.verdict != Verdict::Unknown);
      if (r.verdict == Verdict::Mismatch) {
        CHECK(replays(r, m.program, big, b.policy(), original.decides));
        ++refuted;
        ++by_kind[m.kind][1];
      } else {
        // Accepted: only right if the mutation changed nothing the kernel would do.
        CHECK(equivalent_mutant(original.insns, m.program, big, b.policy(), original.decides));
        MESSAGE("equivalent mutant: " << s.name << ", " << m.what);
        ++equivalent;
        ++by_kind[m.kind][2];
      }
    }
  }
  for (const auto& [kind, n] : by_kind)
    MESSAGE(kind << ": " << n[0] << " generated, " << n[1] << " refuted, " << n[2] << " equivalent");
  MESSAGE("mutants: " << generated << " generated, " << refuted << " refuted with replayed witnesses, " << equivalent
                      << " equivalent (proved)");
  CHECK(refuted + equivalent == generated);
  CHECK(generated > 300);
  CHECK(equivalent * 10 < generated);  // equivalent mutants are the exception
}

}  // namespace
}  // namespace polc
