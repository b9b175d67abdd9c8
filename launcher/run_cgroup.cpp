// Stage: launcher. The run's cgroup (run_cgroup.h).
#include "launcher/run_cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/posix/clock.h"
#include "launcher/errors.h"

namespace polc::launcher {

namespace {

struct Mountinfo {
  std::string cgroup2;                    // "" when none is mounted
  std::map<std::string, std::string> v1;  // controller -> mount point of its v1 hierarchy
};

// The cgroup hierarchies from /proc/self/mountinfo: the cgroup2 mount, and each v1 controller's.
Mountinfo cgroup_mounts() {
  Mountinfo m;
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  while (std::getline(info, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, dev, root, mount;
    if (!(fields >> id >> parent >> dev >> root >> mount) || root != "/") continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype, source, super;
    tail >> fstype >> source >> super;
    if (fstype == "cgroup2" && m.cgroup2.empty()) m.cgroup2 = mount;
    if (fstype != "cgroup") continue;
    std::istringstream options(super);
    std::string option;
    while (std::getline(options, option, ','))
      if (!m.v1.count(option)) m.v1[option] = mount;
  }
  return m;
}

// This process's cgroup path in a hierarchy: "0::/PATH" for cgroup2 (`controller` empty), else
// "N:a,b:/PATH" for the v1 hierarchy that holds `controller`.
std::string own_cgroup(const std::string& controller = "") {
  std::ifstream groups("/proc/self/cgroup");
  std::string line;
  while (std::getline(groups, line)) {
    const size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string names = line.substr(first + 1, second - first - 1);
    if (controller.empty()) {
      if (line.rfind("0::", 0) == 0) return line.substr(3);
      continue;
    }
    std::istringstream list(names);
    std::string name;
    while (std::getline(list, name, ','))
      if (name == controller) return line.substr(second + 1);
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream words(text);
  std::string w;
  while (words >> w)
    if (w == word) return true;
  return false;
}

// "KEY N" lines (memory.events, pids.events, memory.oom_control): N for `key`, 0 when absent.
uint64_t counter(const std::string& path, const std::string& key) {
  std::istringstream lines(read_text(path));
  std::string k;
  uint64_t value = 0;
  while (lines >> k >> value)
    if (k == key) return value;
  return 0;
}

size_t members(const std::string& path) {
  std::ifstream procs(path + "/cgroup.procs");
  size_t n = 0;
  pid_t pid = 0;
  while (procs >> pid) ++n;
  return n;
}

// Writes `value` into the control file `dir/file` (one write, as the kernel wants it).
bool write_control(const std::string& dir, const std::string& file, const std::string& value, int& err) {
  const UniqueFd fd(open((dir + "/" + file).c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    err = errno;
    return false;
  }
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    err = errno;
    return false;
  }
  return true;
}

[[noreturn]] void cannot_set(const std::string& dir, const std::string& file, const std::string& value, int err) {
  throw Failure(ExitCode::ApplyFailed,
                "cannot set the run's limit " + file + " = " + value + " in " + dir + ": " + errno_text(err));
}

// mkdir of a run's group. The name holds this supervisor's pid, so a group of that name is the
// left-over of a dead supervisor that had the same pid (killed before it could remove it): it is
// removed first when empty (rmdir refuses a group that still holds a process or a child group).
int make_group(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0) return 0;
  if (errno != EEXIST || rmdir(path.c_str()) != 0) return errno == 0 ? EEXIST : errno;
  return mkdir(path.c_str(), 0700) == 0 ? 0 : errno;
}

// The controllers `limits` need, in a stable order.
std::vector<std::string> needed_controllers(const os::Limits& limits) {
  std::vector<std::string> names;
  if (limits.memory || limits.memory_swap) names.push_back("memory");
  if (limits.tasks) names.push_back("pids");
  if (limits.cpu) names.push_back("cpu");
  return names;
}

}  // namespace

CgroupPlan plan_cgroup(const os::Limits& limits) {
  CgroupPlan plan;
  const std::vector<std::string> names = needed_controllers(limits);
  if (names.empty()) return plan;
  const Mountinfo m = cgroup_mounts();
  const std::string available = m.cgroup2.empty() ? "" : read_text(m.cgroup2 + "/cgroup.controllers");
  for (const std::string& name : names) {
    if (!m.cgroup2.empty() && has_word(available, name)) {
      plan.controllers.push_back({name, "cgroup2", m.cgroup2});
    } else if (m.v1.count(name) && !own_cgroup(name).empty()) {
      plan.controllers.push_back({name, "cgroup v1", m.v1.at(name)});
    } else if (!plan.refusal) {
      plan.refusal =
          "the policy's limits need the cgroup controller " + name + ", which this machine does not offer (" +
          (m.cgroup2.empty() ? std::string("no cgroup2 hierarchy") : "not in " + m.cgroup2 + "/cgroup.controllers") +
          ", and no cgroup v1 hierarchy has it)";
    }
  }
  if (limits.memory_swap && !plan.refusal) {
    // memory plus swap needs swap accounting: memory.swap.max (v2) or memory.memsw.* (v1).
    for (const CgroupPlan::Controller& c : plan.controllers) {
      if (c.name != "memory") continue;
      const std::string probe = c.hierarchy == "cgroup2"
                                    ? (m.cgroup2 + (own_cgroup() == "/" ? "" : own_cgroup()) + "/memory.swap.max")
                                    : (c.mount + own_cgroup("memory") + "/memory.memsw.limit_in_bytes");
      // The root group has no memory.swap.max; a child of it would: look for swap accounting there.
      if (access(probe.c_str(), F_OK) != 0 && !(c.hierarchy == "cgroup2" && own_cgroup() == "/"))
        plan.refusal =
            "the policy's memory_swap limit needs swap accounting in the memory controller (" + probe + " is missing)";
    }
  }
  return plan;
}

std::unique_ptr<RunCgroup> RunCgroup::create(const os::Limits* limits, std::string& why_not) {
  const Mountinfo m = cgroup_mounts();
  const std::string own = own_cgroup();
  const CgroupPlan plan = limits ? plan_cgroup(*limits) : CgroupPlan{};
  if (plan.refusal) throw Failure(ExitCode::KernelLacks, *plan.refusal);
  bool v2_limits = false;
  for (const CgroupPlan::Controller& c : plan.controllers) v2_limits |= c.hierarchy == "cgroup2";
  if (m.cgroup2.empty() || own.empty()) {
    why_not = "no cgroup2 hierarchy";
    if (!plan.controllers.empty())
      throw Failure(ExitCode::KernelLacks,
                    "the policy's limits need a cgroup2 hierarchy for the run's group: " + why_not);
    return nullptr;
  }
  const std::string run = "run-" + std::to_string(getpid());
  std::string path;
  if (v2_limits) {
    // A process-free parent of polc's own at the root: the controllers can be enabled there.
    std::string controls;
    for (const CgroupPlan::Controller& c : plan.controllers)
      if (c.hierarchy == "cgroup2") controls += (controls.empty() ? "+" : " +") + c.name;
    int err = 0;
    const std::string parent = m.cgroup2 + "/polc";
    if (!write_control(m.cgroup2, "cgroup.subtree_control", controls, err))
      throw Failure(ExitCode::ApplyFailed, "cannot enable the cgroup controllers (" + controls + ") in " + m.cgroup2 +
                                               "/cgroup.subtree_control: " + errno_text(err));
    struct stat st {};
    if (mkdir(parent.c_str(), 0755) != 0 &&
        !(errno == EEXIST && lstat(parent.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
      throw Failure(ExitCode::ApplyFailed, "cannot create the cgroup " + parent + ": " + errno_text(errno));
    if (!write_control(parent, "cgroup.subtree_control", controls, err))
      throw Failure(ExitCode::ApplyFailed, "cannot enable the cgroup controllers (" + controls + ") in " + parent +
                                               "/cgroup.subtree_control (it must hold no process): " + errno_text(err));
    path = parent + "/" + run;
  } else {
    path = m.cgroup2 + (own == "/" ? "" : own) + "/polc-" + run;
  }
  if (const int err = make_group(path); err != 0) {
    why_not = "cannot create " + path + ": " + std::strerror(err);
    if (!plan.controllers.empty())
      throw Failure(ExitCode::ApplyFailed, "cannot create the run's cgroup " + path + ": " + errno_text(err));
    return nullptr;
  }
  UniqueFd procs(open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!procs.valid() || access((path + "/cgroup.kill").c_str(), W_OK) != 0) {
    why_not = "cannot use " + path + " (cgroup.kill needs Linux 5.14): " + std::strerror(errno);
    rmdir(path.c_str());
    if (!plan.controllers.empty()) throw Failure(ExitCode::KernelLacks, "the run's cgroup: " + why_not);
    return nullptr;
  }
  std::unique_ptr<RunCgroup> group(new RunCgroup(path, std::move(procs)));
  if (plan.controllers.empty()) return group;

  group->limited_ = true;
  // Each controller's group: the run's cgroup2 group, or a v1 group beneath our own v1 group.
  std::map<std::string, std::string> dir_of;
  for (const CgroupPlan::Controller& c : plan.controllers) {
    if (c.hierarchy == "cgroup2") {
      dir_of[c.name] = path;
      continue;
    }
    const std::string own_v1 = own_cgroup(c.name);
    const std::string v1 = c.mount + (own_v1 == "/" ? "" : own_v1) + "/polc-" + run;
    if (const int err = make_group(v1); err != 0)
      throw Failure(ExitCode::ApplyFailed, "cannot create the cgroup v1 group " + v1 + ": " + errno_text(err));
    group->v1_groups_.push_back(v1);
    dir_of[c.name] = v1;
    if (c.name == "memory") group->memory_v1_ = true;
  }
  const os::Limits& l = *limits;
  auto set = [&](const std::string& controller, const std::string& file, const std::string& value) {
    int err = 0;
    const std::string& dir = dir_of.at(controller);
    if (!write_control(dir, file, value, err)) cannot_set(dir, file, value, err);
    group->settings_.push_back(file + "=" + value);
  };
  if (l.memory || l.memory_swap) {
    group->memory_dir_ = dir_of.at("memory");
    if (group->memory_v1_) {
      // v1 counts memory plus swap in memsw, which must stay at or above the memory limit.
      if (l.memory) set("memory", "memory.limit_in_bytes", std::to_string(*l.memory));
      if (l.memory_swap) set("memory", "memory.memsw.limit_in_bytes", std::to_string(*l.memory_swap));
    } else {
      if (l.memory) set("memory", "memory.max", std::to_string(*l.memory));
      if (l.memory_swap) {
        const uint64_t memory = l.memory.value_or(0);
        set("memory", "memory.swap.max", std::to_string(*l.memory_swap > memory ? *l.memory_swap - memory : 0));
      }
    }
  }
  if (l.tasks) {
    group->pids_dir_ = dir_of.at("pids");
    set("pids", "pids.max", std::to_string(*l.tasks));
  }
  if (l.cpu) {
    // Thousandths of a core over a 100 ms period: quota = cpu * 100 µs.
    const std::string quota = std::to_string(*l.cpu * 100);
    if (dir_of.at("cpu") == path) {
      set("cpu", "cpu.max", quota + " 100000");
    } else {
      set("cpu", "cpu.cfs_period_us", "100000");
      set("cpu", "cpu.cfs_quota_us", quota);
    }
  }
  return group;
}

RunCgroup::~RunCgroup() {
  procs_.reset();
  rmdir(path_.c_str());
  for (const std::string& v1 : v1_groups_) rmdir(v1.c_str());
}

bool RunCgroup::place(pid_t pid, std::string& why) const {
  const std::string text = std::to_string(pid);
  if (::write(procs_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    why = "cannot enter " + path_ + ": " + errno_text(errno);
    return false;
  }
  for (const std::string& v1 : v1_groups_) {
    int err = 0;
    if (!write_control(v1, "cgroup.procs", text, err)) {
      why = "cannot enter " + v1 + ": " + errno_text(err);
      return false;
    }
  }
  return true;
}

bool RunCgroup::freeze(bool frozen) const {
  const UniqueFd control(open((path_ + "/cgroup.freeze").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  return control.valid() && ::write(control.get(), frozen ? "1" : "0", 1) == 1;
}

void RunCgroup::kill_now() const {
  const UniqueFd kill(open((path_ + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (kill.valid()) {
    ssize_t ignored = ::write(kill.get(), "1", 1);
    (void)ignored;
  }
}

size_t RunCgroup::kill_all(int timeout_ms) const {
  kill_now();
  const int64_t deadline = clock_ms() + timeout_ms;
  for (;;) {
    const size_t left = members(path_);
    if (left == 0 || clock_ms() >= deadline) return left;
    usleep(1000);
  }
}

LimitHits RunCgroup::hits() const {
  LimitHits h;
  if (!memory_dir_.empty())
    h.oom_kills = counter(memory_dir_ + (memory_v1_ ? "/memory.oom_control" : "/memory.events"), "oom_kill");
  if (!pids_dir_.empty()) h.tasks_max = counter(pids_dir_ + "/pids.events", "max");
  return h;
}

}  // namespace polc::launcher
