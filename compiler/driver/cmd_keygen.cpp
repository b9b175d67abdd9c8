// Stage: driver. `polc keygen --out NAME`: a new Ed25519 signing key, NAME.key (private, PKCS#8
// PEM, mode 0600) and NAME.pub (public, PEM), and on stdout the entry that puts it in a trust file.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/encoding.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

// Creates `path` with exactly `mode` (whatever the umask), refusing to replace anything, a link
// included: overwriting a signing key by accident loses it for good. Written as every polc output
// is (output_file.h): a temporary beside it, then a rename that refuses an existing name, so a
// key is never seen half-written.
std::optional<std::string> create_exclusive(const std::string& path, const std::string& text, mode_t mode) {
  WriteFileOptions options;
  options.new_mode = mode;
  options.apply_umask = false;
  options.replace = false;
  options.links = WriteFileOptions::Links::Replace;  // with replace = false: a link at the name is refused
  auto error = write_file_atomically(path, text, options);
  if (error && *error == path + " already exists") return path + " already exists; polc keygen never overwrites a key";
  return error;
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
