// Stage: syntax (internal). The hand-written transformer from ANTLR's parse tree to polc's AST.
// Only files in compiler/syntax include this header: it exposes ANTLR types.
#pragma once

#include "SbxParser.h"
#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/text_checks.h"

namespace polc::syntax {

class AstBuilder {
 public:
  AstBuilder(diag::Engine& diags, diag::FileId file, const OffsetMap& offsets)
      : diags_(diags), file_(file), offsets_(offsets) {}

  // Builds the AST of a parse tree that had no syntax errors. Literal errors (integers too large,
  // bad escapes) are reported to the engine; the caller checks has_errors().
  ast::File build(polc_antlr::SbxParser::FileContext* ctx);
  // The same for a query parsed on its own (`polc eval`).
  ast::Query build_query(polc_antlr::SbxParser::QueryContext* ctx) { return query(ctx); }
  // The value of an INT token, reporting a literal that is malformed or too large (then 0).
  uint64_t integer_token(antlr4::Token* token);

 private:
  ast::SourceRange range(antlr4::ParserRuleContext* ctx) const;
  ast::SourceRange range(antlr4::Token* tok) const;
  ast::SourceRange range(antlr4::tree::TerminalNode* node) const { return range(node->getSymbol()); }

  ast::Name name(polc_antlr::SbxParser::NameContext* ctx) const;
  ast::StringLit string_lit(antlr4::tree::TerminalNode* node);
  uint64_t integer(antlr4::tree::TerminalNode* node);

  ast::Item item(polc_antlr::SbxParser::ItemContext* ctx);
  ast::Import import_item(polc_antlr::SbxParser::ImportItemContext* ctx);
  ast::SyscallStmt syscall_stmt(polc_antlr::SbxParser::SyscallStmtContext* ctx);
  ast::Action action(polc_antlr::SbxParser::ActionContext* ctx);
  ast::SyscallTarget syscall_target(polc_antlr::SbxParser::SyscallTargetContext* ctx);
  ast::ExprPtr expr(polc_antlr::SbxParser::ExprContext* ctx);
  ast::ExprPtr value(polc_antlr::SbxParser::ValueContext* ctx);
  ast::FsStmt fs_stmt(polc_antlr::SbxParser::FsStmtContext* ctx);
  ast::Quantity quantity(polc_antlr::SbxParser::QuantityContext* ctx);
  ast::NetStmt net_stmt(polc_antlr::SbxParser::NetStmtContext* ctx);
  ast::PortRange port_range(polc_antlr::SbxParser::PortRangeContext* ctx);
  ast::HostRef host_ref(polc_antlr::SbxParser::HostRefContext* ctx);
  ast::Query query(polc_antlr::SbxParser::QueryContext* ctx);

  diag::Engine& diags_;
  diag::FileId file_;
  const OffsetMap& offsets_;
};

}  // namespace polc::syntax
