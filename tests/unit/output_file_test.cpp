// Unit tests of the one helper through which polc writes files beside a user's files
// (compiler/driver/output_file.h) and of the build temporary directories (build_temp_dirs.h).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/build_temp_dirs.h"
#include "compiler/driver/output_file.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace polc::driver;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

size_t entries(const fs::path& dir) { return static_cast<size_t>(std::distance(fs::directory_iterator(dir), {})); }

}  // namespace

TEST_CASE("write_file_atomically: a new file, then a replacement that keeps the mode") {
  polc::test::TempDir t("polc-output");
  const fs::path f = fs::path(t.path()) / "out.txt";
  CHECK_FALSE(write_file_atomically(f.string(), "one"));
  CHECK(slurp(f) == "one");
  CHECK((mode_of(f) & 0177) == (0644 & 0177 & mode_of(f)));  // at most 0644, narrowed by the umask
  chmod(f.c_str(), 0600);
  CHECK_FALSE(write_file_atomically(f.string(), "two"));
  CHECK(slurp(f) == "two");
  CHECK(mode_of(f) == 0600);
  CHECK(entries(t.path()) == 1);  // no temporary left
}

TEST_CASE("write_file_atomically: a link planted at a temporary-looking name is never opened") {
  polc::test::TempDir t("polc-output");
  const fs::path victim = fs::path(t.path()) / "victim";
  std::ofstream(victim) << "SECRET";
  chmod(victim.c_str(), 0600);
  // Every fixed name an earlier version used, and a name of the new form.
  for (const char* n : {"out.txt.polc-test.tmp", "out.txt.polc-import.tmp", ".out.txt.polc-tmp-AAAAAAAAAAAA"})
    fs::create_symlink(victim, fs::path(t.path()) / n);
  CHECK_FALSE(write_file_atomically((fs::path(t.path()) / "out.txt").string(), "new"));
  CHECK(slurp(victim) == "SECRET");
  CHECK(mode_of(victim) == 0600);
  CHECK(slurp(fs::path(t.path()) / "out.txt") == "new");
}

TEST_CASE("write_file_atomically: the caller's own link is followed; Links::Replace replaces the link") {
  polc::test::TempDir t("polc-output");
  const fs::path real = fs::path(t.path()) / "real.txt", link = fs::path(t.path()) / "link.txt";
  std::ofstream(real) << "old";
  chmod(real.c_str(), 0640);
  fs::create_symlink(real, link);
  CHECK_FALSE(write_file_atomically(link.string(), "followed"));
  CHECK(fs::is_symlink(link));
  CHECK(slurp(real) == "followed");
  CHECK(mode_of(real) == 0640);
  WriteFileOptions replace;
  replace.links = WriteFileOptions::Links::Replace;
  CHECK_FALSE(write_file_atomically(link.string(), "replaced", replace));
  CHECK_FALSE(fs::is_symlink(link));
  CHECK(slurp(link) == "replaced");
  CHECK(slurp(real) == "followed");
}

TEST_CASE("write_file_atomically: refusals leave nothing behind") {
  polc::test::TempDir t("polc-output");
  fs::create_directory(fs::path(t.path()) / "dir");
  CHECK(write_file_atomically((fs::path(t.path()) / "dir").string(), "x"));  // not a regular file
  std::ofstream(fs::path(t.path()) / "key") << "keep";
  WriteFileOptions exclusive;
  exclusive.replace = false;
  CHECK(write_file_atomically((fs::path(t.path()) / "key").string(), "x", exclusive));
  CHECK(slurp(fs::path(t.path()) / "key") == "keep");
  CHECK(write_file_atomically((fs::path(t.path()) / "missing" / "f").string(), "x"));
  CHECK(entries(t.path()) == 2);  // dir and key: no temporary
  WriteFileOptions exact;
  exact.new_mode = 0600;
  exact.apply_umask = false;
  exact.replace = false;
  CHECK_FALSE(write_file_atomically((fs::path(t.path()) / "new.key").string(), "k", exact));
  CHECK(mode_of(fs::path(t.path()) / "new.key") == 0600);
}

TEST_CASE("build temporary directories: only unlocked ones of the exact form are removed") {
  polc::test::TempDir t("polc-output");
  const int parent = open(t.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(parent >= 0);
  CHECK(is_build_temp_name(".out.tmp-Ab12Cd", "out"));
  CHECK_FALSE(is_build_temp_name(".out.tmp-Ab12C", "out"));
  CHECK_FALSE(is_build_temp_name(".out.tmp-Ab12C/", "out"));
  CHECK_FALSE(is_build_temp_name(".other.tmp-Ab12Cd", "out"));
  std::string error;
  auto live = create_build_temp_dir(parent, "out", error);
  REQUIRE(live);
  CHECK(mode_of(fs::path(t.path()) / live->entry) == 0755);
  fs::create_directories(fs::path(t.path()) / ".out.tmp-Stale1" / "sources");
  std::ofstream(fs::path(t.path()) / ".out.tmp-Stale1" / "sources" / "f") << "partial";
  CHECK(remove_stale_build_dirs(parent, "out") == 1);  // the stale one; the live one is locked
  CHECK_FALSE(fs::exists(fs::path(t.path()) / ".out.tmp-Stale1"));
  CHECK(fs::is_directory(fs::path(t.path()) / live->entry));
  const std::string entry = live->entry;
  live.reset();  // the build "dies": its lock goes with the descriptor
  CHECK(remove_stale_build_dirs(parent, "out") == 1);
  CHECK_FALSE(fs::exists(fs::path(t.path()) / entry));
  close(parent);
}
