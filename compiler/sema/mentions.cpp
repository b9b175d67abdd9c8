// Stage: sema. A reporting-free walk over the rules of an import closure.
#include "compiler/sema/mentions.h"

namespace polc::sema {

namespace {

class Walker {
 public:
  explicit Walker(const Context& ctx) : ctx_(ctx) {}

  void unit(size_t u) {
    if (!seen_units_.insert(u).second) return;
    for (const ast::Item& item : ctx_.unit(u).ast.items) {
      if (const auto* s = std::get_if<ast::SyscallsSection>(&item)) {
        for (const auto& st : s->stmts)
          if (const auto* r = std::get_if<ast::SyscallRule>(&st))
            for (const auto& t : r->targets) t.is_group ? set(t.name.text) : void(out.syscalls.insert(t.name.text));
      } else if (const auto* f = std::get_if<ast::FilesystemSection>(&item)) {
        for (const auto& st : f->stmts)
          if (const auto* r = std::get_if<ast::AccessRule>(&st))
            for (const auto& p : r->paths) out.strings.insert(p.value);
      } else if (const auto* n = std::get_if<ast::NetworkSection>(&item)) {
        for (const auto& st : n->stmts)
          if (const auto* r = std::get_if<ast::NetRule>(&st))
            for (const auto& h : r->hosts)
              h.kind == ast::HostKind::Group ? set(h.text) : void(out.strings.insert(h.text));
      }
    }
    for (const ImportEdge& e : ctx_.unit(u).imports) unit(e.target);
  }

  Mentions out;

 private:
  // A group or host set: its name, and (recursively) its members.
  void set(const std::string& name, size_t depth = 0) {
    if (depth >= kMaxDefinitionDepth || !out.groups.insert(name).second) return;
    auto it = ctx_.defs.find(name);
    if (it == ctx_.defs.end()) return;
    if (const ast::GroupDef* g = it->second.group) {
      for (const auto& m : g->members)
        m.is_group ? set(m.name.text, depth + 1) : void(out.syscalls.insert(m.name.text));
    } else if (const ast::HostsDef* h = it->second.hosts) {
      for (const auto& r : h->hosts)
        r.kind == ast::HostKind::Group ? set(r.text, depth + 1) : void(out.strings.insert(r.text));
    }
  }

  const Context& ctx_;
  std::set<size_t> seen_units_;
};

}  // namespace

Mentions collect_mentions(const Context& ctx, size_t unit) {
  Walker w(ctx);
  w.unit(unit);
  return std::move(w.out);
}

}  // namespace polc::sema
