// Stage: sema. Loads a policy and, transitively, every module it imports (standard library modules
// compiled into polc, or files relative to the importer), parsing each once, and rejects missing
// modules, wrong file kinds and import cycles.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace polc::sema {

struct ImportEdge {
  size_t target = 0;                  // index into Program::units
  const ast::Import* stmt = nullptr;  // the import statement (owned by the importer's AST)
  const ast::ImportRef* ref = nullptr;
};

struct Unit {
  ast::File ast;
  std::string module;         // dotted module name; "" for the root policy
  std::string key;            // identity: "std:NAME" or the file's canonical path
  std::filesystem::path dir;  // directory for relative imports; empty for embedded modules
  bool from_stdlib = false;
  // A file import: its path relative to the root policy's directory, lexically normal
  // ("common.sbx", "../shared/net.sbx"); empty for the root and for standard modules.
  std::string relative;
  std::vector<ImportEdge> imports;
};

struct Program {
  std::vector<std::unique_ptr<Unit>> units;  // units[0] is the root file
};

// The sources a bundle carries (see docs/bundle.md): when given, imports are resolved from them
// alone, never from the disk or the standard library built into polc, so that a bundle is
// rebuilt from exactly what shaped it.
struct BundledSource {
  std::string path;  // where the bundle keeps it ("sources/common.sbx"): what diagnostics show
  std::string text;
};
struct BundledSources {
  std::map<std::string, BundledSource> files;   // by Unit::relative
  std::map<std::string, BundledSource> stdlib;  // by module name
};

struct LoadOptions {
  // Read standard-library modules from this directory instead of the copy built into polc
  // (for developing the standard library itself). Empty: use the built-in copy.
  std::string stdlib_dir;
  const BundledSources* bundled = nullptr;  // not owned; outlives the load
};

// One source file that shaped a program, for the bundle.
struct LoadedSource {
  enum class Role { Policy, Stdlib, Local };
  Role role = Role::Policy;
  std::string module;    // dotted module name; "" for the policy
  std::string relative;  // Local: Unit::relative
  std::string shown;     // the path diagnostics (and Origin::where) show for it
  std::string text;
};

// Every unit of `program`, the root first, then the others sorted by (role, name).
std::vector<LoadedSource> loaded_sources(const Program& program, const diag::SourceManager& sources);

// Parses `root` (already added to the engine's sources) and everything it imports. Returns nullopt
// when any file fails to load or parse, or imports form a cycle; every problem is reported.
std::optional<Program> load_program(diag::Engine& diags, diag::FileId root, const std::filesystem::path& root_path,
                                    const LoadOptions& options);

// Reads a file into the engine's source manager ("-" reads standard input, shown as <stdin>).
// Reports E0003 at `from` on failure.
std::optional<diag::FileId> read_source(diag::Engine& diags, const std::string& path, diag::SourceRange from);

}  // namespace polc::sema
