// Stage: launcher telemetry. The OCSF classification of an event (ocsf.h).
#include "launcher/telemetry/ocsf.h"

#include <algorithm>
#include <string_view>

namespace polc::telemetry {

namespace {

bool has_right(const Event& e, std::string_view prefix) {
  return std::any_of(e.request.rights.begin(), e.request.rights.end(),
                     [&](const std::string& r) { return std::string_view(r).starts_with(prefix); });
}

// File System Activity's activity ids: 1 Create, 2 Read, 3 Update, 4 Delete, 5 Rename, 99 Other.
// The most telling missing right names it (execute counts as a read of the file).
int file_activity(const Event& e) {
  if (has_right(e, "make_")) return 1;
  if (has_right(e, "remove_")) return 4;
  if (has_right(e, "refer")) return 5;
  if (has_right(e, "write_file") || has_right(e, "truncate")) return 3;
  if (has_right(e, "read_") || has_right(e, "execute")) return 2;
  return 99;
}

}  // namespace

OcsfClass ocsf_class(const Event& e) {
  OcsfClass c;
  const bool logged_only = e.decision == "log";
  c.action_id = logged_only ? 1 : 2;
  c.disposition_id = logged_only ? 17 : 2;
  // A limit that ended the run (the OOM killer, the wall clock) is a kill like seccomp's.
  const bool kills = e.decision.starts_with("kill") || e.decision == "oom_kill" || e.decision == "time_limit";
  c.severity_id = logged_only ? 1 : kills ? 4 : 3;
  const bool network = e.layer == Layer::Nftables || e.layer == Layer::Proxy || e.request.port || e.request.address;
  if (network) {
    c.class_uid = 4001;
    c.class_name = "Network Activity";
    c.category_uid = 4;
    c.activity_id = e.request.rights.empty() || has_right(e, "connect") ? 1 : 99;  // 1 Open
    return c;
  }
  if (e.layer == Layer::Landlock && e.request.path) {
    c.class_uid = 1001;
    c.class_name = "File System Activity";
    c.category_uid = 1;
    c.activity_id = file_activity(e);
    return c;
  }
  // Syscalls and scopes: something the process did. Process Activity's 99 Other; a signal to a
  // process outside the sandbox is its 99 too (OCSF has no "signal" activity).
  c.class_uid = 1007;
  c.class_name = "Process Activity";
  c.category_uid = 1;
  c.activity_id = 99;
  return c;
}

}  // namespace polc::telemetry
