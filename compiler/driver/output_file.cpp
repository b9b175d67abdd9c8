// Stage: driver. Atomic writes of single output files (see output_file.h).
#include "compiler/driver/output_file.h"

#include <filesystem>
#include <fstream>

namespace polc::driver {

namespace fs = std::filesystem;

bool write_file_atomically(const std::string& path, const std::string& text, std::string_view tmp_suffix,
                           std::string& error) {
  std::error_code ec;
  fs::path target = path;
  const fs::file_status link = fs::symlink_status(target, ec);
  if (fs::is_symlink(link)) {
    target = fs::weakly_canonical(target, ec);
    if (ec) {
      error = ec.message();
      return false;
    }
  }
  const fs::file_status st = fs::status(target, ec);
  const bool existed = fs::exists(st);
  const fs::path tmp = target.string() + std::string(tmp_suffix);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      error = "cannot create " + tmp.string();
      out.close();
      fs::remove(tmp, ec);
      return false;
    }
  }
  ec.clear();
  if (existed) fs::permissions(tmp, st.permissions(), ec);
  if (!ec) fs::rename(tmp, target, ec);
  if (ec) {
    error = ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace polc::driver
