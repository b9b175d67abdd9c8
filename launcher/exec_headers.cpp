// Stage: launcher. `#!` lines and ELF PT_INTERP, as the kernel reads them (exec_headers.h).
#include "launcher/exec_headers.h"

#include <array>
#include <climits>
#include <vector>

namespace polc::launcher {

namespace {

bool space_or_tab(char c) { return c == ' ' || c == '\t'; }
// Where binfmt_script ends the interpreter's name: a space, a tab, or a NUL.
bool terminator(char c) { return c == ' ' || c == '\t' || c == '\0'; }

}  // namespace

Shebang parse_shebang(std::string_view head) {
  Shebang result;
  if (head.size() < 2 || head[0] != '#' || head[1] != '!') return result;
  // The kernel's buffer: the first kExecHeaderBytes bytes, zero-filled beyond the file's end; its
  // last byte is never part of the line.
  std::array<char, kExecHeaderBytes> buf{};
  const size_t n = head.size() < buf.size() ? head.size() : buf.size();
  for (size_t i = 0; i < n; ++i) buf[i] = head[i];
  const size_t buf_end = buf.size() - 1;
  result.kind = Shebang::Kind::Malformed;

  size_t end = 0;  // one past the line's last byte
  size_t newline = 2;
  while (newline < buf.size() && buf[newline] != '\n') ++newline;
  if (newline < buf.size()) {
    end = newline;
  } else {
    // No newline in the buffer: the line is cut. The kernel accepts that only when the name is
    // followed by a terminator within it (only the argument is cut).
    size_t name = 2;
    while (name < buf_end && space_or_tab(buf[name])) ++name;
    if (name >= buf_end) {
      result.problem = "its #! line holds nothing but spaces";
      return result;
    }
    size_t after = name;
    while (after < buf_end && !terminator(buf[after])) ++after;
    if (after >= buf_end) {
      result.problem = "its #! interpreter's name is longer than the " + std::to_string(kExecHeaderBytes) +
                       " bytes the kernel reads";
      return result;
    }
    end = buf_end;
  }
  while (end > 2 && space_or_tab(buf[end - 1])) --end;
  size_t name = 2;
  while (name < end && space_or_tab(buf[name])) ++name;
  if (name >= end) {
    result.problem = "its #! line names no interpreter";
    return result;
  }
  size_t stop = name;
  while (stop < end && !terminator(buf[stop])) ++stop;
  result.kind = Shebang::Kind::Script;
  result.interpreter.assign(buf.data() + name, stop - name);
  return result;
}

namespace {

constexpr uint32_t kPtInterp = 3;
constexpr uint16_t kEtExec = 2;
constexpr uint16_t kEtDyn = 3;
// The program headers the kernel reads at most (load_elf_phdrs; it also stops at one page).
constexpr size_t kMaxProgramHeaderBytes = 65536;

// Reads exactly `size` bytes, or false.
bool read_exact(const ReadAt& read_at, uint64_t offset, void* into, size_t size) {
  return read_at(offset, into, size) == static_cast<long>(size);
}

struct Decoder {
  const unsigned char* bytes;
  bool little;
  uint64_t u(size_t at, size_t width) const {
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) {
      const unsigned char b = bytes[at + (little ? width - 1 - i : i)];
      value = (value << 8) | b;
    }
    return value;
  }
};

ElfInterp malformed(const std::string& problem) {
  ElfInterp result;
  result.kind = ElfInterp::Kind::Malformed;
  result.problem = problem;
  return result;
}

}  // namespace

ElfInterp parse_elf_interp(const ReadAt& read_at) {
  std::array<unsigned char, 64> header{};
  const long got = read_at(0, header.data(), header.size());
  if (got < 4 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') return {};
  if (got < 52) return malformed("its ELF header is cut short");
  const bool is64 = header[4] == 2;
  if (header[4] != 1 && !is64) return malformed("its ELF class is neither 32- nor 64-bit");
  if (header[5] != 1 && header[5] != 2) return malformed("its ELF byte order is unknown");
  if (is64 && got < 64) return malformed("its ELF header is cut short");
  const Decoder d{header.data(), header[5] == 1};
  const uint64_t type = d.u(16, 2);
  if (type != kEtExec && type != kEtDyn) return malformed("it is an ELF file but not an executable");
  const uint64_t phoff = is64 ? d.u(32, 8) : d.u(28, 4);
  const uint64_t phentsize = is64 ? d.u(54, 2) : d.u(42, 2);
  const uint64_t phnum = is64 ? d.u(56, 2) : d.u(44, 2);
  const size_t entry_size = is64 ? 56 : 32;
  if (phentsize != entry_size) return malformed("its ELF program header size is wrong");
  const uint64_t total = phnum * entry_size;
  if (total == 0 || total > kMaxProgramHeaderBytes) return malformed("its ELF program header count is out of range");
  std::vector<unsigned char> headers(static_cast<size_t>(total));
  if (!read_exact(read_at, phoff, headers.data(), headers.size()))
    return malformed("its ELF program headers lie beyond the file's end");
  const Decoder p{headers.data(), d.little};
  for (uint64_t i = 0; i < phnum; ++i) {
    const size_t at = static_cast<size_t>(i * entry_size);
    if (p.u(at, 4) != kPtInterp) continue;
    const uint64_t offset = is64 ? p.u(at + 8, 8) : p.u(at + 4, 4);
    const uint64_t filesz = is64 ? p.u(at + 32, 8) : p.u(at + 16, 4);
    // The kernel's bounds (load_elf_binary): a NUL-terminated path of at most PATH_MAX bytes.
    if (filesz < 2 || filesz > PATH_MAX) return malformed("its ELF interpreter's path has an impossible length");
    std::vector<char> path(static_cast<size_t>(filesz));
    if (!read_exact(read_at, offset, path.data(), path.size()))
      return malformed("its ELF interpreter's path lies beyond the file's end");
    if (path.back() != '\0') return malformed("its ELF interpreter's path is not NUL-terminated");
    ElfInterp result;
    result.kind = ElfInterp::Kind::Dynamic;
    result.interpreter.assign(path.data());  // up to the first NUL, as the kernel opens it
    if (result.interpreter.empty()) return malformed("its ELF interpreter's path is empty");
    return result;
  }
  ElfInterp result;
  result.kind = ElfInterp::Kind::Static;
  return result;
}

}  // namespace polc::launcher
