// Stage: report. How `polc diff` prints the differences between two policies: text for a
// terminal, JSON for tools, and Markdown for a pull-request comment. Each entry is a region of
// requests, with the two decisions, a witness, and the source lines of the rules that decide it.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/source_manager.h"
#include "compiler/verify/outcome.h"

namespace polc::report {

enum class Change : uint8_t { Widened, Narrowed, Changed };
Change change_of(const verify::DiffEntry& e);

struct DiffInput {
  std::string old_label, new_label;  // "old.sbx (name version 1)"
  std::vector<verify::DiffEntry> entries;
};

std::string diff_text(const DiffInput& in, const diag::SourceManager& sources);
std::string diff_json(const DiffInput& in, const diag::SourceManager& sources);
std::string diff_markdown(const DiffInput& in, const diag::SourceManager& sources);

}  // namespace polc::report
