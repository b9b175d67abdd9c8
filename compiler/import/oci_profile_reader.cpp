// Stage: import. Reading and checking a seccomp profile's JSON.
#include "compiler/import/oci_profile_reader.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>

#include "compiler/import/oci_vocab.h"
#include "compiler/import/profile_reporter.h"
#include "compiler/import/strict_json.h"
#include "compiler/sema/constants.h"
#include "compiler/sema/suggest.h"

namespace polc::import {

namespace {

using diag::Code;
using nlohmann::json;

// Same bound as for .sbx sources: no input may cost unbounded memory or time.
constexpr size_t kMaxProfileBytes = 16u << 20;

struct Ignored {
  std::string_view field;
  std::string_view why;
};

constexpr std::string_view kTopFields[] = {"defaultAction", "defaultErrnoRet", "defaultErrno",
                                           "architectures", "archMap",         "syscalls"};
constexpr Ignored kTopIgnored[] = {
    {"flags", "seccomp filter flags change how the filter is installed and logged, not what it allows"},
    {"listenerPath", "polc's user_notif rules are answered by polc's own supervisor"},
    {"listenerMetadata", "polc's user_notif rules are answered by polc's own supervisor"},
};
constexpr std::string_view kEntryFields[] = {"names", "name",    "action",   "errnoRet", "errno",
                                             "args",  "comment", "includes", "excludes"};
constexpr std::string_view kArgFields[] = {"index", "value", "valueTwo", "op"};
constexpr std::string_view kFilterFields[] = {"caps", "arches", "minKernel"};
constexpr std::string_view kArchMapFields[] = {"architecture", "subArchitectures"};

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number with a fraction or exponent";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

bool is_syscall_name(std::string_view n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

class Reader {
 public:
  explicit Reader(ProfileReporter& r) : r_(r) {}

  std::optional<OciProfile> profile(const json& root) {
    OciProfile p;
    if (!root.is_object()) {
      wrong_type({}, root, "an object");
      return std::nullopt;
    }
    check_fields(root, {}, kTopFields, kTopIgnored);
    if (auto a = action(root, {}, "defaultAction")) p.default_action = *a;
    p.default_errno_ret = errno_setting(root, {}, "defaultErrnoRet", "defaultErrno", p.default_action);
    const auto arches = string_list(root, {}, "architectures", "an SCMP_ARCH_* name");
    for (size_t i = 0; i < arches.size(); ++i) add_scmp_arch(p, arches[i], child(child({}, "architectures"), i));
    read_arch_map(root, p);
    if (const json* calls = array(root, {}, "syscalls")) {
      for (size_t i = 0; i < calls->size(); ++i) {
        if (auto e = entry((*calls)[i], child(child({}, "syscalls"), i))) p.syscalls.push_back(std::move(*e));
      }
    }
    if (!ok_) return std::nullopt;
    return p;
  }

 private:
  diag::Diagnostic& fail(Code code, const JsonPath& path, const std::string& message, bool at_key = false) {
    ok_ = false;
    ++errors_;
    return r_.report(code, path, message, at_key);
  }

  void wrong_type(const JsonPath& path, const json& v, std::string_view want) {
    (void)fail(Code::OciWrongType, path, "expected " + std::string(want) + ", found " + type_name(v));
  }

  void bad_value(const JsonPath& path, const std::string& what, const std::string& value,
                 std::span<const std::string_view> accepted) {
    auto& d = fail(Code::OciBadValue, path, "unknown " + what + " `" + value + "`");
    if (auto s = sema::closest_match(value, accepted); !s.empty())
      d.with_help("did you mean `" + s + "`?").fix(r_.range(path), "\"" + s + "\"");
    else d.note(what + "s polc knows: " + joined(accepted));
  }

  // Reports unknown members of `obj`: E0704 unless harmless (W0701).
  void check_fields(const json& obj, const JsonPath& path, std::span<const std::string_view> known,
                    std::span<const Ignored> ignored = {}) {
    for (const auto& [key, value] : obj.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      const JsonPath at = child(path, key);
      const std::string& name = key;  // clang 14 cannot capture a structured binding
      auto harmless = std::find_if(ignored.begin(), ignored.end(), [&](const Ignored& i) { return i.field == name; });
      if (harmless != ignored.end()) {
        r_.report(Code::OciFieldIgnored, at, "ignored", true).note(std::string(harmless->why));
        continue;
      }
      auto& d = fail(Code::OciUnknownField, at, "unknown field `" + key + "`", true);
      std::vector<std::string_view> candidates(known.begin(), known.end());
      for (const Ignored& i : ignored) candidates.push_back(i.field);
      if (auto s = sema::closest_match(key, candidates); !s.empty())
        d.with_help("did you mean `" + s + "`?").fix(r_.range(at, true), "\"" + s + "\"");
      else d.note("fields polc reads here: " + joined(known));
    }
  }

  // The member `key` of `obj`; nullptr when absent or null (Go writes empty lists as null).
  static const json* member(const json& obj, std::string_view key) {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }

  const json* typed(const json& obj, const JsonPath& path, std::string_view key, bool (json::*is)() const noexcept,
                    std::string_view want) {
    const json* v = member(obj, key);
    if (v == nullptr) return nullptr;
    if (!(v->*is)()) {
      wrong_type(child(path, std::string(key)), *v, want);
      return nullptr;
    }
    return v;
  }

  const json* array(const json& obj, const JsonPath& path, std::string_view key) {
    return typed(obj, path, key, &json::is_array, "an array");
  }
  const json* object(const json& obj, const JsonPath& path, std::string_view key) {
    return typed(obj, path, key, &json::is_object, "an object");
  }

  std::optional<std::string> string(const json& obj, const JsonPath& path, std::string_view key, bool required) {
    const json* v = typed(obj, path, key, &json::is_string, "a string");
    if (v != nullptr) return v->get<std::string>();
    if (required && member(obj, key) == nullptr)
      fail(Code::OciWrongType, path, "missing required field `" + std::string(key) + "`");
    return std::nullopt;
  }

  std::optional<uint64_t> unsigned_value(const json& v, const JsonPath& path) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) {
      fail(Code::OciWrongType, path, "expected an unsigned integer, found " + std::to_string(v.get<int64_t>()));
    } else if (v.is_number_float()) {
      fail(Code::OciWrongType, path, "expected an unsigned 64-bit integer, found " + v.dump());
    } else {
      wrong_type(path, v, "an unsigned integer");
    }
    return std::nullopt;
  }

  std::optional<uint64_t> unsigned_member(const json& obj, const JsonPath& path, std::string_view key) {
    const json* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    return unsigned_value(*v, child(path, std::string(key)));
  }

  std::vector<std::string> string_list(const json& obj, const JsonPath& path, std::string_view key,
                                       std::string_view item) {
    std::vector<std::string> out;
    const json* a = array(obj, path, key);
    if (a == nullptr) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      if ((*a)[i].is_string()) out.push_back((*a)[i].get<std::string>());
      else wrong_type(child(child(path, std::string(key)), i), (*a)[i], item);
    }
    return out;
  }

  std::optional<OciAction> action(const json& obj, const JsonPath& path, std::string_view key) {
    auto name = string(obj, path, key, true);
    if (!name) return std::nullopt;
    auto a = parse_action(*name);
    if (!a) bad_value(child(path, std::string(key)), "action", *name, action_names());
    return a;
  }

  // The return value of `action`: the number in `number_key` (errnoRet, defaultErrnoRet, as runc
  // and Docker write it) or the errno name in `name_key` (errno, defaultErrno, as containers/common
  // writes it, usually beside the number). When both are given they must agree: neither may
  // silently win.
  std::optional<uint64_t> errno_setting(const json& obj, const JsonPath& path, std::string_view number_key,
                                        std::string_view name_key, OciAction action) {
    const size_t errors_before = errors_;
    const auto number = errno_ret(obj, path, number_key, action);
    const auto named = errno_by_name(obj, path, name_key, number_key, action);
    if (errors_ != errors_before) return std::nullopt;
    if (number && named && *number != *named) {
      const JsonPath at = child(path, std::string(name_key));
      fail(Code::OciBadValue, at,
           "errno `" + obj.at(std::string(name_key)).get<std::string>() + "` (" + std::to_string(*named) +
               ") disagrees with `" + std::string(number_key) + "` " + std::to_string(*number))
          .note(r_.range(child(path, std::string(number_key))), "the number is given here")
          .with_help("both fields give the same return value: make them agree, or keep only one");
      return std::nullopt;
    }
    return number ? number : named;
  }

  // The errno name in `key` (`"EPERM"`) as its number, checked like errnoRet; nullopt when absent,
  // unknown (reported) or ignored for `action`.
  std::optional<uint64_t> errno_by_name(const json& obj, const JsonPath& path, std::string_view key,
                                        std::string_view number_key, OciAction action) {
    const json* v = member(obj, key);
    if (v == nullptr) return std::nullopt;
    const JsonPath at = child(path, std::string(key));
    if (!v->is_string()) {
      wrong_type(at, *v, "an errno name such as \"EPERM\"");
      return std::nullopt;
    }
    const std::string name = v->get<std::string>();
    // Every target shares one errno numbering (see sema/constants.h), so x86_64 stands for all.
    const auto value = sema::errno_value(name, arch::Arch::x86_64);
    if (!value) {
      auto& d = fail(Code::OciBadValue, at, "unknown errno name `" + name + "`");
      if (auto s = sema::closest_match(name, sema::all_errno_names()); !s.empty())
        d.with_help("did you mean `" + s + "`?").fix(r_.range(at), "\"" + s + "\"");
      d.note(
          "write an errno name in capitals, like \"EPERM\" or \"ENOSYS\" (the names a policy's errno(...) "
          "takes), or the number in `" +
          std::string(number_key) + "`");
      return std::nullopt;
    }
    return checked_errno_ret(*value, at, action,
                             "containers/common uses errno names only with SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
  }

  // errnoRet (or defaultErrnoRet): checked against what polc can express for `action`.
  std::optional<uint64_t> errno_ret(const json& obj, const JsonPath& path, std::string_view key, OciAction action) {
    auto v = unsigned_member(obj, path, key);
    if (!v) return std::nullopt;
    return checked_errno_ret(*v, child(path, std::string(key)), action,
                             "runc uses errnoRet only with SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
  }

  // `value` given at `at` for `action`: out of range is an error, and for an action that returns
  // nothing the field is ignored (W0701, with `ignored_why`).
  std::optional<uint64_t> checked_errno_ret(uint64_t value, const JsonPath& at, OciAction action,
                                            std::string_view ignored_why) {
    if (action == OciAction::Errno && (value < 1 || value > 4094)) {
      fail(Code::OciBadValue, at, "errno " + std::to_string(value) + " is out of range")
          .note("polc's errno(...) takes 1 to 4094; errno 0 would make a refused call look successful");
    } else if (action == OciAction::Trace && value > 65535) {
      fail(Code::OciBadValue, at, "trace data " + std::to_string(value) + " is out of range")
          .note("seccomp passes 16 bits of data to the tracer: 0 to 65535");
    } else if (action != OciAction::Errno && action != OciAction::Trace) {
      r_.report(Code::OciFieldIgnored, at, "ignored", true).note(std::string(ignored_why));
      return std::nullopt;
    }
    return value;
  }

  void add_scmp_arch(OciProfile& p, const std::string& name, const JsonPath& path) {
    if (!is_scmp_arch(name)) {
      // Go's and Docker's names in libseccomp's spelling are the likeliest slips.
      static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
          {"SCMP_ARCH_AMD64", "SCMP_ARCH_X86_64"},
          {"SCMP_ARCH_ARM64", "SCMP_ARCH_AARCH64"},
          {"SCMP_ARCH_386", "SCMP_ARCH_X86"},
          {"SCMP_ARCH_I386", "SCMP_ARCH_X86"}};
      for (const auto& [alias, real] : kAliases)
        if (alias == name) {
          fail(Code::OciBadValue, path, "unknown architecture `" + name + "`")
              .with_help("libseccomp calls it " + std::string(real))
              .fix(r_.range(path), "\"" + std::string(real) + "\"");
          return;
        }
      bad_value(path, "architecture", name, scmp_arch_names());
      return;
    }
    if (p.scmp_arches.empty()) p.arches_path = JsonPath(path.begin(), path.end() - (path.back().is_index ? 1 : 0));
    if (std::find(p.scmp_arches.begin(), p.scmp_arches.end(), name) == p.scmp_arches.end())
      p.scmp_arches.push_back(name);
  }

  void read_arch_map(const json& root, OciProfile& p) {
    const json* map = array(root, {}, "archMap");
    if (map == nullptr) return;
    for (size_t i = 0; i < map->size(); ++i) {
      const JsonPath at = child(child({}, "archMap"), i);
      const json& m = (*map)[i];
      if (!m.is_object()) {
        wrong_type(at, m, "an object");
        continue;
      }
      check_fields(m, at, kArchMapFields);
      if (auto a = string(m, at, "architecture", true)) add_scmp_arch(p, *a, child(at, "architecture"));
      const auto subs = string_list(m, at, "subArchitectures", "an SCMP_ARCH_* name");
      for (size_t k = 0; k < subs.size(); ++k) add_scmp_arch(p, subs[k], child(child(at, "subArchitectures"), k));
    }
  }

  void filter(const json& obj, const JsonPath& path, std::string_view key, OciFilter& out) {
    const json* f = object(obj, path, key);
    if (f == nullptr) return;
    out.present = true;
    out.path = child(path, std::string(key));
    check_fields(*f, out.path, kFilterFields);
    out.caps = string_list(*f, out.path, "caps", "a capability name");
    for (size_t i = 0; i < out.caps.size(); ++i)
      if (!is_capability(out.caps[i]))
        bad_value(child(child(out.path, "caps"), i), "capability", out.caps[i], capability_names());
    out.arches = string_list(*f, out.path, "arches", "an architecture name");
    for (size_t i = 0; i < out.arches.size(); ++i)
      if (!is_docker_arch(out.arches[i]))
        bad_value(child(child(out.path, "arches"), i), "architecture", out.arches[i], docker_arch_names());
    if (auto k = string(*f, out.path, "minKernel", false)) {
      out.min_kernel = parse_kernel_version(*k);
      if (!out.min_kernel)
        fail(Code::OciBadValue, child(out.path, "minKernel"), "`" + *k + "` is not a kernel version")
            .note("write it as MAJOR.MINOR, like \"4.8\"");
    }
  }

  std::optional<OciArg> arg(const json& a, const JsonPath& path) {
    if (!a.is_object()) {
      wrong_type(path, a, "an object");
      return std::nullopt;
    }
    check_fields(a, path, kArgFields);
    OciArg out;
    out.path = path;
    const size_t errors_before = errors_;
    if (auto i = unsigned_member(a, path, "index")) {
      if (*i > 5)
        fail(Code::OciBadValue, child(path, "index"), "argument index " + std::to_string(*i) + " is out of range")
            .note("seccomp sees six arguments, index 0 to 5");
      else out.index = static_cast<unsigned>(*i);
    } else if (member(a, "index") == nullptr) {
      fail(Code::OciWrongType, path, "missing required field `index`");
    }
    if (auto v = unsigned_member(a, path, "value")) out.value = *v;
    else if (member(a, "value") == nullptr) fail(Code::OciWrongType, path, "missing required field `value`");
    if (auto v = unsigned_member(a, path, "valueTwo")) out.value_two = *v;
    if (auto op = string(a, path, "op", true)) {
      if (auto o = parse_op(*op)) out.op = *o;
      else bad_value(child(path, "op"), "comparison operator", *op, op_names());
    }
    if (errors_ != errors_before) return std::nullopt;
    return out;
  }

  std::optional<OciSyscall> entry(const json& e, const JsonPath& path) {
    if (!e.is_object()) {
      wrong_type(path, e, "an object");
      return std::nullopt;
    }
    check_fields(e, path, kEntryFields);
    OciSyscall out;
    out.path = path;
    const bool has_names = member(e, "names") != nullptr, has_name = member(e, "name") != nullptr;
    if (has_names && has_name) fail(Code::OciWrongType, path, "give either `name` or `names`, not both");
    if (!has_names && !has_name) fail(Code::OciWrongType, path, "missing required field `names`");
    out.single_name = has_name;
    if (has_name) {
      if (auto n = string(e, path, "name", false)) out.names.push_back(*n);
    } else {
      out.names = string_list(e, path, "names", "a syscall name");
    }
    for (size_t i = 0; i < out.names.size(); ++i) {
      if (is_syscall_name(out.names[i])) continue;
      const JsonPath at = has_name ? child(path, "name") : child(child(path, "names"), i);
      fail(Code::OciBadValue, at, "`" + out.names[i] + "` is not a syscall name")
          .note("syscall names are lowercase letters, digits and `_`");
    }
    if (auto a = action(e, path, "action")) out.action = *a;
    out.errno_ret = errno_setting(e, path, "errnoRet", "errno", out.action);
    if (const json* args = array(e, path, "args")) {
      for (size_t i = 0; i < args->size(); ++i)
        if (auto a = arg((*args)[i], child(child(path, "args"), i))) out.args.push_back(*a);
    }
    if (auto c = string(e, path, "comment", false)) out.comment = *c;
    filter(e, path, "includes", out.includes);
    filter(e, path, "excludes", out.excludes);
    return out;
  }

  ProfileReporter& r_;
  bool ok_ = true;
  size_t errors_ = 0;
};

}  // namespace

std::optional<OciProfile> read_oci_profile(diag::Engine& engine, diag::FileId file) {
  ProfileReporter reporter(engine, file);
  const std::string_view text = engine.sources().contents(file);
  if (text.size() > kMaxProfileBytes) {
    engine.report(Code::OciMalformedJson, {file, 0, 0}, "the profile is larger than 16 MiB");
    return std::nullopt;
  }
  // Strictly (strict_json.h): a key written twice or a number out of range is E0701 at its place.
  auto parsed = parse_strict_json(text);
  if (auto* error = std::get_if<JsonError>(&parsed)) {
    auto range = [&](size_t b, size_t e) {
      return diag::SourceRange{file, static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
    };
    auto& d = engine.report(Code::OciMalformedJson, range(error->begin, error->end), "invalid JSON: " + error->message);
    if (error->first_begin) {
      d.note(range(*error->first_begin, *error->first_end), "first written here")
          .with_help("keep one of the two: polc reads no JSON whose meaning depends on which duplicate wins");
    }
    return std::nullopt;
  }
  const json& root = std::get<json>(parsed);
  Reader reader(reporter);
  return reader.profile(root);
}

}  // namespace polc::import
