// Stage: launcher. The run's workspaces (run_workspaces.h).
#include "launcher/run_workspaces.h"

#include "launcher/os/workspace_commit.h"

namespace polc::launcher {

RunWorkspaces::RunWorkspaces(const OsPlan& plan, const std::string& staging_parent) {
  try {
    for (const os::Workspace& w : plan.spec.workspaces)
      prepared_.push_back(os::prepare_workspace(w, staging_parent, plan.user_ns));
  } catch (...) {
    for (const os::PreparedWorkspace& p : prepared_) {
      try {
        os::discard_workspace(p);
      } catch (const std::exception&) {}
    }
    throw;
  }
}

RunWorkspaces::~RunWorkspaces() {
  if (finished_) return;
  for (const os::PreparedWorkspace& p : prepared_) {
    try {
      os::discard_workspace(p);
    } catch (const std::exception&) {}
  }
}

nlohmann::json RunWorkspaces::finish(const RunObservation& run, std::string& said) {
  finished_ = true;
  nlohmann::json out = nlohmann::json::array();
  for (const os::PreparedWorkspace& p : prepared_) {
    const WorkspaceVerdict verdict = decide_workspace(p.spec, run);
    nlohmann::json entry = {{"path", p.spec.path}};
    std::string line = "sbx-exec: workspace " + p.spec.path + ": ";
    bool keep_staging = false;
    if (verdict.commit) {
      try {
        const os::CommitReport report = os::commit_workspace(p);
        entry["outcome"] = report.ok() ? "committed" : "committed with errors";
        entry["created"] = report.created;
        entry["modified"] = report.modified;
        entry["deleted"] = report.deleted;
        entry["skipped"] = report.skipped;
        entry["bytes"] = report.bytes;
        entry["errors"] = report.errors;
        line +=
            std::string(report.ok() ? "committed: " : "committed with errors (changes kept in " + p.staging + "): ") +
            report.summary();
        keep_staging = !report.ok();
      } catch (const std::exception& e) {
        entry["outcome"] = "commit failed";
        entry["reason"] = e.what();
        line += std::string("NOT committed (changes kept in ") + p.staging + "): " + e.what();
        keep_staging = true;
      }
    } else {
      entry["outcome"] = "discarded";
      entry["reason"] = verdict.reason;
      line += "discarded: " + verdict.reason;
    }
    if (!keep_staging) {
      try {
        os::discard_workspace(p);
      } catch (const std::exception& e) {
        line += "; staging not removed: " + std::string(e.what());
      }
    }
    said += line + "\n";
    out.push_back(entry);
  }
  return out;
}

}  // namespace polc::launcher
