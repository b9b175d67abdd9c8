// Stage: learn. Representable paths (see path_text.h). The checks mirror what sema accepts for a
// filesystem path (E0301 absolute, E0302 normal and free of control characters) and what the lexer
// accepts in a file (E0004 valid UTF-8, no NUL).
#include "compiler/learn/path_text.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace polc::learn {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (overlong, surrogate,
// above U+10FFFF, truncated).
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (n == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;   // overlong
  if (n == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;  // surrogate
  if (n == 4 && c == 0xf0 && b(i + 1) < 0x90) return 0;   // overlong
  if (n == 4 && c == 0xf4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

}  // namespace

std::optional<std::string> unrepresentable_reason(std::string_view path) {
  if (path.empty() || path[0] != '/') return "not an absolute path";
  if (path.size() > 4096) return "longer than PATH_MAX";
  for (size_t i = 0; i < path.size();) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7f) return "contains a control character";
    size_t n = utf8_length(path, i);
    if (n == 0) return "is not valid UTF-8";
    if (n == 2 && c == 0xc2 && static_cast<unsigned char>(path[i + 1]) < 0xa0)
      return "contains a control character";  // C1 controls U+0080..U+009F
    i += n;
  }
  if (path.size() > 1 && path.back() == '/') return "not in normal form";
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (path.size() > 1 && (seg.empty() || seg == "." || seg == "..")) return "not in normal form";
    start = end + 1;
  }
  return std::nullopt;
}

namespace {

// The path's segments after the leading '/'.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool std_stream(const std::vector<std::string_view>& seg) {
  return seg.size() >= 2 && seg[0] == "dev" &&
         (seg[1] == "fd" || seg[1] == "stdin" || seg[1] == "stdout" || seg[1] == "stderr");
}

}  // namespace

bool process_relative(std::string_view path) {
  const auto seg = segments(path);
  if (std_stream(seg)) return true;
  return seg.size() >= 2 && seg[0] == "proc" && (seg[1] == "self" || seg[1] == "thread-self");
}

bool through_magic_link(std::string_view path) {
  const auto seg = segments(path);
  if (std_stream(seg)) return seg[1] != "fd" || seg.size() >= 3;
  if (seg.size() < 3 || seg[0] != "proc" || !(seg[1] == "self" || seg[1] == "thread-self" || all_digits(seg[1])))
    return false;
  size_t i = 2;
  if (seg.size() >= 5 && seg[2] == "task" && all_digits(seg[3])) i = 4;
  const std::string_view link = seg[i];
  if (link == "root" || link == "cwd" || link == "exe") return true;
  return (link == "fd" || link == "map_files") && seg.size() > i + 1;
}

std::string quoted_path(std::string_view path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string printable_path(std::string_view path) {
  std::string out;
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace polc::learn
