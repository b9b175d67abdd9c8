// Stage: syntax. ANTLR parse tree -> polc AST. Purely structural: every decision about meaning is
// left to sema, so this file only copies what was written, with source ranges.
#include "compiler/syntax/ast_builder.h"

#include <limits>

namespace polc::syntax {

using P = polc_antlr::SbxParser;
using diag::Code;

ast::SourceRange AstBuilder::range(antlr4::ParserRuleContext* ctx) const {
  const antlr4::Token* start = ctx->getStart();
  const antlr4::Token* stop = ctx->getStop();
  const uint32_t begin = offsets_.byte_offset(start->getStartIndex());
  uint32_t end = begin;
  if (stop != nullptr && stop->getStopIndex() != INVALID_INDEX && stop->getStopIndex() + 1 >= start->getStartIndex())
    end = offsets_.byte_offset(stop->getStopIndex() + 1);
  return {file_, begin, end};
}

ast::SourceRange AstBuilder::range(antlr4::Token* tok) const {
  return {file_, offsets_.byte_offset(tok->getStartIndex()), offsets_.byte_offset(tok->getStopIndex() + 1)};
}

ast::Name AstBuilder::name(P::NameContext* ctx) const { return {ctx->getText(), range(ctx)}; }

ast::StringLit AstBuilder::string_lit(antlr4::tree::TerminalNode* node) {
  const std::string raw = node->getText();
  ast::StringLit out{{}, range(node)};
  // raw includes the quotes; the lexer guarantees a closing quote and no raw newline.
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.value += raw[i];
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case '"': out.value += '"'; break;
      case '\\': out.value += '\\'; break;
      case 'n': out.value += '\n'; break;
      case 't': out.value += '\t'; break;
      default: {
        const uint32_t at = out.range.begin + static_cast<uint32_t>(i) - 1;
        diags_.report(Code::LexicalError, {file_, at, at + 2}, std::string("unknown escape `\\") + e + "` in string")
            .with_help("strings support \\\" \\\\ \\n and \\t");
      }
    }
  }
  return out;
}

uint64_t AstBuilder::integer_token(antlr4::Token* token) {
  antlr4::tree::TerminalNodeImpl node(token);
  return integer(&node);
}

uint64_t AstBuilder::integer(antlr4::tree::TerminalNode* node) {
  const std::string text = node->getText();
  unsigned base = 10;
  size_t i = 0;
  if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o' || text[1] == 'b')) {
    base = text[1] == 'x' ? 16 : text[1] == 'o' ? 8 : 2;
    i = 2;
  }
  // `07022` is octal in C but decimal here; reading it either way silently would turn a file mode
  // into another number, so a leading zero must say which base it means.
  if (base == 10 && text.size() > 1 && text[0] == '0') {
    diags_.report(Code::LexicalError, range(node), "integer literal `" + text + "` has a leading zero")
        .with_help("write `0o" + text.substr(1) + "` for octal, or drop the zero for decimal");
    return 0;
  }
  uint64_t v = 0;
  bool digits = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') continue;
    const unsigned d = c >= '0' && c <= '9' ? unsigned(c - '0') : unsigned((c | 0x20) - 'a' + 10);
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) {
      diags_.report(Code::IntegerTooLarge, range(node), "integer literal `" + text + "` does not fit in 64 bits");
      return 0;
    }
    v = v * base + d;
    digits = true;
  }
  if (!digits) diags_.report(Code::LexicalError, range(node), "integer literal `" + text + "` has no digits");
  return v;
}

ast::File AstBuilder::build(P::FileContext* ctx) {
  ast::File f;
  f.file = file_;
  f.range = range(ctx->unit());  // not the EOF token: comments after the closing brace stay after it
  std::vector<P::ItemContext*> items;
  if (auto* p = dynamic_cast<P::PolicyUnitContext*>(ctx->unit())) {
    f.kind = ast::UnitKind::Policy;
    f.name = p->name()->getText();
    f.name_range = range(p->name());
    f.version = integer(p->INT());
    f.version_range = range(p->INT());
    items = p->item();
  } else if (auto* m = dynamic_cast<P::ModuleUnitContext*>(ctx->unit())) {
    f.kind = ast::UnitKind::Module;
    f.name = m->dottedName()->getText();
    f.name_range = range(m->dottedName());
    items = m->item();
  }
  for (auto* it : items) f.items.push_back(item(it));
  return f;
}

ast::Item AstBuilder::item(P::ItemContext* ctx) {
  if (auto* t = dynamic_cast<P::TargetsItemContext*>(ctx)) {
    ast::Targets out;
    out.range = range(t);
    for (auto* n : t->name()) out.arches.push_back(name(n));
    return out;
  }
  if (auto* i = dynamic_cast<P::ImportItemContext*>(ctx)) return import_item(i);
  if (auto* c = dynamic_cast<P::ConstItemContext*>(ctx)) {
    return ast::ConstDef{name(c->name()), value(c->value()), range(c)};
  }
  if (auto* g = dynamic_cast<P::GroupItemContext*>(ctx)) {
    ast::GroupDef out;
    out.range = range(g);
    const auto r = range(g->GROUP());
    out.name = {g->GROUP()->getText().substr(1), r};
    for (auto* m : g->groupMember()) {
      ast::GroupMember gm;
      gm.range = range(m);
      if (m->GROUP() != nullptr) {
        gm.is_group = true;
        gm.name = {m->GROUP()->getText().substr(1), range(m->GROUP())};
      } else {
        gm.name = name(m->name());
        gm.optional = m->optional != nullptr;
      }
      out.members.push_back(std::move(gm));
    }
    return out;
  }
  if (auto* h = dynamic_cast<P::HostsItemContext*>(ctx)) {
    ast::HostsDef out;
    out.range = range(h);
    out.name = {h->GROUP()->getText().substr(1), range(h->GROUP())};
    for (auto* r : h->hostRef()) out.hosts.push_back(host_ref(r));
    return out;
  }
  if (auto* s = dynamic_cast<P::SyscallsItemContext*>(ctx)) {
    ast::SyscallsSection out;
    out.range = range(s);
    for (auto* st : s->syscallStmt()) out.stmts.push_back(syscall_stmt(st));
    return out;
  }
  if (auto* fs = dynamic_cast<P::FilesystemItemContext*>(ctx)) {
    ast::FilesystemSection out;
    out.range = range(fs);
    for (auto* st : fs->fsStmt()) out.stmts.push_back(fs_stmt(st));
    return out;
  }
  if (auto* n = dynamic_cast<P::NetworkItemContext*>(ctx)) {
    ast::NetworkSection out;
    out.range = range(n);
    for (auto* st : n->netStmt()) out.stmts.push_back(net_stmt(st));
    return out;
  }
  if (auto* l = dynamic_cast<P::LimitsItemContext*>(ctx)) {
    ast::LimitsSection out;
    out.range = range(l);
    for (auto* st : l->limitStmt()) out.stmts.push_back({name(st->name()), quantity(st->quantity()), range(st)});
    return out;
  }
  if (auto* ns = dynamic_cast<P::NamespacesItemContext*>(ctx)) {
    ast::NamespacesDecl out;
    out.range = range(ns);
    for (auto* n : ns->name()) out.namespaces.push_back(name(n));
    return out;
  }
  if (auto* a = dynamic_cast<P::AssertItemContext*>(ctx)) {
    return ast::Assertion{a->quantifier->getText() == "never", query(a->query()), range(a)};
  }
  auto* t = dynamic_cast<P::TestItemContext*>(ctx);
  ast::Test out;
  out.range = range(t);
  out.name = string_lit(t->STRING());
  for (auto* e : t->expectStmt()) out.expectations.push_back({action(e->action()), query(e->query()), range(e)});
  return out;
}

ast::Import AstBuilder::import_item(P::ImportItemContext* ctx) {
  ast::Import out;
  out.range = range(ctx);
  for (auto* r : ctx->importRef()) {
    if (r->STRING() != nullptr) out.refs.push_back({true, string_lit(r->STRING()).value, range(r)});
    else out.refs.push_back({false, r->dottedName()->getText(), range(r)});
  }
  if (auto* w = ctx->withoutList()) {
    for (auto* r : w->withoutRef()) {
      if (r->GROUP() != nullptr)
        out.without.push_back({ast::WithoutKind::Group, r->GROUP()->getText().substr(1), range(r)});
      else if (r->STRING() != nullptr)
        out.without.push_back({ast::WithoutKind::String, string_lit(r->STRING()).value, range(r)});
      else out.without.push_back({ast::WithoutKind::Name, r->name()->getText(), range(r)});
    }
  }
  return out;
}

ast::Action AstBuilder::action(P::ActionContext* ctx) {
  static const std::pair<std::string_view, ast::ActionKind> kKinds[] = {
      {"allow", ast::ActionKind::Allow},
      {"log", ast::ActionKind::Log},
      {"trap", ast::ActionKind::Trap},
      {"user_notif", ast::ActionKind::UserNotif},
      {"kill_thread", ast::ActionKind::KillThread},
      {"kill_process", ast::ActionKind::KillProcess},
      {"kill", ast::ActionKind::Kill},
      {"deny", ast::ActionKind::Deny},
      {"errno", ast::ActionKind::Errno},
      {"trace", ast::ActionKind::Trace},
  };
  ast::Action out;
  out.range = range(ctx);
  const std::string k = ctx->kind->getText();
  for (const auto& [text, kind] : kKinds)
    if (text == k) out.kind = kind;
  if (ctx->value() != nullptr) out.value = value(ctx->value());
  return out;
}

ast::SyscallStmt AstBuilder::syscall_stmt(P::SyscallStmtContext* ctx) {
  if (auto* d = dynamic_cast<P::DefaultStmtContext*>(ctx)) return ast::SyscallDefault{action(d->action()), range(d)};
  auto* r = dynamic_cast<P::RuleStmtContext*>(ctx);
  ast::SyscallRule out;
  out.range = range(r);
  out.action = action(r->action());
  for (auto* t : r->syscallTarget()) out.targets.push_back(syscall_target(t));
  if (auto* te = r->trailingErrno()) {
    out.trailing_errno = value(te->value());
    out.trailing_errno_range = range(te);
  }
  return out;
}

ast::SyscallTarget AstBuilder::syscall_target(P::SyscallTargetContext* ctx) {
  ast::SyscallTarget out;
  out.range = range(ctx);
  if (ctx->GROUP() != nullptr) {
    out.is_group = true;
    out.name = {ctx->GROUP()->getText().substr(1), range(ctx->GROUP())};
  } else {
    out.name = name(ctx->name());
    out.optional = ctx->optional != nullptr;
  }
  // `(` is a literal token, so its presence is visible as a child terminal.
  for (auto* child : ctx->children)
    if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child); term != nullptr && term->getText() == "(")
      out.has_parens = true;
  for (auto* e : ctx->expr()) out.args.push_back(expr(e));
  return out;
}

ast::ExprPtr AstBuilder::expr(P::ExprContext* ctx) {
  auto out = std::make_unique<ast::Expr>();
  out->range = range(ctx);
  if (auto* n = dynamic_cast<P::NotExprContext*>(ctx)) {
    out->kind = ast::ExprKind::Not;
    out->lhs = expr(n->expr());
  } else if (auto* a = dynamic_cast<P::AndExprContext*>(ctx)) {
    out->kind = ast::ExprKind::And;
    out->lhs = expr(a->expr(0));
    out->rhs = expr(a->expr(1));
  } else if (auto* o = dynamic_cast<P::OrExprContext*>(ctx)) {
    out->kind = ast::ExprKind::Or;
    out->lhs = expr(o->expr(0));
    out->rhs = expr(o->expr(1));
  } else if (auto* c = dynamic_cast<P::CompareExprContext*>(ctx)) {
    static const std::pair<std::string_view, ast::CmpOp> kOps[] = {{"==", ast::CmpOp::Eq}, {"!=", ast::CmpOp::Ne},
                                                                   {"<", ast::CmpOp::Lt},  {"<=", ast::CmpOp::Le},
                                                                   {">", ast::CmpOp::Gt},  {">=", ast::CmpOp::Ge}};
    out->kind = ast::ExprKind::Compare;
    for (const auto& [text, op] : kOps)
      if (text == c->op->getText()) out->op = op;
    out->lhs = value(c->value(0));
    out->rhs = value(c->value(1));
  } else if (auto* in = dynamic_cast<P::InExprContext*>(ctx)) {
    out->kind = ast::ExprKind::In;
    out->negated = in->negated != nullptr;
    auto values = in->value();
    out->lhs = value(values[0]);
    for (size_t i = 1; i < values.size(); ++i) out->set.push_back(value(values[i]));
  } else if (auto* p = dynamic_cast<P::ParenExprContext*>(ctx)) {
    out = expr(p->expr());
    out->parenthesized = true;
    out->range = range(p);
  } else {
    auto* v = dynamic_cast<P::ValueExprContext*>(ctx);
    out = value(v->value());
  }
  return out;
}

ast::ExprPtr AstBuilder::value(P::ValueContext* ctx) {
  auto out = std::make_unique<ast::Expr>();
  out->range = range(ctx);
  if (auto* n = dynamic_cast<P::NegValueContext*>(ctx)) {
    out->kind = ast::ExprKind::Neg;
    out->lhs = value(n->value());
  } else if (auto* m = dynamic_cast<P::MaskValueContext*>(ctx)) {
    out->kind = ast::ExprKind::BitAnd;
    out->lhs = value(m->value(0));
    out->rhs = value(m->value(1));
  } else if (auto* o = dynamic_cast<P::OrValueContext*>(ctx)) {
    out->kind = ast::ExprKind::BitOr;
    out->lhs = value(o->value(0));
    out->rhs = value(o->value(1));
  } else if (auto* p = dynamic_cast<P::ParenValueContext*>(ctx)) {
    out = value(p->value());
    out->parenthesized = true;
    out->range = range(p);
  } else if (auto* i = dynamic_cast<P::IntValueContext*>(ctx)) {
    out->kind = ast::ExprKind::Int;
    out->int_value = integer(i->INT());
    out->int_text = i->INT()->getText();
  } else {
    auto* nv = dynamic_cast<P::NameValueContext*>(ctx);
    out->kind = ast::ExprKind::Name;
    out->name = nv->name()->getText();
  }
  return out;
}

ast::FsStmt AstBuilder::fs_stmt(P::FsStmtContext* ctx) {
  if (auto* a = dynamic_cast<P::AbiStmtContext*>(ctx))
    return ast::LandlockAbi{integer(a->INT()), range(a), range(a->INT())};
  if (auto* sc = dynamic_cast<P::ScopeStmtContext*>(ctx)) {
    ast::LandlockScope out{{}, range(sc)};
    for (auto* n : sc->name()) out.scopes.push_back(name(n));
    return out;
  }
  if (auto* b = dynamic_cast<P::BestEffortStmtContext*>(ctx)) {
    ast::LandlockBestEffort out{{}, range(b)};
    for (auto* n : b->name()) out.layers.push_back(name(n));
    return out;
  }
  if (auto* m = dynamic_cast<P::MountStmtContext*>(ctx)) {
    ast::MountStmt out;
    out.range = range(m);
    out.kind = name(m->kind);
    for (auto* s : m->STRING()) out.paths.push_back(string_lit(s));
    if (m->quantity() != nullptr) out.size = quantity(m->quantity());
    return out;
  }
  if (auto* w = dynamic_cast<P::WorkspaceStmtContext*>(ctx)) {
    ast::WorkspaceStmt out;
    out.range = range(w);
    out.path = string_lit(w->STRING());
    for (auto* c : w->discardCond()) {
      ast::DiscardCond cond;
      cond.range = range(c);
      auto names = c->name();
      cond.name = name(names[0]);
      cond.has_layers = names.size() > 1;
      for (size_t i = 1; i < names.size(); ++i) cond.layers.push_back(name(names[i]));
      out.discard.push_back(std::move(cond));
    }
    return out;
  }
  auto* r = dynamic_cast<P::AccessStmtContext*>(ctx);
  ast::AccessRule out;
  out.range = range(r);
  out.deny = r->deny != nullptr;
  for (auto* n : r->name()) out.rights.push_back(name(n));
  for (auto* s : r->STRING()) out.paths.push_back(string_lit(s));
  return out;
}

ast::Quantity AstBuilder::quantity(P::QuantityContext* ctx) {
  ast::Quantity out;
  out.range = range(ctx);
  out.text = ctx->getText();
  if (ctx->INT() != nullptr) {
    out.kind = ast::Quantity::Kind::Int;
    out.int_value = integer(ctx->INT());
  } else if (ctx->QUANTITY() != nullptr) {
    out.kind = ast::Quantity::Kind::Quantity;
  } else {
    out.kind = ast::Quantity::Kind::Name;
  }
  return out;
}

ast::NetStmt AstBuilder::net_stmt(P::NetStmtContext* stmt) {
  if (auto* p = dynamic_cast<P::ProxyStmtContext*>(stmt))
    return ast::ProxyDecl{p->ADDRESS()->getText(), range(p->ADDRESS()), integer(p->INT()), range(p->INT()), range(p)};
  auto* ctx = dynamic_cast<P::RuleStmtNetContext*>(stmt);
  ast::NetRule out;
  out.range = range(ctx);
  out.deny = ctx->deny != nullptr;
  auto* body = ctx->netBody();
  if (body->direction != nullptr)
    out.direction = body->direction->getText() == "connect" ? ast::Direction::Connect : ast::Direction::Bind;
  if (body->proto != nullptr) out.proto = body->proto->getText() == "tcp" ? ast::Proto::Tcp : ast::Proto::Udp;
  if (auto* p = body->ports()) {
    if (p->portRange().empty()) out.any_port = true;
    for (auto* r : p->portRange()) out.ports.push_back(port_range(r));
  }
  if (auto* to = body->netTo()) {
    out.has_to = true;
    for (auto* h : to->hostRef()) out.hosts.push_back(host_ref(h));
  }
  return out;
}

ast::PortRange AstBuilder::port_range(P::PortRangeContext* ctx) {
  ast::PortRange out;
  out.range = range(ctx);
  auto ints = ctx->INT();
  out.low = integer(ints[0]);
  out.high = out.low;
  if (ints.size() > 1) {
    out.high = integer(ints[1]);
    out.is_range = true;
  }
  return out;
}

ast::HostRef AstBuilder::host_ref(P::HostRefContext* ctx) {
  if (ctx->STRING() != nullptr) return {ast::HostKind::String, string_lit(ctx->STRING()).value, range(ctx)};
  if (ctx->ADDRESS() != nullptr) return {ast::HostKind::Address, ctx->ADDRESS()->getText(), range(ctx)};
  if (ctx->GROUP() != nullptr) return {ast::HostKind::Group, ctx->GROUP()->getText().substr(1), range(ctx)};
  return {ast::HostKind::Any, "any", range(ctx)};
}

ast::Query AstBuilder::query(P::QueryContext* ctx) {
  ast::Query out;
  out.range = range(ctx);
  if (auto* f = dynamic_cast<P::FsQueryContext*>(ctx)) {
    ast::FsQuery q;
    for (auto* n : f->name()) q.rights.push_back(name(n));
    q.path = string_lit(f->STRING());
    out.q = std::move(q);
  } else if (auto* n = dynamic_cast<P::NetQueryContext*>(ctx)) {
    ast::NetQuery q;
    q.direction = n->direction->getText() == "connect" ? ast::Direction::Connect : ast::Direction::Bind;
    q.proto = n->proto->getText() == "tcp" ? ast::Proto::Tcp : ast::Proto::Udp;
    if (n->portRange() != nullptr) q.port = port_range(n->portRange());
    if (n->hostRef() != nullptr) q.host = host_ref(n->hostRef());
    out.q = std::move(q);
  } else {
    auto* s = dynamic_cast<P::SyscallQueryContext*>(ctx);
    ast::SyscallQuery q;
    q.target = syscall_target(s->syscallTarget());
    if (s->name() != nullptr) q.arch = name(s->name());
    out.q = std::move(q);
  }
  return out;
}

}  // namespace polc::syntax
