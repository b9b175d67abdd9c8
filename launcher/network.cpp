// Stage: launcher. Network namespaces (unshare/setns), loopback, and nft in a child process.
#include "launcher/network.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

[[noreturn]] void network_failed(const std::string& message) { throw Failure(ExitCode::NetworkFailed, message); }

void bring_loopback_up() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) network_failed("cannot open a socket to configure loopback: " + errno_text(errno));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  if (ok) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
    ok = ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  }
  int err = errno;
  close(fd);
  if (!ok) network_failed("cannot bring loopback up in the new network namespace: " + errno_text(err));
}

// Runs `nft -f` on the verified script. The script goes through a sealed memory file, not the
// bundle path, so nft loads exactly the bytes whose digest was checked. The child inherits the
// namespace the launcher is in now.
void load_nftables(const std::string& script) {
  std::string nft = nft_binary();
  if (nft.empty()) network_failed("nft not found (/usr/sbin/nft, /sbin/nft): cannot apply nftables.nft");

  int memfd = memfd_create("nftables.nft", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0) network_failed("memfd_create failed: " + errno_text(errno));
  size_t written = 0;
  while (written < script.size()) {
    ssize_t n = write(memfd, script.data() + written, script.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(memfd);
      network_failed("cannot stage nftables.nft: " + errno_text(err));
    }
    written += static_cast<size_t>(n);
  }
  fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);

  // nft reads the script by path; /proc/self/fd/3 in the child is the memory file.
  pid_t child = fork();
  if (child < 0) {
    int err = errno;
    close(memfd);
    network_failed("fork for nft failed: " + errno_text(err));
  }
  if (child == 0) {
    // Only async-signal-safe calls here. stdout goes to stderr so a dry-run-like caller's
    // stdout stays the payload's.
    // dup2 onto itself would keep close-on-exec, so that case clears the flag explicitly.
    if (memfd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(memfd, 3) < 0) _exit(126);
    dup2(2, 1);
    lseek(3, 0, SEEK_SET);
    char* const argv[] = {const_cast<char*>(nft.c_str()), const_cast<char*>("-f"), const_cast<char*>("/proc/self/fd/3"),
                          nullptr};
    char* const envp[] = {const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nullptr};
    execve(nft.c_str(), argv, envp);
    _exit(127);
  }
  close(memfd);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) network_failed("waiting for nft failed: " + errno_text(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status))
    network_failed(nft + " -f nftables.nft failed with exit status " + std::to_string(WEXITSTATUS(status)) +
                   " (its messages are above)");
  network_failed(nft + " -f nftables.nft was killed by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace

std::string nft_binary() {
  for (const char* candidate : {"/usr/sbin/nft", "/sbin/nft"})
    if (access(candidate, X_OK) == 0) return candidate;
  return {};
}

bool has_cap_sys_admin() {
  // CapEff in /proc/self/status avoids linking libcap for one bit.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
    return (caps >> 21) & 1;  // CAP_SYS_ADMIN
  }
  return false;
}

void setup_network(NetworkMode mode, const std::string& netns_name, const std::string& nft_script) {
  switch (mode) {
    case NetworkMode::EnforcedExternally: return;
    case NetworkMode::NewNamespace:
      if (unshare(CLONE_NEWNET) != 0)
        network_failed("cannot create a network namespace (--netns needs CAP_SYS_ADMIN): " + errno_text(errno));
      bring_loopback_up();
      break;
    case NetworkMode::JoinNamespace: {
      std::string path = "/run/netns/" + netns_name;
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) network_failed("cannot open network namespace " + path + ": " + errno_text(errno));
      int rc = setns(fd, CLONE_NEWNET);
      int err = errno;
      close(fd);
      if (rc != 0) network_failed("cannot join network namespace " + path + ": " + errno_text(err));
      break;
    }
  }
  load_nftables(nft_script);
}

}  // namespace polc::launcher
