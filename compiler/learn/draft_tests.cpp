// Stage: learn. Test blocks and assertions of a draft (see draft_tests.h).
#include "compiler/learn/draft_tests.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "compiler/learn/path_text.h"
#include "compiler/learn/rule_text.h"
#include "compiler/sema/syscall_signatures.h"

namespace polc::learn {
namespace {

std::string call_query(const Call& c, std::span<const arch::Arch> targets) {
  std::string out = c.name;
  int last = 5;
  while (last >= 0 && !(c.recorded & (1u << last))) --last;
  if (last >= 0) {
    auto sig = sema::syscall_signature(c.name, c.arch);
    out += "(";
    for (int i = 0; i <= last; ++i) {
      unsigned bits = sig && static_cast<size_t>(i) < sig->size() ? sema::arg_bits((*sig)[i].type, c.arch)
                                                                  : arch::register_bits(c.arch);
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(c.args[i] & arch::width_mask(bits)));
      out += (i ? ", " : "") + std::string(buf);
    }
    out += ")";
  }
  if (targets.size() > 1) out += " on " + std::string(arch::name(c.arch));
  return out;
}

std::string composite_of(std::string_view right) {
  if (right == "read_file" || right == "read_dir") return "read";
  if (right == "execute") return "execute";
  if (right == "ioctl_dev") return "";
  return "write";
}

void block(std::string& out, const std::string& name, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  out += "\n  test \"" + name + "\" {\n";
  for (const std::string& l : lines) out += "    " + l + "\n";
  out += "  }\n";
}

}  // namespace

std::string observed_tests(std::span<const std::pair<const Event*, const Seen*>> granted,
                           std::span<const arch::Arch> targets) {
  std::vector<std::pair<const Event*, const Seen*>> sorted(granted.begin(), granted.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
  std::vector<std::string> calls, files, network;
  std::set<std::string> seen_lines;
  for (const auto& [event, seen] : sorted) {
    std::string line;
    std::vector<std::string>* into = nullptr;
    if (const auto* c = std::get_if<Call>(event)) {
      if (c->name.empty()) continue;
      line = "expect allow " + call_query(*c, targets);
      into = &calls;
    } else if (std::holds_alternative<FileAccess>(*event) || std::holds_alternative<Exec>(*event)) {
      auto rule = rule_for(*event, *seen);
      if (!rule) continue;
      line = "expect allow " + rule->text;
      into = &files;
    } else if (std::holds_alternative<Endpoint>(*event)) {
      auto rule = rule_for(*event, *seen);
      if (!rule) continue;
      line = "expect allow " + rule->text;
      into = &network;
    } else {
      continue;
    }
    if (into->size() >= kTestsPerKind || !seen_lines.insert(line).second) continue;
    into->push_back(line);
  }
  std::string out;
  block(out, "observed syscalls", calls);
  block(out, "observed files", files);
  block(out, "observed network", network);
  return out;
}

std::vector<std::string> credential_queries(std::span<const Event* const> credentials) {
  std::vector<std::string> out;
  std::set<std::string> done;
  for (const Event* e : credentials) {
    std::string right, path;
    if (const auto* a = std::get_if<FileAccess>(e)) {
      right = composite_of(a->right);
      bool on_parent = a->right.rfind("make_", 0) == 0 || a->right.rfind("remove_", 0) == 0 || a->right == "refer";
      path = on_parent ? parent_dir(a->path) : a->path;
    } else if (const auto* x = std::get_if<Exec>(e)) {
      right = "execute";
      path = x->path;
    }
    if (right.empty() || unrepresentable_reason(path)) continue;
    std::string query = right + " " + quoted_path(path);
    if (done.insert(query).second) out.push_back(query);
  }
  return out;
}

std::string credential_checks(std::span<const Event* const> credentials) {
  std::vector<std::string> asserts, expects;
  for (const std::string& query : credential_queries(credentials)) {
    asserts.push_back("assert never " + query);
    expects.push_back("expect deny " + query);
  }
  if (asserts.empty()) return {};
  std::string out = "\n  # Credentials the workload touched: never granted by a draft.\n";
  for (const std::string& a : asserts) out += "  " + a + "\n";
  block(out, "credentials stay out of reach", expects);
  return out;
}

}  // namespace polc::learn
