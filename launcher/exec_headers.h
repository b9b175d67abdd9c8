// Stage: launcher. What the kernel reads from a file it is asked to execute: the `#!` line of a
// script (fs/binfmt_script.c) and the PT_INTERP path of an ELF executable (fs/binfmt_elf.c), parsed
// the way the kernel parses them, so that sbx-exec can name every file an exec opens (the
// command, its interpreters, the ELF loader) when it explains a refusal.
//
// Pure functions over bytes read by the caller, bounded, for a file the payload may have written:
// malformed input is a result that says so, never a crash or an unbounded read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace polc::launcher {

// The kernel reads this many bytes of a file to decide its format (BINPRM_BUF_SIZE).
inline constexpr size_t kExecHeaderBytes = 256;

// Interpreter swaps the kernel makes in one execve before it fails with ELOOP (exec_binprm's
// depth limit): the command plus at most five `#!` interpreters.
inline constexpr int kMaxInterpreterDepth = 5;

struct Shebang {
  enum class Kind {
    NotScript,  // does not start with "#!"
    Script,     // `interpreter` is the path the kernel opens next
    Malformed,  // starts with "#!" but the kernel refuses it (ENOEXEC); `problem` says why
  };
  Kind kind = Kind::NotScript;
  std::string interpreter;  // as written: absolute, or relative to the working directory
  std::string problem;
};

// `head` is the file's first bytes (at most kExecHeaderBytes are looked at; fewer when the file is
// shorter, the rest counting as NUL as in the kernel's zeroed buffer).
Shebang parse_shebang(std::string_view head);

struct ElfInterp {
  enum class Kind {
    NotElf,     // no ELF magic
    Static,     // an ELF without PT_INTERP: the kernel opens nothing else
    Dynamic,    // `interpreter` is the loader the kernel opens (with the execute check)
    Malformed,  // ELF magic, but headers the kernel would refuse or that could not be read
  };
  Kind kind = Kind::NotElf;
  std::string interpreter;
  std::string problem;
};

// Reads up to `size` bytes at `offset` into `into`; returns how many were read (short at the end
// of the file), or -1 on an error.
using ReadAt = std::function<long(uint64_t offset, void* into, size_t size)>;

// The ELF's PT_INTERP, read through `read_at` (a file's bytes): the ELF header, the program
// headers (at most 64 KiB, as the kernel allows) and the interpreter's path (at most PATH_MAX).
ElfInterp parse_elf_interp(const ReadAt& read_at);

}  // namespace polc::launcher
