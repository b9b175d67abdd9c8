// Stage: diagnostics. The one engine every stage reports user errors through. Library code never
// prints or exits; it reports here and returns, and the driver decides how to render and what exit
// status follows.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "compiler/diag/codes.h"
#include "compiler/diag/source_manager.h"

namespace polc::diag {

struct Note {
  SourceRange range;  // may be invalid: a note without a location
  std::string message;
};

// A suggested edit: replace `range` with `replacement` (empty range = insertion).
struct FixIt {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  Code code;
  Severity severity;
  std::string message;
  SourceRange range;
  std::vector<Note> notes;
  std::string help;  // one actionable sentence, shown as "help: ..."
  std::vector<FixIt> fixits;

  Diagnostic& note(SourceRange r, std::string msg) {
    notes.push_back({r, std::move(msg)});
    return *this;
  }
  Diagnostic& note(std::string msg) { return note({}, std::move(msg)); }
  Diagnostic& with_help(std::string h) {
    help = std::move(h);
    return *this;
  }
  Diagnostic& fix(SourceRange r, std::string replacement) {
    fixits.push_back({r, std::move(replacement)});
    return *this;
  }
};

class Engine {
 public:
  explicit Engine(SourceManager& sources) : sources_(sources) {}

  // Reports a diagnostic with the code's registered severity. The returned reference stays valid for
  // the engine's lifetime, so callers can chain notes, help and fix-its.
  Diagnostic& report(Code code, SourceRange range, std::string message);

  SourceManager& sources() { return sources_; }
  const SourceManager& sources() const { return sources_; }
  const std::deque<Diagnostic>& diagnostics() const { return diags_; }

  size_t error_count() const;
  size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }

  // Diagnostics sorted by file, position and code, so output is deterministic whatever order
  // stages happened to report in.
  std::vector<const Diagnostic*> sorted() const;

 private:
  SourceManager& sources_;
  std::deque<Diagnostic> diags_;      // deque: report() hands out references
  std::deque<Diagnostic> discarded_;  // repeats of an existing diagnostic, kept only so callers can chain
};

}  // namespace polc::diag
