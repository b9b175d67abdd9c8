// Stage: import. Locating JSON paths in a profile's text.
#include "compiler/import/json_locator.h"

#include <cstdint>
#include <string>

namespace polc::import {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  size_t skip_ws(size_t p) const {
    while (p < t_.size() && (t_[p] == ' ' || t_[p] == '\t' || t_[p] == '\n' || t_[p] == '\r')) ++p;
    return p;
  }

  // `p` is at an opening quote; returns the position after the closing one.
  size_t skip_string(size_t p) const {
    for (++p; p < t_.size() && t_[p] != '"'; ++p)
      if (t_[p] == '\\') ++p;
    return p < t_.size() ? p + 1 : p;
  }

  // Decodes the string at `p` well enough to compare it with a field name: escapes of ASCII
  // characters are resolved, any other escape keeps the string from matching.
  std::string decode_string(size_t p, size_t end) const {
    std::string out;
    for (size_t i = p + 1; i + 1 < end; ++i) {
      if (t_[i] != '\\') {
        out += t_[i];
        continue;
      }
      const char e = t_[++i];
      if (e == 'u' && i + 4 < end) {
        const unsigned v = std::stoul(std::string(t_.substr(i + 1, 4)), nullptr, 16);
        out += v < 0x80 ? static_cast<char>(v) : '\x01';
        i += 4;
      } else {
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
      }
    }
    return out;
  }

  // Returns the position just after the value starting at `p`. Iterative: nesting depth is not
  // bounded by the reader, so no recursion here.
  size_t skip_value(size_t p) const {
    if (p >= t_.size()) return p;
    if (t_[p] == '"') return skip_string(p);
    if (t_[p] != '{' && t_[p] != '[') {
      while (p < t_.size() && t_[p] != ',' && t_[p] != ']' && t_[p] != '}' && t_[p] != ' ' && t_[p] != '\n' &&
             t_[p] != '\t' && t_[p] != '\r')
        ++p;
      return p;
    }
    size_t depth = 0;
    while (p < t_.size()) {
      const char c = t_[p];
      if (c == '"') {
        p = skip_string(p);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
    return p;
  }

  std::string_view text() const { return t_; }

 private:
  std::string_view t_;
};

diag::SourceRange range(diag::FileId file, size_t begin, size_t end) {
  return {file, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

}  // namespace

diag::SourceRange locate(diag::FileId file, std::string_view text, const JsonPath& path, bool key) {
  const Scanner s(text);
  const size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // nlohmann skips a UTF-8 BOM too
  size_t p = s.skip_ws(bom);
  for (size_t step = 0; step < path.size(); ++step) {
    const JsonStep& st = path[step];
    const size_t container = p;
    const char open = p < text.size() ? text[p] : '\0';
    bool found = false;
    if (open == '{' && !st.is_index) {
      p = s.skip_ws(p + 1);
      while (p < text.size() && text[p] == '"') {
        const size_t key_end = s.skip_string(p);
        const bool match = s.decode_string(p, key_end) == st.key;
        const size_t value = s.skip_ws(s.skip_ws(key_end) + 1);  // past the ':'
        if (match) {
          if (key && step + 1 == path.size()) return range(file, p, key_end);
          p = value;
          found = true;
          break;
        }
        p = s.skip_ws(s.skip_value(value));
        if (p < text.size() && text[p] == ',') p = s.skip_ws(p + 1);
      }
    } else if (open == '[' && st.is_index) {
      p = s.skip_ws(p + 1);
      for (size_t i = 0; p < text.size() && text[p] != ']'; ++i) {
        if (i == st.index) {
          found = true;
          break;
        }
        p = s.skip_ws(s.skip_value(p));
        if (p < text.size() && text[p] == ',') p = s.skip_ws(p + 1);
      }
    }
    if (!found) return range(file, container, s.skip_value(container));
  }
  return range(file, p, s.skip_value(p));
}

}  // namespace polc::import
