// Stage: diagnostics. The engine's bookkeeping.
#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace polc::diag {

Diagnostic& Engine::report(Code code, SourceRange range, std::string message) {
  // A module reached along two import paths is analyzed twice; its diagnostics are reported once.
  for (const Diagnostic& d : diags_) {
    if (d.code == code && d.range.file == range.file && d.range.begin == range.begin && d.message == message) {
      discarded_.push_back(Diagnostic{code, info(code).severity, std::move(message), range, {}, {}, {}});
      return discarded_.back();
    }
  }
  diags_.push_back(Diagnostic{code, info(code).severity, std::move(message), range, {}, {}, {}});
  return diags_.back();
}

size_t Engine::error_count() const {
  return static_cast<size_t>(
      std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

size_t Engine::warning_count() const {
  return static_cast<size_t>(
      std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic& d) { return d.severity == Severity::Warning; }));
}

std::vector<const Diagnostic*> Engine::sorted() const {
  std::vector<const Diagnostic*> out;
  for (const auto& d : diags_) out.push_back(&d);
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tuple(a->range.file, a->range.begin, static_cast<int>(a->code)) <
           std::tuple(b->range.file, b->range.begin, static_cast<int>(b->code));
  });
  // The same diagnostic can be reached twice (a module imported along two paths); show it once.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Diagnostic* a, const Diagnostic* b) {
                          return a->code == b->code && a->range.file == b->range.file &&
                                 a->range.begin == b->range.begin && a->message == b->message;
                        }),
            out.end());
  return out;
}

}  // namespace polc::diag
