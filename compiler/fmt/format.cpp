// Stage: fmt. The canonical printer. Comments are placed by source position: before each
// statement and list item, every comment that precedes it in the source is emitted first, and a
// comment on the same source line as the end of an item stays at the end of that item's line.
#include "compiler/fmt/format.h"

#include <algorithm>

#include "compiler/fmt/expr_printer.h"

namespace polc::fmt {

namespace {

struct ListItem {
  std::string text;
  ast::SourceRange range;
  const ast::SyscallTarget* target = nullptr;  // set for syscall targets, which can break across lines
};

class Printer {
 public:
  Printer(const ast::File& file, std::string_view source) : file_(file), src_(source) {}

  std::string run() {
    std::string head;
    if (file_.kind == ast::UnitKind::Policy)
      head = "policy " + file_.name + " version " + std::to_string(file_.version) + " {";
    else head = "module " + file_.name + " {";
    statement_start(file_.range.begin, true);
    emit_line(head);
    trailing_comment(brace_after(file_.range.begin));
    ++indent_;
    bool first = true;
    for (const ast::Item& item : file_.items) {
      std::visit([&](const auto& it) { item_stmt(it, first); }, item);
      first = false;
    }
    closing_brace(file_.range.end);
    // Comments after the final brace.
    flush_comments(static_cast<uint32_t>(src_.size()) + 1, false);
    return out_;
  }

 private:
  // ---- comments and blank lines ----

  // The offset just past the first `{` at or after `from` outside strings and comments (the
  // block's own brace), so a comment on the block's opening line stays on it.
  uint32_t brace_after(uint32_t from) const {
    for (size_t i = from; i < src_.size(); ++i) {
      if (src_[i] == '"') {
        for (++i; i < src_.size() && src_[i] != '"'; ++i)
          if (src_[i] == '\\') ++i;
      } else if (src_[i] == '#') {
        while (i < src_.size() && src_[i] != '\n') ++i;
      } else if (src_[i] == '{') {
        return static_cast<uint32_t>(i + 1);
      }
    }
    return from;
  }

  bool has_newline(uint32_t from, uint32_t to) const {
    if (from >= to || to > src_.size()) return false;
    return src_.substr(from, to - from).find('\n') != std::string_view::npos;
  }
  bool has_blank_line(uint32_t from, uint32_t to) const {
    if (from >= to || to > src_.size()) return false;
    const auto gap = src_.substr(from, to - from);
    return std::count(gap.begin(), gap.end(), '\n') >= 2;
  }

  // Emits every pending comment that starts before `before`, each on its own line, keeping one
  // blank line where the source had any.
  bool flush_comments(uint32_t before, bool allow_leading_blank) {
    bool any = false;
    while (next_ < file_.comments.size() && file_.comments[next_].range.begin < before) {
      const ast::Comment& c = file_.comments[next_];
      if (allow_leading_blank && has_blank_line(last_end_, c.range.begin) && !out_.empty() && !just_opened_)
        blank_line();
      emit_line(c.text);
      last_end_ = c.range.end;
      ++next_;
      allow_leading_blank = true;
      any = true;
    }
    return any;
  }

  void statement_start(uint32_t begin, bool first_in_block) {
    const bool had_comments = flush_comments(begin, !first_in_block);
    if ((!first_in_block || had_comments) && has_blank_line(last_end_, begin) && !just_opened_) blank_line();
  }

  // A comment on the same source line as `end` is appended to the current output line.
  void trailing_comment(uint32_t end) {
    last_end_ = std::max(last_end_, end);
    if (next_ < file_.comments.size() && !has_newline(end, file_.comments[next_].range.begin) &&
        file_.comments[next_].range.begin >= end) {
      if (!out_.empty() && out_.back() == '\n') out_.pop_back();
      out_ += "  " + file_.comments[next_].text + "\n";
      last_end_ = file_.comments[next_].range.end;
      ++next_;
    }
  }

  void emit_line(const std::string& text) {
    out_ += std::string(static_cast<size_t>(indent_) * 2, ' ') + text + "\n";
    just_opened_ = !text.empty() && text.back() == '{';
  }
  void blank_line() {
    if (out_.size() >= 2 && out_.substr(out_.size() - 2) == "\n\n") return;
    out_ += "\n";
  }

  void closing_brace(uint32_t end) {
    --indent_;
    // Comments inside the block after its last statement belong inside the block.
    const uint32_t brace = end > 0 ? end - 1 : 0;
    ++indent_;
    flush_comments(brace, true);
    --indent_;
    emit_line("}");
    trailing_comment(end);
  }

  // ---- lists ----

  // Prints `prefix` followed by `items`, packed to the line width. Continuation lines start at
  // `cont_indent` columns. Comments between items force a break and are kept in place.
  void packed_list(const std::string& prefix, const std::vector<ListItem>& items, const std::string& suffix,
                   size_t cont_indent) {
    const std::string base(static_cast<size_t>(indent_) * 2, ' ');
    // One line when it fits and no comment sits among the items.
    std::string one = prefix;
    for (size_t i = 0; i < items.size(); ++i) one += (i ? ", " : "") + items[i].text;
    one += suffix;
    const bool comment_inside =
        !items.empty() && next_ < file_.comments.size() && file_.comments[next_].range.begin < items.back().range.end;
    if (!comment_inside && base.size() + display_width(one) <= kLineWidth) {
      out_ += base + one + "\n";
      just_opened_ = false;
      if (!items.empty()) last_end_ = std::max(last_end_, items.back().range.end);
      return;
    }
    std::string line = base + prefix;
    bool line_has_item = false;
    const std::string cont(cont_indent, ' ');
    for (size_t i = 0; i < items.size(); ++i) {
      const ListItem& it = items[i];
      // Own-line comments before this item: finish the line, emit them, start a new line.
      if (next_ < file_.comments.size() && file_.comments[next_].range.begin < it.range.begin) {
        if (line_has_item) {
          out_ += line + "\n";
          line = cont;
          line_has_item = false;
        } else if (line != cont) {
          out_ += rtrim(line) + "\n";
          line = cont;
        }
        while (next_ < file_.comments.size() && file_.comments[next_].range.begin < it.range.begin) {
          out_ += cont + file_.comments[next_].text + "\n";
          ++next_;
        }
      }
      const bool last = i + 1 == items.size();
      const std::string piece = it.text + (last ? suffix : ",");
      if (line_has_item && display_width(line) + 1 + display_width(piece) > kLineWidth) {
        out_ += line + "\n";
        line = cont;
        line_has_item = false;
      }
      const size_t at = display_width(line) + (line_has_item ? 1 : 0);
      if (it.target != nullptr && at + display_width(piece) > kLineWidth) {
        // Too long even on a line of its own: break the target's conditions across lines.
        const std::string end = last ? suffix : ",";
        auto lines = print_target_lines(*it.target, at, kLineWidth - std::min(kLineWidth - 1, display_width(end)));
        lines.back() += end;
        line += (line_has_item ? " " : "") + lines.front();
        for (size_t k = 1; k < lines.size(); ++k) {
          out_ += line + "\n";
          line = lines[k];
        }
      } else {
        line += (line_has_item ? " " : "") + piece;
      }
      line_has_item = true;
      last_end_ = std::max(last_end_, it.range.end);
      // A trailing comment after this item ends the line.
      const uint32_t end = it.range.end;
      if (next_ < file_.comments.size() && file_.comments[next_].range.begin >= end &&
          !has_newline(end, file_.comments[next_].range.begin) &&
          (last || file_.comments[next_].range.begin < items[i + 1].range.begin)) {
        out_ += line + "  " + file_.comments[next_].text + "\n";
        last_end_ = file_.comments[next_].range.end;
        ++next_;
        line = cont;
        line_has_item = false;
      }
    }
    if (line_has_item) out_ += line + "\n";
    else if (!suffix.empty() && rtrim(line).size() > 0 && line != cont) out_ += line + "\n";
    just_opened_ = false;
  }

  static std::string rtrim(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  }

  // A `{ a, b, c }` block list (groups and host sets): one line when short, else one packed block.
  void block_list(const std::string& head, const std::vector<ListItem>& items, ast::SourceRange range) {
    const std::string base(static_cast<size_t>(indent_) * 2, ' ');
    std::string one = head + (items.empty() ? " {" : " { ");
    for (size_t i = 0; i < items.size(); ++i) one += (i ? ", " : "") + items[i].text;
    one += items.empty() ? "}" : " }";
    const bool comment_inside = next_ < file_.comments.size() && file_.comments[next_].range.begin < range.end;
    if (!comment_inside && base.size() + display_width(one) <= kLineWidth) {
      emit_line(one);
      trailing_comment(range.end);
      return;
    }
    emit_line(head + " {");
    trailing_comment(brace_after(range.begin));
    ++indent_;
    if (!items.empty()) packed_list("", items, ",", static_cast<size_t>(indent_) * 2);
    closing_brace(range.end);
  }

  // ---- statements ----

  template <typename T>
  std::vector<ListItem> names(const std::vector<T>& v) {
    std::vector<ListItem> out;
    for (const auto& n : v) out.push_back({n.text, n.range});
    return out;
  }

  // Comments inside a statement but outside its list (between rights, ports, in a `without`
  // list or a trailing errno) cannot stay where they were: those before the list move above the
  // statement, those after it move below. Between list items they stay in place.
  void simple_list_stmt(const std::string& prefix, const std::vector<ListItem>& items, const std::string& suffix,
                        ast::SourceRange range, bool first) {
    statement_start(range.begin, first);
    const uint32_t list_begin = items.empty() ? range.end : items.front().range.begin;
    flush_comments(list_begin, false);
    packed_list(prefix, items, suffix, static_cast<size_t>(indent_) * 2 + display_width(prefix));
    trailing_comment(range.end);
    flush_comments(range.end, false);
  }

  // A statement without a list: every comment inside it moves above it.
  void single_line_stmt(const std::string& text, ast::SourceRange range, bool first) {
    statement_start(range.begin, first);
    flush_comments(range.end, false);
    emit_line(text);
    trailing_comment(range.end);
  }

  void item_stmt(const ast::Targets& t, bool first) {
    simple_list_stmt("targets ", names(t.arches), "", t.range, first);
  }

  void item_stmt(const ast::Import& imp, bool first) {
    std::vector<ListItem> items;
    for (const auto& r : imp.refs) items.push_back({r.is_file ? print_string(r.text) : r.text, r.range});
    std::string suffix;
    if (!imp.without.empty()) {
      suffix = " without ";
      for (size_t i = 0; i < imp.without.size(); ++i) {
        const auto& w = imp.without[i];
        suffix += (i ? ", " : "") + (w.kind == ast::WithoutKind::Group    ? "@" + w.text
                                     : w.kind == ast::WithoutKind::String ? print_string(w.text)
                                                                          : w.text);
      }
    }
    simple_list_stmt("import ", items, suffix, imp.range, first);
  }

  void item_stmt(const ast::ConstDef& c, bool first) {
    const std::string head = "const " + c.name.text + " = ";
    const auto lines = print_expr_lines(*c.value, static_cast<size_t>(indent_) * 2 + display_width(head), kLineWidth);
    std::string text = head;
    for (size_t k = 0; k < lines.size(); ++k) {
      text += (k > 0 ? "\n" : "") + lines[k];  // continuation lines carry their own indentation
    }
    single_line_stmt(text, c.range, first);
  }

  void item_stmt(const ast::GroupDef& g, bool first) {
    statement_start(g.range.begin, first);
    std::vector<ListItem> items;
    for (const auto& m : g.members)
      items.push_back({(m.is_group ? "@" : "") + m.name.text + (m.optional ? "?" : ""), m.range});
    block_list("group @" + g.name.text + " =", items, g.range);
  }

  void item_stmt(const ast::HostsDef& h, bool first) {
    statement_start(h.range.begin, first);
    std::vector<ListItem> items;
    for (const auto& r : h.hosts) items.push_back({print_host(r), r.range});
    block_list("hosts @" + h.name.text + " =", items, h.range);
  }

  template <typename Stmts, typename Fn>
  void section(const std::string& head, ast::SourceRange range, const Stmts& stmts, bool first, Fn each) {
    statement_start(range.begin, first);
    if (stmts.empty() && !(next_ < file_.comments.size() && file_.comments[next_].range.begin < range.end)) {
      emit_line(head + " {}");
      trailing_comment(range.end);
      return;
    }
    emit_line(head + " {");
    trailing_comment(brace_after(range.begin));
    ++indent_;
    bool first_stmt = true;
    for (const auto& st : stmts) {
      each(st, first_stmt);
      first_stmt = false;
    }
    closing_brace(range.end);
  }

  void item_stmt(const ast::SyscallsSection& s, bool first) {
    section("syscalls", s.range, s.stmts, first, [&](const ast::SyscallStmt& st, bool f) {
      if (const auto* d = std::get_if<ast::SyscallDefault>(&st)) {
        single_line_stmt("default " + print_action(d->action), d->range, f);
        return;
      }
      const auto& r = std::get<ast::SyscallRule>(st);
      std::vector<ListItem> items;
      for (const auto& t : r.targets) items.push_back({print_target(t), t.range, &t});
      const std::string suffix = r.trailing_errno ? " errno(" + print_expr(*r.trailing_errno) + ")" : "";
      simple_list_stmt(print_action(r.action) + " ", items, suffix, r.range, f);
    });
  }

  void item_stmt(const ast::FilesystemSection& s, bool first) {
    section("filesystem", s.range, s.stmts, first, [&](const ast::FsStmt& st, bool f) {
      if (const auto* a = std::get_if<ast::LandlockAbi>(&st)) {
        single_line_stmt("landlock abi >= " + std::to_string(a->abi), a->range, f);
        return;
      }
      if (const auto* sc = std::get_if<ast::LandlockScope>(&st)) {
        simple_list_stmt("landlock scope ", names(sc->scopes), "", sc->range, f);
        return;
      }
      if (const auto* b = std::get_if<ast::LandlockBestEffort>(&st)) {
        simple_list_stmt("landlock best_effort ", names(b->layers), "", b->range, f);
        return;
      }
      if (const auto* m = std::get_if<ast::MountStmt>(&st)) {
        const std::string size = m->size ? " size " + m->size->text : "";
        if (m->paths.empty()) {
          single_line_stmt("mount " + m->kind.text + size, m->range, f);
          return;
        }
        std::vector<ListItem> items;
        for (const auto& p : m->paths) items.push_back({print_string(p.value), p.range});
        simple_list_stmt("mount " + m->kind.text + " ", items, size, m->range, f);
        return;
      }
      if (const auto* w = std::get_if<ast::WorkspaceStmt>(&st)) {
        std::string text = "workspace " + print_string(w->path.value);
        for (size_t i = 0; i < w->discard.size(); ++i) {
          const ast::DiscardCond& c = w->discard[i];
          text += (i == 0 ? " discard on " : ", ") + c.name.text;
          if (!c.has_layers) continue;
          for (size_t k = 0; k < c.layers.size(); ++k) text += (k == 0 ? "(" : ", ") + c.layers[k].text;
          text += ")";
        }
        single_line_stmt(text, w->range, f);
        return;
      }
      const auto& r = std::get<ast::AccessRule>(st);
      std::string prefix = r.deny ? "deny " : "";
      for (size_t i = 0; i < r.rights.size(); ++i) prefix += (i ? ", " : "") + r.rights[i].text;
      std::vector<ListItem> items;
      for (const auto& p : r.paths) items.push_back({print_string(p.value), p.range});
      simple_list_stmt(prefix + " ", items, "", r.range, f);
    });
  }

  void item_stmt(const ast::NetworkSection& s, bool first) {
    section("network", s.range, s.stmts, first, [&](const ast::NetStmt& st, bool f) {
      if (const auto* p = std::get_if<ast::ProxyDecl>(&st)) {
        single_line_stmt("proxy " + p->address + " port " + std::to_string(p->port), p->range, f);
        return;
      }
      const auto& r = std::get<ast::NetRule>(st);
      std::string prefix = r.deny ? "deny" : "";
      auto add = [&](const std::string& w) { prefix += (prefix.empty() ? "" : " ") + w; };
      if (r.direction != ast::Direction::Any) add(r.direction == ast::Direction::Connect ? "connect" : "bind");
      if (r.proto != ast::Proto::Any) add(r.proto == ast::Proto::Tcp ? "tcp" : "udp");
      if (r.any_port) add("any");
      if (!r.ports.empty()) {
        std::string ports;
        for (size_t i = 0; i < r.ports.size(); ++i) ports += (i ? ", " : "") + print_port(r.ports[i]);
        add(ports);
      }
      std::vector<ListItem> items;
      for (const auto& h : r.hosts) items.push_back({print_host(h), h.range});
      if (r.has_to) prefix += (prefix.empty() ? "to " : " to ");
      simple_list_stmt(prefix, items, "", r.range, f);
    });
  }

  void item_stmt(const ast::LimitsSection& s, bool first) {
    section("limits", s.range, s.stmts, first,
            [&](const ast::LimitStmt& l, bool f) { single_line_stmt(l.name.text + " " + l.value.text, l.range, f); });
  }

  void item_stmt(const ast::NamespacesDecl& n, bool first) {
    simple_list_stmt("namespaces ", names(n.namespaces), "", n.range, first);
  }

  void item_stmt(const ast::Assertion& a, bool first) {
    single_line_stmt(std::string("assert ") + (a.never ? "never " : "always ") + print_query(a.query), a.range, first);
  }

  void item_stmt(const ast::Test& t, bool first) {
    section("test " + print_string(t.name.value), t.range, t.expectations, first,
            [&](const ast::Expectation& e, bool f) {
              single_line_stmt("expect " + print_action(e.action) + " " + print_query(e.query), e.range, f);
            });
  }

  const ast::File& file_;
  std::string_view src_;
  std::string out_;
  size_t next_ = 0;
  uint32_t last_end_ = 0;
  int indent_ = 0;
  bool just_opened_ = false;
};

}  // namespace

std::string format(const ast::File& file, std::string_view source) { return Printer(file, source).run(); }

}  // namespace polc::fmt
