// Stage: launcher telemetry. Where an event sits in OCSF 1.x (the Open Cybersecurity Schema
// Framework), so that a SIEM takes the lines as they are: the class by layer and request, the
// activity by the rights or the kind of request, and Denied/Blocked for every refusal (a `log`
// decision is Allowed/Logged). docs/telemetry.md has the table.
#pragma once

#include <cstdint>

#include "launcher/telemetry/event.h"

namespace polc::telemetry {

struct OcsfClass {
  int class_uid = 0;  // 1001 File System Activity, 1007 Process Activity, 4001 Network Activity
  const char* class_name = "";
  int category_uid = 0;    // 1 System Activity, 4 Network Activity
  int activity_id = 0;     // class-specific; 99 Other
  int action_id = 0;       // 1 Allowed, 2 Denied
  int disposition_id = 0;  // 2 Blocked, 17 Logged
  int severity_id = 0;     // 1 Informational, 3 Medium, 4 High
  int64_t type_uid() const { return int64_t{class_uid} * 100 + activity_id; }
};

OcsfClass ocsf_class(const Event& event);

}  // namespace polc::telemetry
