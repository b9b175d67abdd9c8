// Stage: backends/seccomp. libseccomp code generation (see codegen.h).
#include "backends/seccomp/codegen.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/isolated.h"
#include "compiler/posix/unique_fd.h"

namespace polc::backends::seccomp {

namespace {

enum scmp_compare scmp_op(AtomOp op) {
  switch (op) {
    case AtomOp::Eq: return SCMP_CMP_EQ;
    case AtomOp::Ne: return SCMP_CMP_NE;
    case AtomOp::Lt: return SCMP_CMP_LT;
    case AtomOp::Le: return SCMP_CMP_LE;
    case AtomOp::Gt: return SCMP_CMP_GT;
    case AtomOp::Ge: return SCMP_CMP_GE;
    case AtomOp::MaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

std::string failed(const char* what, int rc) { return std::string(what) + ": " + std::strerror(-rc); }

// libseccomp reads rule syscall numbers in the host's numbering and translates them by name to
// each arch of the context; so a foreign arch's rule is added under the host number of its name,
// and the translation is checked to land on the IR's number.
bool add_rules(void* ctx, const ArchPartition& part, std::string* error) {
  const uint32_t token = arch::scmp_token(part.arch);
  const bool native = token == seccomp_arch_native();
  for (const LoweredRule& rule : part.rules) {
    int nr = rule.nr;
    if (!native) {
      nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
      const int there = seccomp_syscall_resolve_name_arch(token, rule.syscall.c_str());
      // A negative number is one of x86's or s390x's multiplexed socket/IPC calls: libseccomp adds
      // the direct call and a socketcall/ipc rule for it (the conformance check then decides
      // whether that still means what the policy says).
      const bool pseudo = there < 0 && there != __NR_SCMP_ERROR && rule.cmps.empty();
      if (nr == __NR_SCMP_ERROR || (there != rule.nr && !pseudo)) {
        *error = "libseccomp does not know `" + rule.syscall + "` as syscall " + std::to_string(rule.nr) + " on " +
                 std::string(arch::name(part.arch));
        return false;
      }
    }
    std::vector<scmp_arg_cmp> cmps;
    for (const auto& [arg, atom] : rule.cmps) {
      scmp_arg_cmp c{};
      c.arg = arg;
      c.op = scmp_op(atom.op);
      c.datum_a = atom.op == AtomOp::MaskedEq ? atom.mask : atom.value;
      c.datum_b = atom.op == AtomOp::MaskedEq ? atom.value : 0;
      cmps.push_back(c);
    }
    // _exact: libseccomp must not rewrite the rule (it would, for example, turn a socket rule on
    // x86 into a socketcall rule that cannot test the arguments).
    const int rc = seccomp_rule_add_exact_array(ctx, ret_value(rule.action), nr, static_cast<unsigned>(cmps.size()),
                                                cmps.empty() ? nullptr : cmps.data());
    if (rc != 0) {
      *error =
          failed(("adding the rule for `" + rule.syscall + "` on " + std::string(arch::name(part.arch))).c_str(), rc);
      return false;
    }
  }
  return true;
}

}  // namespace

void ContextDeleter::operator()(void* ctx) const { seccomp_release(ctx); }

std::optional<Context> open_context(std::span<const arch::Arch> arches, uint32_t default_ret, std::string* error,
                                    int optimize) {
  Context ctx(seccomp_init(default_ret));
  if (!ctx) {
    *error = "seccomp_init failed";
    return std::nullopt;
  }
  int rc = 0;
  // The host arch leaves first: libseccomp refuses to mix byte orders in one context (s390x).
  bool keep_native = false;
  for (arch::Arch a : arches) keep_native = keep_native || arch::scmp_token(a) == seccomp_arch_native();
  if (!keep_native) rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE);
  for (arch::Arch a : arches)
    if (rc == 0 && seccomp_arch_exist(ctx.get(), arch::scmp_token(a)) != 0)
      rc = seccomp_arch_add(ctx.get(), arch::scmp_token(a));
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, static_cast<uint32_t>(optimize));
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc != 0) {
    *error = failed("configuring the libseccomp context", rc);
    return std::nullopt;
  }
  return ctx;
}

std::optional<std::vector<uint8_t>> export_program(void* ctx, std::string* error) {
  const UniqueFd memfd(memfd_create("polc-bpf", MFD_CLOEXEC));
  const int fd = memfd.get();
  if (fd < 0) {
    *error = std::string("memfd_create: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (int rc = seccomp_export_bpf(ctx, fd); rc != 0) {
    *error = failed("seccomp_export_bpf", rc);
    return std::nullopt;
  }
  const off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0 || lseek(fd, 0, SEEK_SET) != 0) {
    *error = "reading the exported program back failed";
    return std::nullopt;
  }
  std::vector<uint8_t> raw(static_cast<size_t>(size));
  size_t done = 0;
  while (done < raw.size()) {
    const ssize_t n = read(fd, raw.data() + done, raw.size() - done);
    if (n <= 0) {
      *error = "reading the exported program back failed";
      return std::nullopt;
    }
    done += static_cast<size_t>(n);
  }
  return raw;
}

namespace {

std::optional<std::vector<uint8_t>> generate_here(const std::vector<const ArchPartition*>& arches,
                                                  const ir::Action& default_action, std::string* error, int optimize) {
  Context main;
  for (const ArchPartition* part : arches) {
    const arch::Arch one[] = {part->arch};
    auto ctx = open_context(one, ret_value(default_action), error, optimize);
    if (!ctx || !add_rules(ctx->get(), *part, error)) return std::nullopt;
    if (!main) {
      main = std::move(*ctx);
      continue;
    }
    const int rc = seccomp_merge(main.get(), ctx->get());
    if (rc != 0) {
      *error = failed("merging architectures", rc);
      return std::nullopt;
    }
    (void)ctx->release();  // seccomp_merge took ownership
  }
  if (!main) {
    *error = "no architecture to generate";
    return std::nullopt;
  }
  return export_program(main.get(), error);
}

}  // namespace

std::optional<GeneratedProgram> generate(const std::vector<const ArchPartition*>& arches,
                                         const ir::Action& default_action, std::string* error, int optimize) {
  auto raw = start_generate(arches, default_action, optimize).finish(error);
  if (!raw) return std::nullopt;
  return GeneratedProgram{std::move(*raw)};
}

IsolatedJob start_generate(const std::vector<const ArchPartition*>& arches, const ir::Action& default_action,
                           int optimize) {
  return IsolatedJob([&](std::string* e) { return generate_here(arches, default_action, e, optimize); },
                     kLibseccompSeconds);
}

}  // namespace polc::backends::seccomp
