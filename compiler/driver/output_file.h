// Stage: driver. Writes one output file (an imported policy, a test report) atomically: readers
// see the old file or the new one, never a partial one.
#pragma once

#include <string>
#include <string_view>

namespace polc::driver {

// Writes `text` to `path` through the temporary file `path + tmp_suffix` in the same directory
// and a rename. An existing file keeps its mode, and a symlink stays a link (its target is
// replaced). On failure returns false with `error` set, after removing the temporary file.
bool write_file_atomically(const std::string& path, const std::string& text, std::string_view tmp_suffix,
                           std::string& error);

}  // namespace polc::driver
