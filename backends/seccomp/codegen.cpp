// Stage: backends/seccomp. libseccomp code generation (see codegen.h).
#include "backends/seccomp/codegen.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "backends/seccomp/bpf_program.h"

namespace polc::backends::seccomp {

namespace {

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

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

// A context holding only `a`, with polc's attributes: kill_process for any other arch, the binary
// tree, and no_new_privs left to the launcher (the program is exported, never loaded here).
Ctx make_context(arch::Arch a, uint32_t default_ret, std::string* error) {
  Ctx ctx(seccomp_init(default_ret));
  if (!ctx) {
    *error = "seccomp_init failed";
    return nullptr;
  }
  const uint32_t token = arch::scmp_token(a);
  int rc = 0;
  if (seccomp_arch_exist(ctx.get(), token) != 0) rc = seccomp_arch_add(ctx.get(), token);
  if (rc == 0 && token != seccomp_arch_native()) rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE);
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc == 0) rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc != 0) {
    *error = failed("configuring the libseccomp context", rc);
    return nullptr;
  }
  return ctx;
}

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
      if (nr == __NR_SCMP_ERROR || seccomp_syscall_resolve_name_arch(token, rule.syscall.c_str()) != rule.nr) {
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
      *error = failed(("adding the rule for `" + rule.syscall + "` on " + std::string(arch::name(part.arch))).c_str(), rc);
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<GeneratedProgram> generate(const std::vector<const ArchPartition*>& arches,
                                         const ir::Action& default_action, std::string* error) {
  const uint32_t default_ret = ret_value(default_action);
  Ctx main;
  for (const ArchPartition* part : arches) {
    Ctx ctx = make_context(part->arch, default_ret, error);
    if (!ctx || !add_rules(ctx.get(), *part, error)) return std::nullopt;
    if (!main) {
      main = std::move(ctx);
      continue;
    }
    const int rc = seccomp_merge(main.get(), ctx.get());
    if (rc != 0) {
      *error = failed("merging architectures", rc);
      return std::nullopt;
    }
    ctx.release();  // seccomp_merge took ownership
  }
  if (!main) {
    *error = "no architecture to generate";
    return std::nullopt;
  }
  FdCloser fd{memfd_create("polc-bpf", MFD_CLOEXEC)};
  if (fd.fd < 0) {
    *error = std::string("memfd_create: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (int rc = seccomp_export_bpf(main.get(), fd.fd); rc != 0) {
    *error = failed("seccomp_export_bpf", rc);
    return std::nullopt;
  }
  GeneratedProgram out;
  const off_t size = lseek(fd.fd, 0, SEEK_END);
  if (size < 0 || lseek(fd.fd, 0, SEEK_SET) != 0) {
    *error = "reading the exported program back failed";
    return std::nullopt;
  }
  out.raw.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < out.raw.size()) {
    const ssize_t n = read(fd.fd, out.raw.data() + done, out.raw.size() - done);
    if (n <= 0) {
      *error = "reading the exported program back failed";
      return std::nullopt;
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace polc::backends::seccomp
