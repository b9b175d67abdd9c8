// Stage: syntax. Entry point: raw checks, lexing, a token pre-scan for hostile shapes, parsing with
// polc's error listener, and the hand-written transform to the AST.
#include "compiler/syntax/parse.h"

#include <cctype>
#include <cstdio>
#include <set>

#include "SbxLexer.h"
#include "SbxParser.h"
#include "compiler/syntax/ast_builder.h"
#include "compiler/syntax/text_checks.h"

namespace polc::syntax {

namespace {

using diag::Code;

// Where the first syntax error of `text` is (a byte offset), or nullopt if it parses. Used to
// check a suggested fix before offering it.
std::optional<uint32_t> first_syntax_error_at(const std::string& text);

// Collects the first syntax error only: ANTLR's recovery makes later errors mostly echoes of the
// first, and a wall of echoes hides the real mistake.
class FirstErrorListener : public antlr4::BaseErrorListener {
 public:
  // `diags` may be null: the listener then only records that an error happened.
  FirstErrorListener(diag::Engine* diags, diag::FileId file, const OffsetMap& offsets, antlr4::Parser* parser)
      : diags_(diags), file_(file), offsets_(offsets), parser_(parser) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    if (reported_) return;
    reported_ = true;
    diag::SourceRange r{file_, 0, 0};
    std::string what = "end of file";
    if (offending != nullptr) {
      r.begin = offsets_.byte_offset(offending->getStartIndex());
      r.end =
          offending->getType() == antlr4::Token::EOF ? r.begin : offsets_.byte_offset(offending->getStopIndex() + 1);
      if (offending->getType() != antlr4::Token::EOF) what = "`" + offending->getText() + "`";
    } else {
      r.begin = r.end = diags_ ? static_cast<uint32_t>(diags_->sources().contents(file_).size()) : UINT32_MAX;
    }
    first_at_ = r.begin;
    if (diags_ == nullptr) return;
    auto& d = diags_->report(Code::SyntaxError, r, "unexpected " + what);
    const std::string expected = expected_tokens();
    if (!expected.empty()) d.note("expected " + expected);
    if (offending != nullptr && looks_like_missing_comma(offending)) {
      const uint32_t after_prev = offsets_.byte_offset(parser_->getTokenStream()->LT(-1)->getStopIndex() + 1);
      if (insertion_gets_past(after_prev, ",", r.begin))
        d.with_help("is a `,` missing between the list items?").fix({file_, after_prev, after_prev}, ",");
    }
    if (offending != nullptr && offending->getType() == polc_antlr::SbxLexer::INT &&
        expected.find("`tcp`") != std::string::npos) {
      // A port where a protocol (or direction) must come first: `deny 53` in a network block.
      const std::string port = offending->getText();
      d.with_help("a port follows its protocol: write `udp " + port + "` or `tcp " + port +
                  "` (after `connect` or `bind` to limit the direction)");
    }
  }

  bool reported() const { return reported_; }
  uint32_t first_at() const { return first_at_; }

 private:
  static bool is_item(const antlr4::Token* t) {
    const size_t type = t->getType();
    if (type == polc_antlr::SbxLexer::IDENT || type == polc_antlr::SbxLexer::STRING ||
        type == polc_antlr::SbxLexer::ADDRESS || type == polc_antlr::SbxLexer::GROUP ||
        type == polc_antlr::SbxLexer::INT)
      return true;
    // keywords that are also names (read, write, kill, ...) start with a letter
    const std::string text = t->getText();
    return !text.empty() && std::isalpha(static_cast<unsigned char>(text[0]));
  }

  // A fix-it is offered only if it is true: with `insertion` at `at`, the source must parse past
  // the token that was unexpected (at `offending_at`), not merely fail somewhere else at once.
  bool insertion_gets_past(uint32_t at, const std::string& insertion, uint32_t offending_at) const {
    std::string fixed(diags_->sources().contents(file_));
    if (at > fixed.size()) return false;
    fixed.insert(at, insertion);
    const auto next = first_syntax_error_at(fixed);
    return !next || *next > offending_at + insertion.size();
  }

  // Two list items side by side on one line (`allow read write`, `read "/a" "/b"`): the likeliest
  // mistake is a missing comma.
  bool looks_like_missing_comma(antlr4::Token* offending) const {
    antlr4::Token* prev = parser_->getTokenStream()->LT(-1);
    if (prev == nullptr || offending->getType() == antlr4::Token::EOF) return false;
    const std::string p = prev->getText();
    const bool prev_is_item = is_item(prev) || p == ")" || p == "?";
    return prev_is_item && is_item(offending) && prev->getLine() == offending->getLine();
  }

  // A readable list of what the grammar allowed, with keywords quoted and token kinds named.
  std::string expected_tokens() const {
    std::set<std::string> names;
    const antlr4::misc::IntervalSet set = parser_->getExpectedTokens();
    for (size_t t : set.toList()) {
      std::string n = parser_->getVocabulary().getDisplayName(t);
      if (n == "IDENT") n = "a name";
      else if (n == "INT") n = "an integer";
      else if (n == "QUANTITY") n = "a number with a unit";
      else if (n == "STRING") n = "a string";
      else if (n == "GROUP") n = "an @group";
      else if (n == "ADDRESS") n = "an address";
      else if (n == "EOF" || n == "<EOF>") n = "end of file";
      else if (n.size() >= 2 && n.front() == '\'') n = "`" + n.substr(1, n.size() - 2) + "`";
      names.insert(n);
    }
    // Every keyword is also a name, which makes raw lists huge; when names are allowed, say so once.
    if (names.count("a name") != 0 && names.size() > 12) {
      std::set<std::string> filtered;
      for (const auto& n : names)
        if (n.front() != '`' || n == "`(`" || n == "`)`" || n == "`{`" || n == "`}`" || n == "`,`") filtered.insert(n);
      names = filtered;
    }
    std::string out;
    size_t i = 0;
    for (const auto& n : names) {
      if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
      out += n;
      ++i;
    }
    return out;
  }

  diag::Engine* diags_;
  diag::FileId file_;
  const OffsetMap& offsets_;
  antlr4::Parser* parser_;
  bool reported_ = false;
  uint32_t first_at_ = 0;
};

// `;` for visible ASCII, U+00A0 (and the character) for anything a terminal might not show.
std::string describe_char(const std::string& utf8) {
  const auto c = static_cast<unsigned char>(utf8.empty() ? 0 : utf8[0]);
  if (utf8.size() == 1 && c > 0x20 && c < 0x7f) return "`" + utf8 + "`";
  uint32_t cp = 0;
  if (c < 0x80) cp = c;
  else if ((c & 0xE0) == 0xC0) cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) cp = c & 0x0F;
  else cp = c & 0x07;
  for (size_t i = 1; i < utf8.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", cp);
  return std::string(buf) + (cp > 0x7f && cp != 0xA0 && cp != 0xAD && cp != 0xFEFF && (cp < 0x2000 || cp > 0x200F)
                                 ? " (`" + utf8 + "`)"
                                 : "");
}

bool is_operator(const std::string& t) {
  return t == "&&" || t == "||" || t == "&" || t == "|" || t == "!" || t == "-" || t == "==" || t == "!=" || t == "<" ||
         t == "<=" || t == ">" || t == ">=";
}

// Reports lexical errors and shapes that would make the parser or the tree recurse without bound.
// Returns false when parsing must not start.
bool prescan_tokens(diag::Engine& diags, diag::FileId file, const OffsetMap& offsets,
                    const std::vector<antlr4::Token*>& tokens) {
  auto tok_range = [&](antlr4::Token* t) {
    return diag::SourceRange{file, offsets.byte_offset(t->getStartIndex()), offsets.byte_offset(t->getStopIndex() + 1)};
  };
  bool ok = true;
  int lexical_errors = 0;
  int depth = 0, paren_depth = 0, operator_run = 0;
  // The operators of one expression are counted together; a count ends where the expression
  // does. Statements follow each other without separators, so outside parentheses an expression
  // also ends where an operand (a name, number, string, address or `@group`) or a `)` is followed
  // by another operand: no expression of the grammar continues there. (Counting a whole block as
  // one run refused every generated policy past 4,096 port ranges or constants.) Inside
  // parentheses nothing ends a run: a call's conditions, `in {...}` sets included, count together,
  // so no chain of any length can hide behind a brace or a comma.
  bool after_operand = false;
  for (antlr4::Token* t : tokens) {
    const size_t type = t->getType();
    if (type == polc_antlr::SbxLexer::ERROR_CHAR || type == polc_antlr::SbxLexer::UNTERMINATED_STRING) {
      ok = false;
      if (++lexical_errors > 20) continue;  // enough to act on; the rest would be noise
      if (type == polc_antlr::SbxLexer::UNTERMINATED_STRING) {
        diags.report(Code::LexicalError, tok_range(t), "string is not closed before the end of the line")
            .with_help("add the closing `\"`");
      } else {
        diags.report(Code::LexicalError, tok_range(t), "unexpected character " + describe_char(t->getText()))
            .with_help("the language has no use for this character outside strings and comments");
      }
      continue;
    }
    if (type == polc_antlr::SbxLexer::COMMENT || type == polc_antlr::SbxLexer::WS) continue;
    const std::string text = t->getText();
    bool operand = false;
    if (text == "(" || text == "{") {
      ++depth;
      if (text == "(") ++paren_depth;
      if (text == "{" && paren_depth == 0) operator_run = 0;
      if (depth > kMaxNesting) {
        diags.report(Code::NestingTooDeep, tok_range(t),
                     "brackets are nested more than " + std::to_string(kMaxNesting) + " levels deep");
        return false;
      }
    } else if (text == ")" || text == "}") {
      depth = std::max(0, depth - 1);
      if (text == ")") paren_depth = std::max(0, paren_depth - 1);
      if (text == "}" && paren_depth == 0) operator_run = 0;
      operand = text == ")";
    } else if (text == ",") {
      if (paren_depth == 0) operator_run = 0;
    } else if (is_operator(text)) {
      if (++operator_run > kMaxOperatorRun) {
        diags
            .report(Code::NestingTooDeep, tok_range(t),
                    "expression has more than " + std::to_string(kMaxOperatorRun) + " operators")
            .with_help("split the rule into several rules");
        return false;
      }
    } else {
      if (after_operand && paren_depth == 0) operator_run = 0;
      operand = true;
    }
    after_operand = operand;
  }
  return ok;
}

std::optional<uint32_t> first_syntax_error_at(const std::string& text) {
  const OffsetMap offsets(text);
  antlr4::ANTLRInputStream input(text);
  polc_antlr::SbxLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  for (antlr4::Token* t : tokens.getTokens()) {
    const size_t type = t->getType();
    if (type == polc_antlr::SbxLexer::ERROR_CHAR || type == polc_antlr::SbxLexer::UNTERMINATED_STRING)
      return offsets.byte_offset(t->getStartIndex());
  }
  polc_antlr::SbxParser parser(&tokens);
  parser.removeErrorListeners();
  // Full LL, as the reported error is found (see parse below); no diagnostics, only where.
  FirstErrorListener probe(nullptr, diag::kNoFile, offsets, &parser);
  parser.addErrorListener(&probe);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  parser.file();
  if (!probe.reported()) return std::nullopt;
  return probe.first_at();
}

}  // namespace

namespace {

// The checks every source gets before lexing: its size and its encoding.
bool readable_text(diag::Engine& diags, diag::FileId file, std::string_view text) {
  if (text.size() > kMaxSourceBytes) {
    diags.report(Code::UnreadableFile, {file, 0, 0},
                 "file is larger than " + std::to_string(kMaxSourceBytes >> 20) + " MiB; refusing to parse it");
    return false;
  }
  if (auto bad = first_invalid_utf8(text)) {
    const bool nul = text[*bad] == '\0';
    diags.report(Code::InvalidUtf8, {file, *bad, *bad + 1}, nul ? "NUL byte in source" : "invalid UTF-8 byte in source")
        .with_help("save the file as UTF-8 text");
    return false;
  }
  return true;
}

// `syscall 257` or `257` at the start of a query: the keyword leaves the parser's channel and the
// number becomes a name, so the grammar's syscall query (arguments, `on ARCH`) reads the rest and
// the name keeps the number's place in the query. Returns the number's token, or null.
antlr4::Token* number_as_name(antlr4::CommonTokenStream& tokens) {
  std::vector<antlr4::Token*> seen;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    seen.push_back(t);
    if (seen.size() == 2) break;
  }
  antlr4::Token* number = nullptr;
  if (!seen.empty() && seen[0]->getType() == polc_antlr::SbxLexer::INT) {
    number = seen[0];
  } else if (seen.size() == 2 && seen[0]->getText() == "syscall" && seen[1]->getType() == polc_antlr::SbxLexer::INT) {
    dynamic_cast<antlr4::WritableToken&>(*seen[0]).setChannel(antlr4::Token::HIDDEN_CHANNEL);
    number = seen[1];
  }
  if (number != nullptr) dynamic_cast<antlr4::WritableToken&>(*number).setType(polc_antlr::SbxLexer::IDENT);
  tokens.seek(0);
  return number;
}

// `to example.org`: a domain written without its quotes, as a log or a URL shows it. The network
// section quotes domains (a bare name there would be a name of the language); say so, with the
// quoted text as a fix, instead of a bare "unexpected `example`". True when reported.
bool unquoted_domain(diag::Engine& diags, diag::FileId file, const OffsetMap& offsets,
                     const std::vector<antlr4::Token*>& tokens) {
  std::vector<antlr4::Token*> seen;
  for (antlr4::Token* t : tokens)
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL && t->getType() != antlr4::Token::EOF) seen.push_back(t);
  for (size_t i = 0; i + 2 < seen.size(); ++i) {
    if (seen[i]->getText() != "to" || seen[i + 1]->getType() != polc_antlr::SbxLexer::IDENT ||
        seen[i + 2]->getText() != ".")
      continue;
    // The name runs over adjacent names, numbers and dots: `files.pythonhosted.org`, `s3.aws.com`.
    size_t last = i + 1;
    while (last + 1 < seen.size() && seen[last + 1]->getStartIndex() == seen[last]->getStopIndex() + 1 &&
           (seen[last + 1]->getText() == "." || seen[last + 1]->getType() == polc_antlr::SbxLexer::IDENT ||
            seen[last + 1]->getType() == polc_antlr::SbxLexer::INT))
      ++last;
    const diag::SourceRange r{file, offsets.byte_offset(seen[i + 1]->getStartIndex()),
                              offsets.byte_offset(seen[last]->getStopIndex() + 1)};
    const std::string name(diags.sources().contents(file).substr(r.begin, r.end - r.begin));
    diags.report(Code::SyntaxError, r, "the domain `" + name + "` is not quoted")
        .with_help("write domains in quotes, as the network section does")
        .fix(r, "\"" + name + "\"");
    return true;
  }
  return false;
}

}  // namespace

std::optional<ParsedQuery> parse_query(diag::Engine& diags, diag::FileId file) {
  const std::string_view text = diags.sources().contents(file);
  if (!readable_text(diags, file, text)) return std::nullopt;
  const OffsetMap offsets(text);
  antlr4::ANTLRInputStream input(std::string{text});
  polc_antlr::SbxLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (!prescan_tokens(diags, file, offsets, tokens.getTokens())) return std::nullopt;
  if (tokens.LT(1)->getType() == antlr4::Token::EOF) {
    const auto end = static_cast<uint32_t>(text.size());
    diags.report(Code::SyntaxError, {file, end, end}, "the query is empty")
        .with_help(
            "ask about a syscall ('openat(AT_FDCWD, 0, 0)'), a path ('read \"/etc/x\"') or a connection "
            "('connect tcp 443 to \"example.org\"')");
    return std::nullopt;
  }
  if (unquoted_domain(diags, file, offsets, tokens.getTokens())) return std::nullopt;
  antlr4::Token* number = number_as_name(tokens);

  // A query is a handful of tokens: full LL at once, its first error the one reported.
  polc_antlr::SbxParser parser(&tokens);
  parser.removeErrorListeners();
  FirstErrorListener listener(&diags, file, offsets, &parser);
  parser.addErrorListener(&listener);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  polc_antlr::SbxParser::QueryContext* tree = parser.query();
  if (listener.reported() || parser.getNumberOfSyntaxErrors() > 0) return std::nullopt;
  if (antlr4::Token* rest = tokens.LT(1); rest->getType() != antlr4::Token::EOF) {
    const uint32_t at = offsets.byte_offset(rest->getStartIndex());
    auto& d = diags.report(Code::SyntaxError, {file, at, offsets.byte_offset(rest->getStopIndex() + 1)},
                           "unexpected `" + rest->getText() + "` after the query");
    const std::string first = tree->getStart()->getText();
    if ((first == "connect" || first == "bind") && rest->getType() == polc_antlr::SbxLexer::INT) {
      // `connect 443 ...` reads as the syscall connect(2) followed by a port.
      d.with_help("a port follows its protocol: `" + first + " tcp " + rest->getText() + "` or `" + first + " udp " +
                  rest->getText() + "`");
    } else {
      d.note("a query is one path with its rights, one `connect` or `bind`, or one syscall")
          .with_help("ask about one thing at a time");
    }
    return std::nullopt;
  }

  const size_t errors_before = diags.error_count();
  AstBuilder builder(diags, file, offsets);
  ParsedQuery out{builder.build_query(tree), std::nullopt};
  if (number != nullptr) out.number = builder.integer_token(number);
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

std::optional<ast::File> parse(diag::Engine& diags, diag::FileId file) {
  const std::string_view text = diags.sources().contents(file);
  if (!readable_text(diags, file, text)) return std::nullopt;
  const OffsetMap offsets(text);

  antlr4::ANTLRInputStream input(std::string{text});
  polc_antlr::SbxLexer lexer(&input);
  lexer.removeErrorListeners();  // ERROR_CHAR absorbs every character, so the lexer never errs
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (!prescan_tokens(diags, file, offsets, tokens.getTokens())) return std::nullopt;

  polc_antlr::SbxParser parser(&tokens);
  parser.removeErrorListeners();
  // SLL prediction first: much faster, and exact whenever it reports no error. Only input it
  // rejects is parsed again with full LL, whose verdict (and first error) is the one reported.
  // Errors go to a counting listener on the first pass so nothing is reported twice.
  FirstErrorListener probe(nullptr, file, offsets, &parser);
  parser.addErrorListener(&probe);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  polc_antlr::SbxParser::FileContext* tree = parser.file();
  FirstErrorListener listener(&diags, file, offsets, &parser);
  if (probe.reported()) {
    tokens.seek(0);
    parser.reset();
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    tree = parser.file();
  }
  if (listener.reported() || parser.getNumberOfSyntaxErrors() > 0) return std::nullopt;

  const size_t errors_before = diags.error_count();
  AstBuilder builder(diags, file, offsets);
  ast::File out = builder.build(tree);
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getType() == polc_antlr::SbxLexer::COMMENT)
      out.comments.push_back(
          {t->getText(), {file, offsets.byte_offset(t->getStartIndex()), offsets.byte_offset(t->getStopIndex() + 1)}});
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

}  // namespace polc::syntax
