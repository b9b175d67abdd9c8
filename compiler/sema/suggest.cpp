// Stage: sema. Edit distance for suggestions.
#include "compiler/sema/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace polc::sema {

size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1])) ? 0
                                                                                                                   : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string closest_match(std::string_view name, std::span<const std::string_view> candidates) {
  if (name.size() > 64) return {};  // nobody mistypes a 64-character name; skip the quadratic work
  const size_t limit = std::clamp<size_t>(name.size() / 3, 1, 3);
  std::string_view best;
  size_t best_d = limit + 1;
  for (std::string_view c : candidates) {
    if (c.size() > name.size() + limit || c.size() + limit < name.size()) continue;
    const size_t d = edit_distance(name, c);
    if (d < best_d || (d == best_d && c < best)) {
      best = c;
      best_d = d;
    }
  }
  return best_d <= limit ? std::string(best) : std::string();
}

}  // namespace polc::sema
