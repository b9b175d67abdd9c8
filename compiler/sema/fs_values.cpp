// Stage: sema. Filesystem rights and path checks.
#include "compiler/sema/fs_values.h"

#include "compiler/ir/landlock_names.h"
#include "compiler/sema/suggest.h"

namespace polc::sema {

using diag::Code;
namespace fr = ir::fs_right;

namespace {

// Composites expand to what the ABI can restrict: `write` at ABI 1 cannot include truncate, and
// that is not an error, because at ABI 1 truncation is not restricted for anyone.
constexpr uint64_t kReadBits = fr::kReadFile | fr::kReadDir;
constexpr uint64_t kWriteBits = fr::kWriteFile | fr::kRemoveDir | fr::kRemoveFile | fr::kMakeDir | fr::kMakeReg |
                                fr::kMakeSock | fr::kMakeFifo | fr::kMakeSym | fr::kRefer | fr::kTruncate;

}  // namespace

std::optional<uint64_t> resolve_rights(Context& ctx, const std::vector<ast::Name>& rights, unsigned abi) {
  uint64_t bits = 0;
  bool ok = true;
  const uint64_t available = abi == 0 ? ~uint64_t{0} : ir::fs_rights_for_abi(abi);
  for (const ast::Name& r : rights) {
    if (r.text == "read") {
      bits |= kReadBits;
      continue;
    }
    if (r.text == "write") {
      bits |= kWriteBits & available;
      continue;
    }
    const ir::LandlockName* found = nullptr;
    for (const auto& ri : ir::kFsRightNames)
      if (ri.name == r.text) found = &ri;
    if (found == nullptr) {
      ok = false;
      auto& d = ctx.diags.report(Code::UnknownRight, r.range, "unknown filesystem right `" + r.text + "`");
      std::vector<std::string_view> names = {"read", "write"};
      for (const auto& ri : ir::kFsRightNames) names.push_back(ri.name);
      if (auto s = closest_match(r.text, names); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(r.range, s);
      continue;
    }
    if (abi != 0 && found->abi > abi) {
      ok = false;
      ctx.diags
          .report(Code::RightNeedsNewerAbi, r.range,
                  "`" + r.text + "` needs Landlock ABI " + std::to_string(found->abi) +
                      ", but the policy requires only ABI " + std::to_string(abi))
          .with_help("raise the minimum with `landlock abi >= " + std::to_string(found->abi) + "`");
      continue;
    }
    bits |= found->bit;
  }
  if (!ok) return std::nullopt;
  return bits;
}

bool check_path(Context& ctx, const ast::StringLit& path) {
  const std::string& p = path.value;
  if (p.empty() || p.front() != '/') {
    ctx.diags.report(Code::RelativePath, path.range, "path `" + p + "` is not absolute")
        .with_help("write the absolute path; relative paths would depend on the launcher's working directory");
    return false;
  }
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      ctx.diags.report(Code::NonNormalPath, path.range, "path contains a control character");
      return false;
    }
  }
  // Lexical normalization; `..` above the root has no normal form.
  std::vector<std::string> parts;
  bool escapes = false;
  size_t i = 1;
  while (i <= p.size()) {
    const size_t j = std::min(p.find('/', i), p.size());
    const std::string seg = p.substr(i, j - i);
    if (seg == "..") {
      if (parts.empty()) escapes = true;
      else parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string normal;
  for (const auto& s : parts) normal += "/" + s;
  if (normal.empty()) normal = "/";
  if (normal == p) return true;
  auto& d = ctx.diags.report(Code::NonNormalPath, path.range, "path `" + p + "` is not in normal form");
  if (escapes) d.note("`..` climbs above `/`");
  else d.with_help("write \"" + normal + "\"").fix(path.range, "\"" + normal + "\"");
  return false;
}

std::string rights_to_string(uint64_t bits) {
  std::string out;
  for (const auto& ri : ir::kFsRightNames)
    if (bits & ri.bit) out += (out.empty() ? "" : ", ") + std::string(ri.name);
  return out;
}

}  // namespace polc::sema
