// Stage: import. Resolving includes/excludes of profile entries.
#include "compiler/import/oci_selection.h"

#include <algorithm>

#include "compiler/import/oci_vocab.h"

namespace polc::import {

namespace {

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool arch_listed(const std::vector<std::string>& arches, arch::Arch a) {
  return std::any_of(arches.begin(), arches.end(), [&](const std::string& n) { return docker_arch_matches(n, a); });
}

std::string describe(const OciFilter& f, std::string_view label, bool kernel_given) {
  std::vector<std::string> parts;
  if (!f.caps.empty()) parts.push_back("caps " + list(f.caps));
  if (!f.arches.empty()) parts.push_back("arches " + list(f.arches));
  if (f.min_kernel)
    parts.push_back("minKernel " + to_string(*f.min_kernel) + (kernel_given ? "" : " (assumed reached)"));
  if (parts.empty()) return "";
  std::string out(label);
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : " ") + parts[i];
  return out;
}

}  // namespace

Selection select_entry(const OciSyscall& e, const SelectionContext& ctx) {
  Selection s;
  std::vector<std::string> missing, held;
  for (const std::string& c : e.includes.caps)
    if (!ctx.caps.count(c)) missing.push_back(c);
  for (const std::string& c : e.excludes.caps)
    if (ctx.caps.count(c)) held.push_back(c);
  if (!missing.empty()) s.skip_reasons.push_back("needs " + list(missing));
  if (!held.empty()) s.skip_reasons.push_back("excluded with " + list(held));
  if (e.includes.min_kernel && ctx.kernel && *ctx.kernel < *e.includes.min_kernel)
    s.skip_reasons.push_back("needs kernel " + to_string(*e.includes.min_kernel));
  if (e.excludes.min_kernel && (!ctx.kernel || *ctx.kernel >= *e.excludes.min_kernel))
    s.skip_reasons.push_back("excluded from kernel " + to_string(*e.excludes.min_kernel) +
                             (ctx.kernel ? "" : " on (assumed reached)"));
  arch::ArchSet by_arch = 0;
  for (arch::Arch a : ctx.targets) {
    if (!e.includes.arches.empty() && !arch_listed(e.includes.arches, a)) continue;
    if (arch_listed(e.excludes.arches, a)) continue;
    by_arch |= arch::bit(a);
  }
  if (by_arch == 0) {
    if (!e.includes.arches.empty()) s.skip_reasons.push_back("only on " + list(e.includes.arches));
    else s.skip_reasons.push_back("excluded on " + list(e.excludes.arches));
  }
  if (s.skip_reasons.empty()) s.applies = by_arch;
  return s;
}

std::string describe_selectors(const OciSyscall& e, const SelectionContext& ctx) {
  const std::string inc = describe(e.includes, "includes", ctx.kernel.has_value());
  const std::string exc = describe(e.excludes, "excludes", ctx.kernel.has_value());
  if (inc.empty() || exc.empty()) return inc + exc;
  return inc + "; " + exc;
}

}  // namespace polc::import
