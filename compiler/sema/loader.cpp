// Stage: sema. Module loading and import-graph checks.
#include "compiler/sema/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "compiler/sema/stdlib.h"
#include "compiler/syntax/parse.h"

namespace polc::sema {

namespace {

using diag::Code;

class Loader {
 public:
  Loader(diag::Engine& diags, const LoadOptions& options) : diags_(diags), options_(options) {}

  bool load_root(diag::FileId root, const std::filesystem::path& path) {
    auto file = syntax::parse(diags_, root);
    if (!file) return false;
    auto unit = std::make_unique<Unit>();
    unit->ast = std::move(*file);
    unit->key = canonical_key(path);
    unit->dir = path.parent_path();
    root_dir_ = unit->dir;
    if (unit->ast.kind == ast::UnitKind::Module) unit->module = unit->ast.name;
    program_.units.push_back(std::move(unit));
    index_[program_.units.back()->key] = 0;
    return visit(0);
  }

  Program take() { return std::move(program_); }

 private:
  std::string canonical_key(const std::filesystem::path& p) const {
    // Bundled sources are not on the disk: their normal relative path is their identity.
    if (options_.bundled != nullptr) return p.lexically_normal().string();
    std::error_code ec;
    auto c = std::filesystem::weakly_canonical(p, ec);
    return ec ? p.lexically_normal().string() : c.string();
  }

  // DFS over imports. `state_`: 1 = on the current path (a back edge is a cycle), 2 = finished.
  bool visit(size_t u) {
    state_[u] = 1;
    path_.push_back(u);
    bool ok = true;
    // Collect edges first: loading appends to program_.units, which must not invalidate `unit`.
    Unit* unit = program_.units[u].get();
    for (const ast::Item& item : unit->ast.items) {
      const auto* imp = std::get_if<ast::Import>(&item);
      if (imp == nullptr) continue;
      for (const ast::ImportRef& ref : imp->refs) {
        auto target = resolve(*unit, ref);
        if (!target) {
          ok = false;
          continue;
        }
        unit->imports.push_back({*target, imp, &ref});
        if (state_[*target] == 1) {
          report_cycle(*target, ref);
          ok = false;
        } else if (state_[*target] == 0) {
          ok = visit(*target) && ok;
        }
      }
    }
    path_.pop_back();
    state_[u] = 2;
    return ok;
  }

  void report_cycle(size_t target, const ast::ImportRef& ref) {
    auto& d = diags_.report(Code::ImportCycle, ref.range, "import cycle: `" + ref.text + "` imports this module again");
    bool in_cycle = false;
    for (size_t u : path_) {
      if (u == target) in_cycle = true;
      if (!in_cycle) continue;
      const Unit& unit = *program_.units[u];
      d.note(unit.ast.name_range, "`" + (unit.module.empty() ? unit.ast.name : unit.module) + "` is part of the cycle");
    }
    d.with_help("move what the modules share into a third module that both import");
  }

  std::optional<size_t> resolve(const Unit& from, const ast::ImportRef& ref) {
    if (ref.is_file) return resolve_file(from, ref);
    return resolve_module(ref);
  }

  std::optional<size_t> resolve_module(const ast::ImportRef& ref) {
    const std::string key = "std:" + ref.text;
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    if (ref.text.rfind("std.", 0) != 0) {
      diags_.report(Code::ModuleNotFound, ref.range, "no module named `" + ref.text + "`")
          .with_help("standard modules start with `std.`; import a file of your own with a quoted relative path");
      return std::nullopt;
    }
    std::string rel = ref.text.substr(4);
    for (char& c : rel)
      if (c == '.') c = '/';
    rel += ".sbx";
    std::optional<diag::FileId> fid;
    if (options_.bundled != nullptr) {
      if (auto it = options_.bundled->stdlib.find(ref.text); it != options_.bundled->stdlib.end())
        fid = diags_.sources().add(it->second.path, it->second.text);
    } else if (!options_.stdlib_dir.empty()) {
      const std::string path = (std::filesystem::path(options_.stdlib_dir) / rel).string();
      if (std::filesystem::exists(path)) fid = read_source(diags_, path, ref.range);
    } else {
      for (const StdlibModule& m : embedded_stdlib())
        if (m.path == rel) fid = diags_.sources().add("<stdlib>/" + rel, std::string(m.text));
    }
    if (!fid) {
      auto& d = diags_.report(Code::ModuleNotFound, ref.range, "no standard module named `" + ref.text + "`");
      std::string names;
      for (const StdlibModule& m : embedded_stdlib()) names += (names.empty() ? "" : ", ") + std::string(m.name);
      if (!names.empty()) d.note("standard modules: " + names);
      return std::nullopt;
    }
    return add_unit(*fid, key, {}, true, ref, ref.text);
  }

  std::optional<size_t> resolve_file(const Unit& from, const ast::ImportRef& ref) {
    if (from.from_stdlib) {
      diags_.report(Code::BadImportPath, ref.range, "standard modules can only import other standard modules");
      return std::nullopt;
    }
    const std::string& t = ref.text;
    const std::filesystem::path rel(t);
    std::string fault;
    if (t.empty() || t.front() == '/') fault = "is not relative";
    else if (t.find("//") != std::string::npos) fault = "contains `//`";
    else if (rel.extension() != ".sbx") fault = "does not name a .sbx file";
    size_t index = 0;
    for (const auto& seg : rel)
      if (seg == "." && index++ > 0) fault = "contains a `.` segment";
      else if (seg != ".") ++index;
    if (!fault.empty()) {
      diags_.report(Code::BadImportPath, ref.range, "import path \"" + t + "\" " + fault)
          .with_help("write it like \"./common.sbx\" or \"../shared/net.sbx\", relative to this file");
      return std::nullopt;
    }
    const std::filesystem::path full = (from.dir / rel).lexically_normal();
    const std::string key = canonical_key(full);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    const std::string relative =
        (root_dir_.empty() ? full : full.lexically_relative(root_dir_)).lexically_normal().string();
    std::optional<diag::FileId> fid;
    if (options_.bundled != nullptr) {
      if (auto it = options_.bundled->files.find(relative); it != options_.bundled->files.end())
        fid = diags_.sources().add(it->second.path, it->second.text);
      else
        diags_.report(Code::UnreadableFile, ref.range, "the bundle does not carry `" + relative + "`")
            .with_help("the bundle's manifest lists every source it was built from; rebuild it");
    } else {
      fid = read_source(diags_, full.string(), ref.range);
    }
    if (!fid) return std::nullopt;
    auto unit = add_unit(*fid, key, full.parent_path(), false, ref, "");
    if (unit) program_.units[*unit]->relative = relative;
    return unit;
  }

  std::optional<size_t> add_unit(diag::FileId fid, const std::string& key, std::filesystem::path dir, bool stdlib,
                                 const ast::ImportRef& ref, const std::string& expected_name) {
    auto file = syntax::parse(diags_, fid);
    if (!file) return std::nullopt;
    if (file->kind != ast::UnitKind::Module) {
      diags_.report(Code::ModuleNameMismatch, ref.range, "`" + ref.text + "` is a policy, not a module")
          .note(file->range, "it starts with `policy " + file->name + "`")
          .with_help("turn the shared part into `module NAME { ... }` and import that");
      return std::nullopt;
    }
    if (!expected_name.empty() && file->name != expected_name) {
      diags_
          .report(Code::ModuleNameMismatch, ref.range,
                  "`" + ref.text + "` loads a file that declares `module " + file->name + "`")
          .note(file->name_range, "declared here");
      return std::nullopt;
    }
    auto unit = std::make_unique<Unit>();
    unit->ast = std::move(*file);
    unit->module = unit->ast.name;
    unit->key = key;
    unit->dir = std::move(dir);
    unit->from_stdlib = stdlib;
    program_.units.push_back(std::move(unit));
    const size_t idx = program_.units.size() - 1;
    index_[key] = idx;
    return idx;
  }

  diag::Engine& diags_;
  const LoadOptions& options_;
  std::filesystem::path root_dir_;  // relative file imports are recorded against it
  Program program_;
  std::map<std::string, size_t> index_;
  std::map<size_t, int> state_;
  std::vector<size_t> path_;
};

}  // namespace

std::optional<diag::FileId> read_source(diag::Engine& diags, const std::string& path, diag::SourceRange from) {
  // A file named on the command line has no importing statement to point at: the diagnostic is
  // anchored at the start of the (empty) file itself, so every output format can name it.
  if (!from.valid()) {
    const diag::FileId empty = diags.sources().add(path, "");
    from = {empty, 0, 0};
  }
  if (path == "-") {  // standard input, for editors and pipes
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return diags.sources().add("<stdin>", ss.str());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.report(diag::Code::UnreadableFile, from, "cannot read `" + path + "`: it is a directory");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.report(diag::Code::UnreadableFile, from, "cannot read `" + path + "`: " + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return diags.sources().add(path, ss.str());
}

std::vector<LoadedSource> loaded_sources(const Program& program, const diag::SourceManager& sources) {
  std::vector<LoadedSource> out;
  for (const auto& unit : program.units) {
    LoadedSource s;
    s.role = unit == program.units.front() ? LoadedSource::Role::Policy
             : unit->from_stdlib           ? LoadedSource::Role::Stdlib
                                           : LoadedSource::Role::Local;
    s.module = unit->module;
    s.relative = unit->relative;
    s.shown = sources.path(unit->ast.file);
    s.text = std::string(sources.contents(unit->ast.file));
    out.push_back(std::move(s));
  }
  std::sort(out.begin() + 1, out.end(), [](const LoadedSource& a, const LoadedSource& b) {
    return std::tie(a.role, a.module, a.relative) < std::tie(b.role, b.module, b.relative);
  });
  return out;
}

std::optional<Program> load_program(diag::Engine& diags, diag::FileId root, const std::filesystem::path& root_path,
                                    const LoadOptions& options) {
  Loader loader(diags, options);
  if (!loader.load_root(root, root_path)) return std::nullopt;
  return loader.take();
}

}  // namespace polc::sema
