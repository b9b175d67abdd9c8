// Stage: diagnostics. Line tables and position lookups for stored source files.
#include "compiler/diag/source_manager.h"

#include <algorithm>
#include <stdexcept>

namespace polc::diag {

FileId SourceManager::add(std::string path, std::string contents) {
  File f{std::move(path), std::move(contents), {0}};
  for (uint32_t i = 0; i < f.contents.size(); ++i) {
    if (f.contents[i] == '\n') f.line_starts.push_back(i + 1);
    if (static_cast<unsigned char>(f.contents[i]) >= 0x80) f.ascii = false;
  }
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size());
}

const SourceManager::File& SourceManager::file(FileId id) const {
  // An invalid id is a compiler bug, not a user error.
  if (id == kNoFile || id > files_.size()) throw std::logic_error("invalid FileId");
  return files_[id - 1];
}

const std::string& SourceManager::path(FileId id) const { return file(id).path; }
std::string_view SourceManager::contents(FileId id) const { return file(id).contents; }
uint32_t SourceManager::line_count(FileId id) const { return static_cast<uint32_t>(file(id).line_starts.size()); }

LineCol SourceManager::line_col(FileId id, uint32_t offset) const {
  const File& f = file(id);
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.contents.size()));
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  const uint32_t line = static_cast<uint32_t>(it - f.line_starts.begin());
  if (f.ascii) return {line, offset - f.line_starts[line - 1] + 1};
  uint32_t column = 1;
  for (uint32_t i = f.line_starts[line - 1]; i < offset; ++i)
    if ((static_cast<unsigned char>(f.contents[i]) & 0xC0) != 0x80) ++column;  // skip continuation bytes
  return {line, column};
}

std::string_view SourceManager::line_text(FileId id, uint32_t line) const {
  const File& f = file(id);
  if (line == 0 || line > f.line_starts.size()) return {};
  const uint32_t begin = f.line_starts[line - 1];
  uint32_t end = line < f.line_starts.size() ? f.line_starts[line] - 1 : static_cast<uint32_t>(f.contents.size());
  std::string_view text(f.contents.data() + begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string SourceManager::one_line(SourceRange range) const {
  if (!range.valid()) return "";
  const std::string_view all = contents(range.file);
  const std::string_view text = all.substr(std::min<size_t>(range.begin, all.size()), range.end - range.begin);
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace polc::diag
