// Stage: driver. `polc run POLICY [SBX-EXEC OPTION...] -- COMMAND [ARG...]`: the development loop in
// one step. The policy is built (every check of `polc build`) into a private temporary directory,
// COMMAND runs under sbx-exec with that bundle, unsigned, exactly as `sbx-exec
// --insecure-dev-unsigned` runs it (sbx-exec warns on every such run), and the bundle is removed
// when sbx-exec ends. The exit status is sbx-exec's (the payload's, or sbx-exec's own refusal
// code). Signed bundles are for everything but development: `polc build`, `polc sign`, `sbx-exec
// --trust`.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "compiler/driver/build_policy.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/seccomp_options.h"
#include "compiler/driver/session.h"

#ifndef POLC_BUILD_TREE_SBX_EXEC
#define POLC_BUILD_TREE_SBX_EXEC ""
#endif
#ifndef POLC_BUILD_TREE_POLC
#define POLC_BUILD_TREE_POLC ""
#endif

namespace polc::driver {

namespace {

namespace fs = std::filesystem;

bool executable(const std::string& path) {
  struct stat st {};
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// sbx-exec: $POLC_SBX_EXEC, else beside this polc (an installed pair), else on PATH, else, for the
// polc of a build tree only, the sbx-exec built beside it. An installed polc never falls back to
// the tree it was built in: that tree may be gone, or hold another version.
std::optional<std::string> find_sbx_exec() {
  if (const char* env = getenv("POLC_SBX_EXEC"); env != nullptr && *env != '\0')
    return executable(env) ? std::optional<std::string>(env) : std::nullopt;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && executable((self.parent_path() / "sbx-exec").string())) return (self.parent_path() / "sbx-exec").string();
  if (const char* path = getenv("PATH"))
    for (std::string_view rest = path; !rest.empty();) {
      const size_t colon = rest.find(':');
      const std::string dir(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      if (!dir.empty() && dir[0] == '/' && executable(dir + "/sbx-exec")) return dir + "/sbx-exec";
    }
  if (!ec && fs::equivalent(self, POLC_BUILD_TREE_POLC, ec) && executable(POLC_BUILD_TREE_SBX_EXEC))
    return std::string(POLC_BUILD_TREE_SBX_EXEC);
  return std::nullopt;
}

// A directory only this user can enter, removed with everything in it (no link followed) when the
// run ends.
class PrivateDir {
 public:
  PrivateDir() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp == '/' ? tmp : "/tmp") + "/polc-run-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;  // mkdtemp makes it 0700
  }
  ~PrivateDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs sbx-exec and waits for it, as system(3) does: the terminal's interrupt and quit go to
// sbx-exec (which passes them to the payload) while this process waits to remove the bundle.
int run_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid == 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "polc run: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  if (pid > 0)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (pid < 0) {
    std::cerr << "polc run: cannot start sbx-exec: " << std::strerror(errno) << "\n";
    return kExitErrors;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int usage(const std::string& message) {
  std::cerr << "polc run: " << message << "\n(see `polc run --help`)\n";
  return kExitUsage;
}

}  // namespace

int cmd_run(const Args& args) {
  // polc's own options and the policy come first; everything after the policy is sbx-exec's.
  size_t policy_at = 0;
  while (policy_at < args.size() && args[policy_at].starts_with("-") && args[policy_at] != "--") ++policy_at;
  const Args own(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(std::min(policy_at + 1, args.size())));
  bool help = false;
  auto o = parse_options(own, "run", {"--seccomp-codegen=", "--syscall-mix="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.size() != 1) return usage("give the policy to run, then sbx-exec's options, then -- COMMAND");
  if (auto err = apply_seccomp_options(*o)) return usage(*err);
  const std::vector<std::string> launcher_args(args.begin() + static_cast<std::ptrdiff_t>(policy_at + 1), args.end());
  const auto dashes = std::find(launcher_args.begin(), launcher_args.end(), "--");
  if (dashes == launcher_args.end() || dashes + 1 == launcher_args.end())
    return usage("say what to run after --: polc run POLICY [SBX-EXEC OPTION...] -- COMMAND [ARG...]");
  for (auto it = launcher_args.begin(); it != dashes; ++it)
    for (std::string_view mine : {"--bundle", "--trust", "--insecure-dev-unsigned"})
      if (*it == mine || it->starts_with(std::string(mine) + "="))
        return usage(std::string(mine) +
                     " is polc run's to set (it runs the bundle it builds, unsigned); "
                     "for a signed bundle use polc build, polc sign and sbx-exec --trust");
  const auto sbx_exec = find_sbx_exec();
  if (!sbx_exec) {
    std::cerr << "polc run: cannot find sbx-exec beside polc or on PATH (set POLC_SBX_EXEC to its path)\n";
    return kExitErrors;
  }

  diag::SourceManager sources;
  diag::Engine engine(sources);
  bool is_module = false;
  const auto built = build_policy_file(o->files[0], BuildInputs{}, *o, engine, &is_module);
  if (is_module) {
    report(engine, *o);
    return usage("`" + o->files[0] + "` is a module; only policies run");
  }
  if (!built) return report(engine, *o);
  if (const int status = report(engine, *o); status != kExitOk) return status;

  PrivateDir dir;
  if (dir.path().empty()) {
    std::cerr << "polc run: cannot make a private temporary directory: " << std::strerror(errno) << "\n";
    return kExitErrors;
  }
  const std::string bundle_dir = dir.path() + "/" + built->name;
  if (auto err = write_directory_atomically(bundle_dir, built->bundle.files)) {
    engine.report(diag::Code::OutputNotWritten, {}, *err);
    return report(engine, *o);
  }
  std::vector<std::string> argv = {*sbx_exec, "--bundle", bundle_dir, "--insecure-dev-unsigned"};
  argv.insert(argv.end(), launcher_args.begin(), launcher_args.end());
  return run_and_wait(argv);
}

}  // namespace polc::driver
