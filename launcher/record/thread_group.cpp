// Stage: launcher (learning). /proc/TID/status's Tgid (thread_group.h).
#include "launcher/record/thread_group.h"

#include <fstream>
#include <string>

namespace polc::record {

pid_t thread_group_of(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "Tgid:") {
      pid_t tgid = 0;
      status >> tgid;
      return tgid;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

}  // namespace polc::record
