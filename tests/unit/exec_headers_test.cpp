// Unit tests of what sbx-exec reads from a file it explains an exec of (launcher/exec_headers.h):
// `#!` lines parsed as fs/binfmt_script.c parses them, and PT_INTERP as fs/binfmt_elf.c finds it,
// with malformed input of every kind (cut, oversized, out of range, random bytes) giving a
// result that says so, never a crash or a read out of bounds.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "launcher/exec_headers.h"

using polc::launcher::ElfInterp;
using polc::launcher::kExecHeaderBytes;
using polc::launcher::parse_elf_interp;
using polc::launcher::parse_shebang;
using polc::launcher::ReadAt;
using polc::launcher::Shebang;

namespace {

// A ReadAt over bytes in memory that fails the test on any read it was not meant to allow.
ReadAt reader(const std::vector<unsigned char>& file) {
  return [&file](uint64_t offset, void* into, size_t size) -> long {
    if (offset >= file.size()) return 0;
    const size_t n = std::min<uint64_t>(size, file.size() - offset);
    std::memcpy(into, file.data() + offset, n);
    return static_cast<long>(n);
  };
}

void put(std::vector<unsigned char>& bytes, size_t at, uint64_t value, size_t width) {
  if (bytes.size() < at + width) bytes.resize(at + width);
  for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<unsigned char>(value >> (8 * i));  // little-endian
}

// A little-endian ELF64 executable with `phnum` program headers, the first PT_INTERP naming
// `interp` (with its NUL) when given.
std::vector<unsigned char> elf64(const std::string* interp, uint16_t phnum = 2) {
  std::vector<unsigned char> f(64, 0);
  f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
  put(f, 16, 3, 2);      // ET_DYN
  put(f, 32, 64, 8);     // e_phoff
  put(f, 54, 56, 2);     // e_phentsize
  put(f, 56, phnum, 2);  // e_phnum
  const size_t strings = 64 + 56 * phnum;
  f.resize(strings, 0);
  for (uint16_t i = 0; i < phnum; ++i) {
    const size_t at = 64 + 56 * i;
    put(f, at, i == 1 && interp ? 3 : 1, 4);  // PT_INTERP second, PT_LOAD otherwise
    if (i == 1 && interp) {
      put(f, at + 8, strings, 8);
      put(f, at + 32, interp->size() + 1, 8);
    }
  }
  if (interp) {
    f.resize(strings + interp->size() + 1, 0);
    std::memcpy(f.data() + strings, interp->data(), interp->size());
  }
  return f;
}

}  // namespace

TEST_CASE("#! lines as the kernel reads them") {
  CHECK(parse_shebang("").kind == Shebang::Kind::NotScript);
  CHECK(parse_shebang("#").kind == Shebang::Kind::NotScript);
  CHECK(parse_shebang("\x7f"
                      "ELF")
            .kind == Shebang::Kind::NotScript);
  CHECK(parse_shebang("# !/bin/sh\n").kind == Shebang::Kind::NotScript);

  Shebang s = parse_shebang("#!/usr/bin/python3.11\nprint(1)\n");
  CHECK(s.kind == Shebang::Kind::Script);
  CHECK(s.interpreter == "/usr/bin/python3.11");
  // Spaces and tabs before the name, an argument after it, a CR kept as part of the name (the
  // kernel does not strip it: such a script fails with ENOENT).
  CHECK(parse_shebang("#! \t/bin/sh -e\n").interpreter == "/bin/sh");
  CHECK(parse_shebang("#!/usr/bin/env python3\n").interpreter == "/usr/bin/env");
  CHECK(parse_shebang("#!/bin/sh\r\n").interpreter == "/bin/sh\r");
  CHECK(parse_shebang("#!relative/interp\n").interpreter == "relative/interp");
  // Without a newline (a file of just the line).
  CHECK(parse_shebang("#!/bin/sh").interpreter == "/bin/sh");
  // A NUL ends the name.
  CHECK(parse_shebang(std::string("#!/bin/sh\0junk\n", 15)).interpreter == "/bin/sh");

  CHECK(parse_shebang("#!\n").kind == Shebang::Kind::Malformed);
  CHECK(parse_shebang("#!   \t \n").kind == Shebang::Kind::Malformed);
  // A NUL right after "#!" (or a short file of "#!" and spaces) names the empty path, which the
  // kernel tries to open (ENOENT) rather than refusing the format.
  Shebang empty_name = parse_shebang(std::string("#!\0/bin/sh\n", 11));
  CHECK(empty_name.kind == Shebang::Kind::Script);
  CHECK(empty_name.interpreter.empty());
  CHECK(parse_shebang("#!   ").kind == Shebang::Kind::Script);
  CHECK(parse_shebang("#!   ").interpreter.empty());
  CHECK(parse_shebang("#!" + std::string(400, ' ')).kind == Shebang::Kind::Malformed);
  // A name that runs past the 256 bytes the kernel reads is refused; an argument that does is cut.
  Shebang long_name = parse_shebang("#!/" + std::string(300, 'a') + "\n");
  CHECK(long_name.kind == Shebang::Kind::Malformed);
  CHECK(long_name.problem.find("256") != std::string::npos);
  Shebang long_arg = parse_shebang("#!/bin/sh " + std::string(300, 'a') + "\n");
  CHECK(long_arg.kind == Shebang::Kind::Script);
  CHECK(long_arg.interpreter == "/bin/sh");
  // A name that ends exactly at the buffer's last byte is cut as well.
  CHECK(parse_shebang("#!" + std::string(kExecHeaderBytes - 2, 'b')).kind == Shebang::Kind::Malformed);
  CHECK(parse_shebang("#!" + std::string(kExecHeaderBytes - 4, 'b') + " ").interpreter.size() == kExecHeaderBytes - 4);
}

TEST_CASE("PT_INTERP of ELF executables") {
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  std::vector<unsigned char> dynamic = elf64(&loader);
  ElfInterp e = parse_elf_interp(reader(dynamic));
  CHECK(e.kind == ElfInterp::Kind::Dynamic);
  CHECK(e.interpreter == loader);

  std::vector<unsigned char> fixed = elf64(nullptr);
  CHECK(parse_elf_interp(reader(fixed)).kind == ElfInterp::Kind::Static);

  std::vector<unsigned char> text = {'#', '!', '/', 'b'};
  CHECK(parse_elf_interp(reader(text)).kind == ElfInterp::Kind::NotElf);
  std::vector<unsigned char> empty;
  CHECK(parse_elf_interp(reader(empty)).kind == ElfInterp::Kind::NotElf);
}

TEST_CASE("malformed ELF headers are reported, never followed") {
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  auto kind_of = [](const std::vector<unsigned char>& f) { return parse_elf_interp(reader(f)).kind; };
  const std::vector<unsigned char> good = elf64(&loader);

  std::vector<unsigned char> cut(good.begin(), good.begin() + 20);
  CHECK(kind_of(cut) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> bad_class = good;
  bad_class[4] = 9;
  CHECK(kind_of(bad_class) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> relocatable = good;
  put(relocatable, 16, 1, 2);  // ET_REL
  CHECK(kind_of(relocatable) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> entsize = good;
  put(entsize, 54, 57, 2);
  CHECK(kind_of(entsize) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> none = good;
  put(none, 56, 0, 2);
  CHECK(kind_of(none) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> too_many = good;
  put(too_many, 56, 0xffff, 2);  // 3.5 MiB of headers: more than the kernel reads
  CHECK(kind_of(too_many) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> far = good;
  put(far, 32, ~uint64_t{0} - 8, 8);  // e_phoff at the end of the address space
  CHECK(kind_of(far) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> huge_path = good;
  put(huge_path, 64 + 56 + 32, uint64_t{1} << 40, 8);
  CHECK(kind_of(huge_path) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> short_path = good;
  put(short_path, 64 + 56 + 32, 1, 8);
  CHECK(kind_of(short_path) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> beyond = good;
  put(beyond, 64 + 56 + 8, good.size() - 3, 8);  // the path starts 3 bytes before the end
  CHECK(kind_of(beyond) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> unterminated = good;
  unterminated.back() = 'x';
  CHECK(kind_of(unterminated) == ElfInterp::Kind::Malformed);
  std::vector<unsigned char> empty_path = good;
  empty_path[64 + 56 * 2] = '\0';
  CHECK(kind_of(empty_path) == ElfInterp::Kind::Malformed);
  // A reader that fails is a malformed file, not a crash.
  ReadAt failing = [&good](uint64_t offset, void* into, size_t size) -> long {
    if (offset != 0) return -1;
    std::memcpy(into, good.data(), std::min(size, good.size()));
    return static_cast<long>(std::min(size, good.size()));
  };
  CHECK(parse_elf_interp(failing).kind == ElfInterp::Kind::Malformed);
}

TEST_CASE("random bytes never crash the parsers") {
  // Deterministic: a fixed seed, and both parsers over every prefix-mutated file.
  std::mt19937_64 random(20261206);
  const std::string loader = "/lib/ld.so";
  const std::vector<unsigned char> base = elf64(&loader, 3);
  for (int round = 0; round < 20000; ++round) {
    std::vector<unsigned char> f = base;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) f[random() % f.size()] = static_cast<unsigned char>(random());
    if (random() % 4 == 0) f.resize(random() % (f.size() + 1));
    const ElfInterp e = parse_elf_interp(reader(f));
    if (e.kind == ElfInterp::Kind::Dynamic) {
      CHECK(!e.interpreter.empty());
      CHECK(e.interpreter.size() < f.size());
    }
    std::string head(f.begin(), f.end());
    if (round % 2) head = "#!" + head;
    const Shebang s = parse_shebang(head);
    if (s.kind == Shebang::Kind::Script) {
      CHECK(s.interpreter.size() < kExecHeaderBytes);
      CHECK(s.interpreter.find('\0') == std::string::npos);
    }
  }
}
