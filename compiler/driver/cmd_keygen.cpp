// Stage: driver. `polc keygen --out NAME`: a new Ed25519 signing key, NAME.key (private, PKCS#8
// PEM, mode 0600) and NAME.pub (public, PEM), and on stdout the entry that puts it in a trust file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/encoding.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

// Creates `path` with `mode`, refusing to replace anything: overwriting a signing key by accident
// loses it for good.
std::optional<std::string> create_exclusive(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST) return path + " already exists; polc keygen never overwrites a key";
    return "cannot create " + path + ": " + std::strerror(errno);
  }
  // The umask may have narrowed the mode; the private key must be exactly 0600 either way.
  bool ok = fchmod(fd, mode) == 0;
  ok = ok && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    const std::string err = std::strerror(errno);
    unlink(path.c_str());
    return "cannot write " + path + ": " + err;
  }
  return std::nullopt;
}

}  // namespace

int cmd_keygen(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "keygen", {"--out="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  const auto out = value_of(*o, "--out");
  if (!out || out->empty() || !o->files.empty()) {
    std::cerr << "polc keygen: say where to write the key with --out NAME (writes NAME.key and NAME.pub)\n"
                 "(see `polc keygen --help`)\n";
    return kExitUsage;
  }
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const bundle::PrivateKey key = bundle::PrivateKey::generate();
  const std::string private_path = *out + ".key";
  const std::string public_path = *out + ".pub";
  auto fail = [&](const std::string& message, const std::string& at) {
    engine.report(diag::Code::KeyUnusable, {sources.add(at, ""), 0, 0}, message)
        .with_help("choose another --out NAME, or move the existing key away first");
    return report(engine, *o);
  };
  if (std::filesystem::exists(std::filesystem::symlink_status(public_path)))
    return fail(public_path + " already exists; polc keygen never overwrites a key", public_path);
  if (auto err = create_exclusive(private_path, key.to_pem(), 0600)) return fail(*err, private_path);
  if (auto err = create_exclusive(public_path, key.public_pem(), 0644)) {
    unlink(private_path.c_str());
    return fail(*err, public_path);
  }
  const bundle::PublicKey pub = key.public_key();
  const nlohmann::json entry = {{"id", bundle::key_id(pub)},
                                {"name", std::filesystem::path(*out).filename().string()},
                                {"public_key", bundle::base64_encode(pub.data(), pub.size())}};
  std::cout << entry.dump(2) << "\n";
  std::cerr << "polc keygen: wrote " << private_path << " (private, mode 0600; keep it secret) and " << public_path
            << "\npolc keygen: key id " << bundle::key_id(pub)
            << "\npolc keygen: the JSON above is this key's entry for a trust file's \"keys\" (docs/bundle.md)\n";
  return kExitOk;
}

}  // namespace polc::driver
