// Unit tests of `polc import oci`: number formatting, kernel versions, locating JSON paths, entry
// selection, the 64-bit versus kernel-width analysis, and whole imports through import_oci.
#include <doctest/doctest.h>

#include "compiler/import/json_locator.h"
#include "compiler/import/oci_import.h"
#include "compiler/import/oci_selection.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/import/oci_width.h"

using namespace polc;
using namespace polc::import;

namespace {

ImportResult import_text(const std::string& json, diag::Engine& e,
                         std::vector<arch::Arch> targets = {arch::Arch::x86_64}) {
  const auto fid = e.sources().add("p.json", json);
  ImportOptions o;
  o.targets = std::move(targets);
  o.policy_name = "p";
  o.profile_name = "p.json";
  o.output_name = "<stdout>";
  return import_oci(e, fid, o);
}

bool has_code(const diag::Engine& e, diag::Code c) {
  for (const auto& d : e.diagnostics())
    if (d.code == c) return true;
  return false;
}

}  // namespace

TEST_CASE("numbers print in decimal, then hex grouped past 32 bits") {
  CHECK(format_number(40) == "40");
  CHECK(format_number(4095) == "4095");
  CHECK(format_number(4096) == "0x1000");
  CHECK(format_number(0xffffffff) == "0xffffffff");
  CHECK(format_number(0x100000028) == "0x1_0000_0028");
  CHECK(format_number(~uint64_t{0}) == "0xffff_ffff_ffff_ffff");
}

TEST_CASE("kernel versions are MAJOR.MINOR") {
  CHECK(parse_kernel_version("4.8") == KernelVersion{4, 8});
  CHECK(parse_kernel_version("5.15") > *parse_kernel_version("5.4"));
  for (const char* bad : {"4", "4.", ".8", "4.8.1", "v4.8", "4.x", ""}) CHECK_FALSE(parse_kernel_version(bad));
}

TEST_CASE("Docker arch names match polc targets") {
  CHECK(docker_arch_matches("amd64", arch::Arch::x86_64));
  CHECK(docker_arch_matches("386", arch::Arch::x86));
  CHECK(docker_arch_matches("x86", arch::Arch::x86));
  CHECK(docker_arch_matches("arm64", arch::Arch::aarch64));
  CHECK_FALSE(docker_arch_matches("s390", arch::Arch::s390x));
  CHECK(arch_from_scmp("SCMP_ARCH_X32") == arch::Arch::x32);
  CHECK_FALSE(arch_from_scmp("SCMP_ARCH_PPC64LE"));
}

TEST_CASE("locate finds values and keys by JSON path") {
  const std::string text = R"({"a": [1, {"b\u0063": "x"}], "d": {"e": true}})";
  auto path = child(child(child({}, "a"), 1), "bc");
  auto r = locate(1, text, path);
  CHECK(text.substr(r.begin, r.end - r.begin) == "\"x\"");
  r = locate(1, text, path, true);
  CHECK(text.substr(r.begin, r.end - r.begin) == "\"b\\u0063\"");
  r = locate(1, text, child(child({}, "d"), "missing"));  // falls back to the deepest value found
  CHECK(text.substr(r.begin, r.end - r.begin) == "{\"e\": true}");
  CHECK(to_string(path) == "a[1].bc");
}

TEST_CASE("includes need every cap, excludes any; minKernel follows --kernel") {
  SelectionContext ctx;
  ctx.targets = {arch::Arch::x86_64, arch::Arch::s390x};
  ctx.caps = {"CAP_KILL"};
  OciSyscall e;
  e.includes.caps = {"CAP_KILL", "CAP_SYS_ADMIN"};
  CHECK(select_entry(e, ctx).applies == 0);
  e.includes.caps = {"CAP_KILL"};
  e.excludes.arches = {"s390x"};
  CHECK(select_entry(e, ctx).applies == arch::bit(arch::Arch::x86_64));
  e.excludes.caps = {"CAP_SYS_ADMIN", "CAP_KILL"};
  CHECK(select_entry(e, ctx).skip_reasons == std::vector<std::string>{"excluded with CAP_KILL"});
  OciSyscall k;
  k.includes.min_kernel = KernelVersion{5, 6};
  CHECK(select_entry(k, ctx).applies != 0);  // no --kernel: reached
  ctx.kernel = KernelVersion{5, 4};
  CHECK(select_entry(k, ctx).applies == 0);
  k.includes.min_kernel.reset();
  k.excludes.min_kernel = KernelVersion{5, 4};
  CHECK(select_entry(k, ctx).applies == 0);
}

TEST_CASE("the 64-bit reading differs from the kernel's where the upper half or the sign matters") {
  const ArgView int32v{64, 32, true}, uint32v{64, 32, false}, long64{64, 64, false}, reg32{32, 32, true};
  OciArg gt{0, 40, 0, OciOp::Gt, {}};
  auto d = width_differences(gt, polc_comparison(gt, int32v), int32v);
  REQUIRE(d.size() == 2);
  CHECK(d[0].find("0x1_0000_0028 through, which the kernel reads as 40") != std::string::npos);
  CHECK(width_differences(gt, polc_comparison(gt, long64), long64).empty());
  // On a 32-bit register there is no upper half to bypass with; only the sign remains.
  d = width_differences(gt, polc_comparison(gt, reg32), reg32);
  REQUIRE(d.size() == 1);
  CHECK(d[0].find("signed 32-bit number") != std::string::npos);
  OciArg eq{0, 0xffffffff, 0, OciOp::Eq, {}};
  d = width_differences(eq, polc_comparison(eq, uint32v), uint32v);
  REQUIRE(d.size() == 1);
  CHECK(d[0].find("refuses the register value 0xffff_ffff_ffff_ffff") != std::string::npos);
  OciArg zero{0, 0, 0, OciOp::Eq, {}};
  CHECK(width_differences(zero, polc_comparison(zero, uint32v), uint32v).empty());
  OciArg masked{0, 0x7e020000, 0, OciOp::MaskedEq, {}};
  CHECK(width_differences(masked, polc_comparison(masked, uint32v), uint32v).empty());
}

TEST_CASE("import_oci produces a formatted, compiling policy") {
  diag::SourceManager sm;
  diag::Engine e(sm);
  auto r = import_text(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [{"names": ["read", "open", "mmap2"], "action": "SCMP_ACT_ALLOW"},
                 {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
                       e, {arch::Arch::x86_64, arch::Arch::aarch64});
  REQUIRE(r.source);
  CHECK_FALSE(e.has_errors());
  CHECK(r.source->find("default errno(ENOSYS)") != std::string::npos);
  CHECK(r.source->find("allow read, open?\n") != std::string::npos);
  CHECK(r.source->find("# not on x86_64, aarch64: mmap2") != std::string::npos);
  CHECK(r.source->find("allow socket(arg0 == 1)") != std::string::npos);
}

TEST_CASE("import_oci reports problems instead of producing source") {
  diag::SourceManager sm;
  diag::Engine e(sm);
  CHECK_FALSE(import_text("{\"defaultAction\": ", e).source);
  CHECK(has_code(e, diag::Code::OciMalformedJson));
  diag::Engine e2(sm);
  CHECK_FALSE(import_text(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscals": []})", e2).source);
  CHECK(has_code(e2, diag::Code::OciUnknownField));
  diag::Engine e3(sm);
  CHECK_FALSE(import_text(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"]})", e3,
                          {arch::Arch::aarch64})
                  .source);
  CHECK(has_code(e3, diag::Code::OciTargetNotInProfile));
  diag::Engine e4(sm);  // deep nesting is not a crash
  CHECK_FALSE(import_text(std::string(100000, '[') + std::string(100000, ']'), e4).source);
  CHECK(has_code(e4, diag::Code::OciWrongType));
}
