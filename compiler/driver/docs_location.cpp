// Stage: driver. Where polc's documentation is installed (CMake's CMAKE_INSTALL_FULL_DOCDIR, given
// as POLC_DOCS_DIR to this file alone, so that another install prefix recompiles only it), as
// the file: URI that SARIF's rules link to.
#include <string>

#include "compiler/driver/commands.h"

#ifndef POLC_DOCS_DIR
#error "POLC_DOCS_DIR (the installed documentation's directory) must be defined"
#endif

namespace polc::driver {

namespace {

// RFC 3986: a path's unreserved characters and '/' stay, every other byte is %XX.
std::string file_uri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (const unsigned char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                       c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  return uri;
}

}  // namespace

std::string_view docs_uri() {
  static const std::string uri = file_uri(POLC_DOCS_DIR);
  return uri;
}

}  // namespace polc::driver
