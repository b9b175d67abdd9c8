// Stage: launcher (learning). What else the kernel opens to execute a file: the interpreter of a
// script's "#!" line, and the program interpreter (the dynamic loader) an ELF file names in
// PT_INTERP. Landlock checks execute (and read_file) on each of them, as on the file itself.
#pragma once

#include <optional>
#include <string>

namespace polc::record {

enum class InterpreterKind { Script, Elf };

struct Interpreter {
  InterpreterKind kind;
  std::string path;  // as the file names it (absolute for the kernel to accept it)
};

// The interpreter `path` (a resolved, existing file) asks for, if any. Reads at most a few pages,
// of a regular file only (a device or FIFO swapped in is never opened). `unreadable`, when
// given, is set when the file could not be read (this process may not read it, or it vanished):
// then what it asks for is unknown.
std::optional<Interpreter> interpreter_of(const std::string& path, bool* unreadable = nullptr);

}  // namespace polc::record
