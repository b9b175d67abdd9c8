// Stage: learn. Additions to a policy for what it refused, and their unified diff (patch.h).
#include "compiler/learn/patch.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "compiler/learn/judge.h"
#include "compiler/learn/path_text.h"
#include "compiler/learn/sensitive_paths.h"

namespace polc::learn {

namespace {

constexpr int kContext = 3;

std::string section_keyword(RuleText::Section s) {
  switch (s) {
    case RuleText::Section::Syscalls: return "syscalls";
    case RuleText::Section::Filesystem: return "filesystem";
    case RuleText::Section::Network: return "network";
  }
  return "";
}

std::string runs_text(const std::set<int>& runs) {
  std::string out;
  for (int r : runs) out += (out.empty() ? "" : ",") + std::to_string(r);
  return (runs.size() == 1 ? "run " : "runs ") + out;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string origin_text(const diag::SourceManager& sources, const ir::Origin& o) {
  std::string text = o.where.empty() ? "(implicit)" : o.where;
  if (o.range.valid()) {
    std::string line(sources.line_text(o.range.file, sources.line_col(o.range.file, o.range.begin).line));
    line.erase(0, line.find_first_not_of(" \t"));
    text += ": " + line;
  }
  return text;
}

// Byte offset where lines go to land just before the closing brace at `brace`, or npos when that
// brace does not start its line.
size_t line_start_before(const std::string& source, size_t brace) {
  if (brace >= source.size() || source[brace] != '}') return std::string::npos;
  const size_t start = source.rfind('\n', brace == 0 ? 0 : brace - 1);
  const size_t line = start == std::string::npos ? 0 : start + 1;
  for (size_t i = line; i < brace; ++i)
    if (source[i] != ' ' && source[i] != '\t') return std::string::npos;
  return line;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// A unified diff of insertions only: `inserted[k]` are the lines that go before original line k.
std::string insertion_diff(const std::string& path, const std::vector<std::string>& lines,
                           const std::map<size_t, std::vector<std::string>>& inserted) {
  if (inserted.empty()) return "";
  std::string out = "--- " + path + "\n+++ " + path + "\n";
  auto it = inserted.begin();
  int shift = 0;  // lines added by earlier hunks
  while (it != inserted.end()) {
    const size_t first = it->first >= kContext ? it->first - kContext : 0;
    size_t last = std::min(lines.size(), it->first + kContext);  // one past the context after
    auto end = std::next(it);
    while (end != inserted.end() && end->first <= last + kContext) {
      last = std::min(lines.size(), end->first + kContext);
      ++end;
    }
    std::string body;
    size_t added = 0;
    auto ins = it;
    for (size_t k = first; k <= last; ++k) {
      if (ins != end && ins->first == k) {
        for (const std::string& l : ins->second) body += "+" + l;
        added += ins->second.size();
        ++ins;
      }
      if (k < last) {
        body += " " + lines[k];
        if (!lines[k].ends_with('\n')) body += "\n\\ No newline at end of file\n";
      }
    }
    const size_t old_count = last - first;
    out += "@@ -" + std::to_string(old_count ? first + 1 : first) + "," + std::to_string(old_count) + " +" +
           std::to_string((old_count + added ? first + 1 : first) + shift) + "," + std::to_string(old_count + added) +
           " @@\n" + body;
    shift += static_cast<int>(added);
    it = end;
  }
  return out;
}

}  // namespace

std::string describe(const Event& event) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Call>) {
          std::string args;
          for (unsigned i = 0; i < 6; ++i)
            if (v.recorded & (1u << i))
              args += (args.empty() ? "" : ", ") + std::string("arg") + std::to_string(i) + "=" + hex(v.args[i]);
          return (v.name.empty() ? "syscall " + std::to_string(v.nr) : v.name) + "(" + args + ") on " +
                 std::string(arch::name(v.arch));
        } else if constexpr (std::is_same_v<T, FileAccess>) {
          return v.right + " " + printable_path(v.path);
        } else if constexpr (std::is_same_v<T, Exec>) {
          return "exec " + printable_path(v.path);
        } else if constexpr (std::is_same_v<T, Endpoint>) {
          return std::string(direction_name(v.direction)) + " " + v.proto + " " + printable_path(v.address) +
                 (v.proto == "unix" ? "" : " port " + std::to_string(v.port));
        } else {
          return "lookup " + printable_path(v.name);
        }
      },
      event);
}

Patch make_patch(const std::string& display_path, const std::string& source, const ast::File& file,
                 const diag::SourceManager& sources, const ir::Policy& policy, const Recording& recording) {
  Patch patch;
  // Keyed by section, then rule text: one addition per distinct rule, however many observations.
  std::map<std::pair<RuleText::Section, std::string>, Addition> additions;
  for (const auto& [event, seen] : recording.events) {
    if (std::holds_alternative<Exec>(event) || std::holds_alternative<NameLookup>(event)) continue;
    const Judgement j = judge(policy, event);
    if (j.kind == Judgement::Kind::Allow && !seen.refused) continue;
    if (j.kind == Judgement::Kind::Allow && seen.refused && std::holds_alternative<Call>(event) &&
        std::get<Call>(event).recorded == 0) {
      // An event without its arguments that the policy allows for some arguments: the refusal was
      // decided by an argument condition the record cannot show.
      patch.inexpressible.push_back(describe(event) +
                                    ": refused for arguments the record does not carry; rerun with "
                                    "`polc learn --against` to see them");
      continue;
    }
    if (const auto* f = std::get_if<FileAccess>(&event)) {
      // The same exclusions as a draft's: a probe of a file that did not exist needs no grant
      // (without the policy it fails with ENOENT all the same), and credentials are never added.
      const bool probe = f->kind == FileAccess::Kind::Missing &&
                         (f->right == "read_file" || f->right == "read_dir" || f->right == "execute");
      if (probe) continue;
      if (process_relative(f->path) || through_magic_link(f->path)) {
        patch.inexpressible.push_back(describe(event) +
                                      ": names a process's own files (/proc/self, /dev/fd, a magic link); a rule "
                                      "cannot grant it to the payload");
        continue;
      }
      if (sensitive_path(f->path)) {
        patch.inexpressible.push_back(describe(event) + ": a credential path; polc learn never grants one");
        continue;
      }
    }
    if (!j.deciding.empty()) {
      Blocked b{describe(event), {}};
      for (const ir::Origin& o : j.deciding) b.decided_by.push_back(origin_text(sources, o));
      patch.blocked.push_back(std::move(b));
      continue;
    }
    const auto rule = rule_for(event, seen);
    if (!rule) {
      patch.inexpressible.push_back(describe(event) + ": no rule of the language can express it");
      continue;
    }
    Addition& a = additions[{rule->section, rule->text}];
    a.rule = *rule;
    a.observations.push_back(describe(event));
    a.count += seen.count;
    a.runs.insert(seen.runs.begin(), seen.runs.end());
  }
  for (auto& [key, a] : additions) patch.additions.push_back(std::move(a));

  // Where each section's additions go.
  const std::vector<std::string> lines = split_lines(source);
  std::map<size_t, std::vector<std::string>> inserted;
  auto line_of = [&](size_t offset) {
    return static_cast<size_t>(std::count(source.begin(), source.begin() + static_cast<long>(offset), '\n'));
  };
  const size_t policy_end = file.range.end > 0 ? line_start_before(source, file.range.end - 1) : std::string::npos;
  for (const RuleText::Section section :
       {RuleText::Section::Syscalls, RuleText::Section::Filesystem, RuleText::Section::Network}) {
    std::vector<const Addition*> mine;
    for (const Addition& a : patch.additions)
      if (a.rule.section == section) mine.push_back(&a);
    if (mine.empty()) continue;
    size_t at = std::string::npos;
    for (const ast::Item& item : file.items) {
      diag::SourceRange range;
      if (const auto* s = std::get_if<ast::SyscallsSection>(&item); s && section == RuleText::Section::Syscalls)
        range = s->range;
      else if (const auto* f = std::get_if<ast::FilesystemSection>(&item);
               f && section == RuleText::Section::Filesystem)
        range = f->range;
      else if (const auto* n = std::get_if<ast::NetworkSection>(&item); n && section == RuleText::Section::Network)
        range = n->range;
      else continue;
      if (range.end > 0) at = line_start_before(source, range.end - 1);
      break;
    }
    const bool new_section = at == std::string::npos;
    if (new_section) at = policy_end;
    if (at == std::string::npos) continue;  // the additions stay in the JSON only
    const size_t first = source.find_first_not_of(" \t", at);
    const std::string indent = source.substr(at, first - at) + "  ";
    std::vector<std::string>& out = inserted[line_of(at)];
    const std::string inner = new_section ? indent + "  " : indent;
    if (new_section) out.push_back(indent + section_keyword(section) + " {\n");
    for (const Addition* a : mine) {
      out.push_back(inner + "# learned: " + a->observations.front() +
                    (a->observations.size() > 1 ? " and " + std::to_string(a->observations.size() - 1) + " more" : "") +
                    " (" + std::to_string(a->count) + (a->count == 1 ? " time, " : " times, ") + runs_text(a->runs) +
                    ")\n");
      out.push_back(inner + a->rule.text + "\n");
    }
    if (new_section) out.push_back(indent + "}\n");
  }
  patch.diff = insertion_diff(display_path, lines, inserted);
  for (size_t k = 0; k <= lines.size(); ++k) {
    if (auto it = inserted.find(k); it != inserted.end())
      for (const std::string& l : it->second) patch.patched += l;
    if (k < lines.size()) patch.patched += lines[k];
  }
  return patch;
}

}  // namespace polc::learn
