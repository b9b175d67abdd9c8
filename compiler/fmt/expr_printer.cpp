// Stage: fmt. Leaf printers. Parentheses are printed exactly where the author wrote them: the
// tree's shape already encodes precedence, so no others are ever needed.
#include "compiler/fmt/expr_printer.h"

namespace polc::fmt {

namespace {
std::string_view cmp_text(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::Eq: return "==";
    case ast::CmpOp::Ne: return "!=";
    case ast::CmpOp::Lt: return "<";
    case ast::CmpOp::Le: return "<=";
    case ast::CmpOp::Gt: return ">";
    case ast::CmpOp::Ge: return ">=";
  }
  return "==";
}
}  // namespace

std::string print_expr(const ast::Expr& e) {
  std::string s;
  switch (e.kind) {
    case ast::ExprKind::Int: s = e.int_text; break;
    case ast::ExprKind::Name: s = e.name; break;
    case ast::ExprKind::Neg: s = "-" + print_expr(*e.lhs); break;
    case ast::ExprKind::BitAnd: s = print_expr(*e.lhs) + " & " + print_expr(*e.rhs); break;
    case ast::ExprKind::BitOr: s = print_expr(*e.lhs) + " | " + print_expr(*e.rhs); break;
    case ast::ExprKind::Compare:
      s = print_expr(*e.lhs) + " " + std::string(cmp_text(e.op)) + " " + print_expr(*e.rhs);
      break;
    case ast::ExprKind::In: {
      s = print_expr(*e.lhs) + (e.negated ? " not in {" : " in {");
      for (size_t i = 0; i < e.set.size(); ++i) s += (i ? ", " : "") + print_expr(*e.set[i]);
      s += "}";
      break;
    }
    case ast::ExprKind::And: s = print_expr(*e.lhs) + " && " + print_expr(*e.rhs); break;
    case ast::ExprKind::Or: s = print_expr(*e.lhs) + " || " + print_expr(*e.rhs); break;
    case ast::ExprKind::Not: s = "!" + print_expr(*e.lhs); break;
  }
  return e.parenthesized ? "(" + s + ")" : s;
}

std::string print_action(const ast::Action& a) {
  switch (a.kind) {
    case ast::ActionKind::Allow: return "allow";
    case ast::ActionKind::Log: return "log";
    case ast::ActionKind::Trap: return "trap";
    case ast::ActionKind::UserNotif: return "user_notif";
    case ast::ActionKind::KillThread: return "kill_thread";
    case ast::ActionKind::KillProcess: return "kill_process";
    case ast::ActionKind::Kill: return "kill";
    case ast::ActionKind::Deny: return "deny";
    case ast::ActionKind::Errno: return "errno(" + print_expr(*a.value) + ")";
    case ast::ActionKind::Trace: return "trace(" + print_expr(*a.value) + ")";
  }
  return "allow";
}

std::string print_target(const ast::SyscallTarget& t) {
  std::string s = t.is_group ? "@" + t.name.text : t.name.text + (t.optional ? "?" : "");
  if (t.has_parens) {
    s += "(";
    for (size_t i = 0; i < t.args.size(); ++i) s += (i ? ", " : "") + print_expr(*t.args[i]);
    s += ")";
  }
  return s;
}

std::string print_string(const std::string& value) {
  std::string s = "\"";
  for (char c : value) {
    switch (c) {
      case '"': s += "\\\""; break;
      case '\\': s += "\\\\"; break;
      case '\n': s += "\\n"; break;
      case '\t': s += "\\t"; break;
      default: s += c;
    }
  }
  return s + "\"";
}

std::string print_host(const ast::HostRef& h) {
  switch (h.kind) {
    case ast::HostKind::String: return print_string(h.text);
    case ast::HostKind::Group: return "@" + h.text;
    case ast::HostKind::Address:
    case ast::HostKind::Any: return h.text;
  }
  return h.text;
}

std::string print_port(const ast::PortRange& p) {
  return p.is_range ? std::to_string(p.low) + "-" + std::to_string(p.high) : std::to_string(p.low);
}

std::string print_query(const ast::Query& q) {
  if (const auto* s = std::get_if<ast::SyscallQuery>(&q.q)) {
    return print_target(s->target) + (s->arch ? " on " + s->arch->text : "");
  }
  if (const auto* f = std::get_if<ast::FsQuery>(&q.q)) {
    std::string out;
    for (size_t i = 0; i < f->rights.size(); ++i) out += (i ? ", " : "") + f->rights[i].text;
    return out + " " + print_string(f->path.value);
  }
  const auto& n = std::get<ast::NetQuery>(q.q);
  std::string out = n.direction == ast::Direction::Bind ? "bind" : "connect";
  out += n.proto == ast::Proto::Udp ? " udp" : " tcp";
  if (n.port) out += " " + print_port(*n.port);
  if (n.host) out += " to " + print_host(*n.host);
  return out;
}

}  // namespace polc::fmt

namespace polc::fmt {

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

std::string_view chain_op(ast::ExprKind k) {
  switch (k) {
    case ast::ExprKind::And: return "&&";
    case ast::ExprKind::Or: return "||";
    case ast::ExprKind::BitOr: return "|";
    default: return "";
  }
}

// The operands of a left-associated chain of one operator (a && b && c), in order. A
// parenthesized operand is a unit of its own.
void flatten(const ast::Expr& e, ast::ExprKind kind, std::vector<const ast::Expr*>& out) {
  for (const ast::Expr* k : {e.lhs.get(), e.rhs.get()}) {
    if (k->kind == kind && !k->parenthesized) flatten(*k, kind, out);
    else out.push_back(k);
  }
}

// Appends `more` (line 0 unindented, the rest indented) to `lines`, continuing its last line.
void append(std::vector<std::string>& lines, const std::vector<std::string>& more) {
  lines.back() += more.front();
  lines.insert(lines.end(), more.begin() + 1, more.end());
}

}  // namespace

std::vector<std::string> print_expr_lines(const ast::Expr& e, size_t col, size_t width) {
  const std::string flat = print_expr(e);
  const std::string_view op = chain_op(e.kind);
  if (col + display_width(flat) <= width || op.empty()) return {flat};
  // The chain's operands start at `start` (after an opening parenthesis if there is one).
  const size_t start = col + (e.parenthesized ? 1 : 0);
  std::vector<const ast::Expr*> operands;
  flatten(e, e.kind, operands);
  std::vector<std::string> lines = {e.parenthesized ? "(" : ""};
  size_t line_col = start;  // column where the current line's text ends
  for (size_t i = 0; i < operands.size(); ++i) {
    const bool last = i + 1 == operands.size();
    const std::string tail = last ? (e.parenthesized ? ")" : "") : " " + std::string(op);
    const std::string text = print_expr(*operands[i]);
    const size_t sep = line_col == start ? 0 : 1;
    if (line_col != start && line_col + sep + display_width(text) + display_width(tail) > width) {
      lines.push_back(std::string(start, ' '));
      line_col = start;
    }
    if (line_col != start) {
      lines.back() += " ";
      ++line_col;
    }
    auto parts =
        print_expr_lines(*operands[i], line_col, width > display_width(tail) ? width - display_width(tail) : width);
    parts.back() += tail;
    append(lines, parts);
    line_col = parts.size() == 1 ? line_col + display_width(parts.back()) : display_width(lines.back());
  }
  return lines;
}

std::vector<std::string> print_target_lines(const ast::SyscallTarget& t, size_t col, size_t width) {
  const std::string flat = print_target(t);
  if (col + display_width(flat) <= width || t.args.empty()) return {flat};
  const std::string head = (t.is_group ? "@" + t.name.text : t.name.text + (t.optional ? "?" : "")) + "(";
  const size_t arg_col = col + display_width(head);
  std::vector<std::string> lines = {head};
  for (size_t i = 0; i < t.args.size(); ++i) {
    const std::string tail = i + 1 == t.args.size() ? ")" : ",";
    if (i > 0) lines.push_back(std::string(arg_col, ' '));
    auto parts = print_expr_lines(*t.args[i], arg_col, width - 1);
    parts.back() += tail;
    append(lines, parts);
  }
  return lines;
}

}  // namespace polc::fmt
