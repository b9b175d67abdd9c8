// What committing a workspace costs (launcher/os/workspace_commit.h): per workload, a fresh
// workspace of FILES small files (1 KiB, in 10 directories) is staged, changed through its overlay
// in a child with its own mount namespace, and committed; the commit alone is timed, RUNS times
// (default 5), and the median printed with the time per changed file and the discard's cost.
// Workloads, each of FILES changes:
//   create  FILES new files;
//   edit    FILES existing files appended to (each copied up whole, then written back);
//   mix     40% edits, 20% creates, 20% deletes, 20% renames (a rename is a delete plus a create);
//   create, fsync  as create with sync_files (one fsync per file and directory).
// Needs root (mounts). Usage: polc_workspace_commit_bench [FILES] [RUNS] [DIR]  (DIR: where the
// workspaces and their staging directories are made, default /var/tmp)
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "launcher/errors.h"
#include "launcher/os/mounts.h"
#include "launcher/os/workspace.h"
#include "launcher/os/workspace_commit.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace polc::launcher::os;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const std::string kBlock(1024, 'x');

void write_file(const std::string& path, bool append = false) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd < 0 || write(fd, kBlock.data(), kBlock.size()) != static_cast<ssize_t>(kBlock.size())) std::_Exit(3);
  close(fd);
}

std::string file_name(const std::string& root, int i, const char* prefix = "f") {
  return root + "/d" + std::to_string(i % 10) + "/" + prefix + std::to_string(i);
}

// The changes of `workload` on the workspace at `root` (in the payload's view).
void change(const std::string& workload, const std::string& root, int files) {
  if (workload == "create") {
    for (int i = 0; i < files; ++i) write_file(file_name(root, i, "new"));
    return;
  }
  if (workload == "edit") {
    for (int i = 0; i < files; ++i) write_file(file_name(root, i), true);
    return;
  }
  const int edits = files * 2 / 5, creates = files / 5, deletes = files / 5,
            renames = files - edits - creates - deletes;
  int i = 0;
  for (int n = 0; n < edits; ++n, ++i) write_file(file_name(root, i), true);
  for (int n = 0; n < deletes; ++n, ++i) unlink(file_name(root, i).c_str());
  for (int n = 0; n < renames; ++n, ++i) rename(file_name(root, i).c_str(), file_name(root, i, "moved").c_str());
  for (int n = 0; n < creates; ++n) write_file(file_name(root, n, "new"));
}

struct Times {
  double commit_ms = 0, discard_ms = 0;
  CommitReport report;
};

Times one_run(const std::string& dir, const std::string& workload, bool sync_files, int files) {
  char pattern[] = "polc-bench-XXXXXX";
  const std::string base = dir + "/" + pattern;
  std::vector<char> path(base.begin(), base.end());
  path.push_back('\0');
  if (!mkdtemp(path.data())) std::_Exit(2);
  const std::string root = path.data(), ws = root + "/ws";
  mkdir(ws.c_str(), 0755);
  for (int d = 0; d < 10; ++d) mkdir((ws + "/d" + std::to_string(d)).c_str(), 0755);
  // The lower files every workload starts from (as many as it changes).
  for (int i = 0; i < files; ++i) write_file(file_name(ws, i));
  sync();

  Workspace spec;
  spec.path = ws;
  const PreparedWorkspace prepared = prepare_workspace(spec, root + "/staging");
  const pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) std::_Exit(4);
    OsSpec os;
    apply_mounts(os, {prepared});
    change(workload == "create, fsync" ? "create" : workload, ws, files);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "polc_workspace_commit_bench: the run failed (%d)\n", status);
    std::exit(1);
  }
  Times t;
  auto start = Clock::now();
  t.report = commit_workspace(prepared, sync_files);
  t.commit_ms = ms_since(start);
  start = Clock::now();
  discard_workspace(prepared);
  t.discard_ms = ms_since(start);
  if (!t.report.ok()) {
    std::fprintf(stderr, "polc_workspace_commit_bench: %s\n", t.report.summary().c_str());
    std::exit(1);
  }
  std::filesystem::remove_all(root);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const int files = argc > 1 ? std::max(10, std::atoi(argv[1])) : 1000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const std::string dir = argc > 3 ? argv[3] : "/var/tmp";
  if (geteuid() != 0) {
    std::puts("polc_workspace_commit_bench: needs root (it mounts overlays)");
    return 77;
  }
  std::printf(
      "| workload (%d changes) | commit (median) | per changed file | entries created / modified / deleted | "
      "bytes | discard (median) |\n",
      files);
  std::printf("|---|---:|---:|---|---:|---:|\n");
  try {
    for (const char* workload : {"create", "edit", "mix", "create, fsync"}) {
      std::vector<double> commit, discard;
      CommitReport last;
      for (int r = 0; r < runs; ++r) {
        Times t = one_run(dir, workload, std::string(workload) == "create, fsync", files);
        commit.push_back(t.commit_ms);
        discard.push_back(t.discard_ms);
        last = t.report;
      }
      const double c = median(commit);
      std::printf("| %s | %.1f ms | %.1f µs | %llu / %llu / %llu | %llu | %.1f ms |\n", workload, c, c * 1000 / files,
                  static_cast<unsigned long long>(last.created), static_cast<unsigned long long>(last.modified),
                  static_cast<unsigned long long>(last.deleted), static_cast<unsigned long long>(last.bytes),
                  median(discard));
      std::fflush(stdout);
    }
  } catch (const polc::launcher::Failure& f) {
    std::fprintf(stderr, "polc_workspace_commit_bench: %s\n", f.what());
    return 1;
  }
  return 0;
}
