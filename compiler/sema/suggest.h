// Stage: sema. Did-you-mean suggestions by edit distance, shared by every name lookup.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace polc::sema {

// Damerau-Levenshtein (optimal string alignment) distance.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, or "" when none is within a third of its length (at least 1,
// at most 3 edits). Ties go to the lexicographically smaller candidate, for stable output.
std::string closest_match(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace polc::sema
