// Stage: diagnostics. Owns the text of every file the compiler reads so that diagnostics can point
// into it long after parsing. Ranges are byte offsets; columns shown to people count code points.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace polc::diag {

using FileId = uint32_t;
inline constexpr FileId kNoFile = 0;

// A half-open byte range [begin, end) in one file. file == kNoFile means "no location" (for
// diagnostics about the command line or the whole run).
struct SourceRange {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

struct LineCol {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
};

class SourceManager {
 public:
  // Stores a file and returns its id (never kNoFile). `path` is shown in diagnostics as given.
  FileId add(std::string path, std::string contents);

  const std::string& path(FileId id) const;
  std::string_view contents(FileId id) const;
  LineCol line_col(FileId id, uint32_t offset) const;
  // The text of 1-based line `line`, without its newline.
  std::string_view line_text(FileId id, uint32_t line) const;
  uint32_t line_count(FileId id) const;
  // The source of `range` on one line: whitespace runs (line breaks included) become one space,
  // so a statement written over several lines reads as written. "" for an invalid range.
  std::string one_line(SourceRange range) const;

 private:
  struct File {
    std::string path;
    std::string contents;
    std::vector<uint32_t> line_starts;  // byte offset of each line's first byte
    bool ascii = true;                  // columns are then byte distances: no scan per lookup
  };
  const File& file(FileId id) const;
  std::deque<File> files_;  // deque: references stay valid as files are added
};

}  // namespace polc::diag
