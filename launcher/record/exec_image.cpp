// Stage: launcher (learning). "#!" lines and ELF PT_INTERP (exec_image.h).
#include "launcher/record/exec_image.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "compiler/posix/unique_fd.h"

namespace polc::record {

namespace {

// The kernel reads at most this much of a "#!" line (BINPRM_BUF_SIZE).
constexpr size_t kShebangBytes = 256;
constexpr size_t kMaxInterpreterPath = 4096;
constexpr unsigned kMaxProgramHeaders = 256;

std::optional<Interpreter> script_interpreter(const char* buffer, size_t n) {
  std::string line(buffer + 2, n - 2);
  line = line.substr(0, line.find('\n'));
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  const size_t end = line.find_first_of(" \t", start);
  return Interpreter{InterpreterKind::Script, line.substr(start, end == std::string::npos ? end : end - start)};
}

template <typename Ehdr, typename Phdr>
std::optional<Interpreter> elf_interpreter(int fd) {
  Ehdr header{};
  if (pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return std::nullopt;
  if (header.e_phentsize != sizeof(Phdr) || header.e_phnum > kMaxProgramHeaders) return std::nullopt;
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Phdr ph{};
    const off_t at = static_cast<off_t>(header.e_phoff + i * sizeof(Phdr));
    if (pread(fd, &ph, sizeof ph, at) != static_cast<ssize_t>(sizeof ph)) return std::nullopt;
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_filesz < 2 || ph.p_filesz > kMaxInterpreterPath) return std::nullopt;
    std::string path(static_cast<size_t>(ph.p_filesz), '\0');
    if (pread(fd, path.data(), path.size(), static_cast<off_t>(ph.p_offset)) != static_cast<ssize_t>(path.size()))
      return std::nullopt;
    path.resize(std::strlen(path.c_str()));
    return Interpreter{InterpreterKind::Elf, path};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Interpreter> interpreter_of(const std::string& path, bool* unreadable) {
  // The path is the workload's to change: it may be a device node by now. Held first without
  // opening what it names (O_PATH), read only once it is known to be a regular file: nothing else
  // is ever opened, with this process's privileges.
  UniqueFd held(open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st{};
  if (!held.valid() || fstat(held.get(), &st) != 0) {
    if (unreadable) *unreadable = true;
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;  // the kernel executes regular files only
  const std::string reopen = "/proc/self/fd/" + std::to_string(held.get());
  UniqueFd fd(open(reopen.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    if (unreadable) *unreadable = true;
    return std::nullopt;
  }
  char buffer[kShebangBytes];
  const ssize_t n = pread(fd.get(), buffer, sizeof buffer, 0);
  if (n >= 2 && buffer[0] == '#' && buffer[1] == '!') return script_interpreter(buffer, static_cast<size_t>(n));
  if (n < EI_NIDENT || std::memcmp(buffer, ELFMAG, SELFMAG) != 0) return std::nullopt;
  if (buffer[EI_CLASS] == ELFCLASS64) return elf_interpreter<Elf64_Ehdr, Elf64_Phdr>(fd.get());
  if (buffer[EI_CLASS] == ELFCLASS32) return elf_interpreter<Elf32_Ehdr, Elf32_Phdr>(fd.get());
  return std::nullopt;
}

}  // namespace polc::record
