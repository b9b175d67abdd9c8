// Helpers of the recorder's kernel tests (record_harness.h).
#include "record_harness.h"

#include <doctest/doctest.h>
#include <limits.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace polc::record::test {

Recorded record(const std::vector<std::string>& argv, Options options) {
  options.argv = argv;
  Recorded out;
  std::string error;
  const auto run = polc::record::run(options, out.recording, error);
  INFO("error: " << error);
  REQUIRE(run.has_value());
  out.run = *run;
  return out;
}

Recorded record_unprivileged(const std::vector<std::string>& argv, Options options) {
  options.argv = argv;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    constexpr uid_t kNobody = 65534;
    // Changing ids makes a process undumpable; the supervisor must be dumpable to start with,
    // as any process a non-root user starts is.
    if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0 || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
      _exit(125);
    learn::Recording recording;
    std::string error;
    if (!polc::record::run(options, recording, error)) {
      const std::string text = "error: " + error;
      (void)!write(fds[1], text.data(), text.size());
      _exit(125);
    }
    const std::string text = learn::to_json(recording);
    for (size_t done = 0; done < text.size();) {
      const ssize_t n = write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) _exit(125);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  INFO("child output: " << text);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::string error;
  auto recording = learn::recording_from_json(text, error);
  INFO("error: " << error);
  REQUIRE(recording.has_value());
  REQUIRE(recording->runs.size() == 1);
  Recorded out;
  out.recording = std::move(*recording);
  out.run = out.recording.runs.front();
  return out;
}

uint64_t calls_named(const learn::Recording& recording, const std::string& name) {
  uint64_t n = 0;
  for (const auto& [event, seen] : recording.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == name) n += seen.count;
  return n;
}

std::vector<learn::Call> call_forms(const learn::Recording& recording, const std::string& name) {
  std::vector<learn::Call> out;
  for (const auto& [event, seen] : recording.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == name) out.push_back(*call);
  return out;
}

bool has_access(const learn::Recording& recording, const std::string& path, const std::string& right) {
  for (const auto& [event, seen] : recording.events)
    if (const auto* a = std::get_if<learn::FileAccess>(&event); a && a->path == path && a->right == right) return true;
  return false;
}

const learn::Seen* find(const learn::Recording& recording, const learn::Event& event) {
  const auto it = recording.events.find(event);
  return it == recording.events.end() ? nullptr : &it->second;
}

}  // namespace polc::record::test
