// Stage: diagnostics. The code registry: the rows of codes.def, each with its long explanation
// for `polc explain` (docs/diagnostics/<id>.md, embedded by cmake/embed_explanations.cmake).
#include "compiler/diag/codes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

// Defines polc::diag::explanation::<id> for every docs/diagnostics/<id>.md, as a string_view.
#include "compiler/diag/explanations.inc"

namespace polc::diag {

namespace {

constexpr std::array kCodes = std::to_array<CodeInfo>({
#define POLC_DIAG_CODE(id, enumerator, name, severity, summary) \
  {Code::enumerator, #id, name, Severity::severity, summary, explanation::id},
#include "compiler/diag/codes.def"
});

constexpr std::string_view kBlockPrefixes[] = {
#define POLC_DIAG_BLOCK(prefix, title) prefix,
#include "compiler/diag/codes.def"
};

// What codes.def's rows promise, checked where a slip would otherwise reach users: a malformed or
// repeated id, a severity that contradicts the id's letter, or a code no section of
// docs/diagnostics.md would list.
constexpr bool ids_are_well_formed() {
  for (const CodeInfo& c : kCodes) {
    if (c.id.size() != 5 || (c.id[0] != 'E' && c.id[0] != 'W')) return false;
    if (!std::all_of(c.id.begin() + 1, c.id.end(), [](char d) { return d >= '0' && d <= '9'; })) return false;
    if ((c.id[0] == 'E') != (c.severity == Severity::Error)) return false;
  }
  return true;
}
static_assert(ids_are_well_formed(),
              "codes.def: an id is not E or W and four digits, or its severity is not its letter's");

// Codes of one hundred (E01xx, W07xx) are listed in increasing order, so no id appears twice.
constexpr bool ids_increase_within_their_hundred() {
  for (size_t i = 0; i < kCodes.size(); ++i)
    for (size_t j = i + 1; j < kCodes.size(); ++j)
      if (kCodes[i].id.substr(0, 3) == kCodes[j].id.substr(0, 3) && kCodes[i].id >= kCodes[j].id) return false;
  return true;
}
static_assert(ids_increase_within_their_hundred(), "codes.def: ids repeat, or are out of order within their hundred");

constexpr bool names_are_unique() {
  for (size_t i = 0; i < kCodes.size(); ++i)
    for (size_t j = i + 1; j < kCodes.size(); ++j)
      if (kCodes[i].name == kCodes[j].name) return false;
  return true;
}
static_assert(names_are_unique(), "codes.def: two codes share a name");

constexpr bool every_code_is_in_a_block() {
  return std::all_of(kCodes.begin(), kCodes.end(), [](const CodeInfo& c) {
    return std::any_of(std::begin(kBlockPrefixes), std::end(kBlockPrefixes),
                       [&](std::string_view prefix) { return c.id.starts_with(prefix); });
  });
}
static_assert(every_code_is_in_a_block(), "codes.def: a code's id starts with no POLC_DIAG_BLOCK prefix");

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

const CodeInfo& info(Code code) { return kCodes.at(static_cast<size_t>(code)); }
std::span<const CodeInfo> all_codes() { return kCodes; }

const CodeInfo* find_code(std::string_view id_or_name) {
  for (const auto& c : kCodes)
    if (iequals(c.id, id_or_name) || c.name == id_or_name) return &c;
  return nullptr;
}

}  // namespace polc::diag
