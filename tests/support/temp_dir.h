// Test support: a fresh directory under $TMPDIR (or /tmp), removed with everything in it when the
// object goes away. Removal never follows a symbolic link out of the directory, so a test whose
// payload planted links cannot make the cleanup delete anything else. The path is canonical
// (realpath), because several tests compare it with paths the kernel reports.
#pragma once

#include <stdlib.h>

#include <climits>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace polc::test {

class TempDir {
 public:
  // `prefix` names the directory (/tmp/<prefix>-XXXXXX), so a leftover says which test made it.
  explicit TempDir(std::string_view prefix = "polc-test") {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    char real[PATH_MAX];
    path_ = realpath(pattern.c_str(), real) != nullptr ? std::string(real) : pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);  // removes links, never follows them
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace polc::test
