// Stage: import. Strict JSON reading (see strict_json.h).
#include "compiler/import/strict_json.h"

#include <algorithm>
#include <map>
#include <vector>

namespace polc::import {

namespace {

using json = nlohmann::json;

// nlohmann's DOM builder, with two checks on the way: each object's keys are remembered (the
// decoded text, so "a" and "\u0061" are the same key), and an error keeps its position.
class StrictSax {
 public:
  explicit StrictSax(json& root) : dom_(root, false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return dom_.number_float(v, s); }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    keys_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    const size_t ordinal = key_count_++;
    if (!keys_.empty()) {
      auto [it, fresh] = keys_.back().emplace(k, ordinal);
      if (!fresh) {
        duplicate_ = Duplicate{k, it->second, ordinal};
        return false;  // stops the parse
      }
    }
    return dom_.key(k);
  }
  bool end_object() {
    if (!keys_.empty()) keys_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& e) {
    std::optional<size_t> byte;
    if (const auto* syntax = dynamic_cast<const nlohmann::detail::parse_error*>(&e)) byte = syntax->byte;
    error_ = Error{position, token.size(), e.what(), byte};
    return false;
  }

  struct Duplicate {
    std::string key;
    size_t first, second;  // ordinals among all keys of the document, in text order
  };
  struct Error {
    size_t position, token_size;
    std::string what;
    std::optional<size_t> byte;  // a syntax error's byte, counted from 1
  };
  std::optional<Duplicate> duplicate_;
  std::optional<Error> error_;

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<std::map<std::string, size_t>> keys_;  // one per open object
  size_t key_count_ = 0;
};

size_t skip_string(std::string_view t, size_t p) {
  for (++p; p < t.size() && t[p] != '"'; ++p)
    if (t[p] == '\\') ++p;
  return std::min(p + 1, t.size());
}

// The byte range of the `n`th key (0-based, in text order) of `text`, which is valid JSON at
// least up to that key. Iterative: the nesting depth of a hostile file is not bounded here.
std::pair<size_t, size_t> nth_key(std::string_view t, size_t n) {
  std::vector<char> open;
  bool expect_key = false;
  size_t count = 0;
  for (size_t p = 0; p < t.size();) {
    const char c = t[p];
    if (c == '"') {
      const size_t end = skip_string(t, p);
      if (expect_key && !open.empty() && open.back() == '{') {
        if (count++ == n) return {p, end};
        expect_key = false;
      }
      p = end;
      continue;
    }
    if (c == '{' || c == '[') open.push_back(c);
    if ((c == '}' || c == ']') && !open.empty()) open.pop_back();
    if (c == '{' || c == ',') expect_key = !open.empty() && open.back() == '{';
    ++p;
  }
  return {t.size(), t.size()};
}

// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix:
// the diagnostic's location already says where.
std::string without_prefix(const std::string& what) {
  std::string m = what;
  if (auto p = m.find("] "); p != std::string::npos && !m.empty() && m.front() == '[') m = m.substr(p + 2);
  if (m.rfind("parse error", 0) == 0)
    if (auto p = m.find(": "); p != std::string::npos) m = m.substr(p + 2);
  return m;
}

}  // namespace

std::variant<json, JsonError> parse_strict_json(std::string_view text) {
  json root;
  StrictSax sax(root);
  const bool ok = json::sax_parse(text.begin(), text.end(), &sax);
  if (sax.duplicate_) {
    const auto [b, e] = nth_key(text, sax.duplicate_->second);
    const auto [fb, fe] = nth_key(text, sax.duplicate_->first);
    return JsonError{b, e, "the key \"" + sax.duplicate_->key + "\" appears twice in one object", fb, fe};
  }
  if (sax.error_ || !ok) {
    // The position counts characters read, just past the offending token (or one past the end
    // for a truncated document).
    size_t begin, end;
    if (sax.error_ && sax.error_->byte) {  // a syntax error: the byte where it was noticed
      begin = std::min<size_t>(*sax.error_->byte > 0 ? *sax.error_->byte - 1 : 0, text.size());
      end = std::min(begin + 1, text.size());
    } else {  // a well-formed token with a bad value (a number out of range): the whole token
      const size_t pos = sax.error_ ? std::min(sax.error_->position, text.size()) : text.size();
      const size_t len = sax.error_ ? std::max<size_t>(sax.error_->token_size, 1) : 1;
      begin = pos >= len ? pos - len : 0;
      end = std::min(begin + len, text.size());
    }
    std::string message = sax.error_ ? without_prefix(sax.error_->what) : "not valid JSON";
    if (message.rfind("number overflow", 0) == 0) message += ": the number is too large for any value a profile holds";
    return JsonError{begin, end, message, std::nullopt, std::nullopt};
  }
  return root;
}

}  // namespace polc::import
