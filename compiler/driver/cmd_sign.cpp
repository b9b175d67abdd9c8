// Stage: driver. `polc sign BUNDLE --key KEY [--manifest-sha256 HEX]`: adds the key's Ed25519
// signature over the bundle's manifest to BUNDLE/signatures.json. A signature says "I reviewed
// these bytes", so it is only added to a bundle that is intact, not expired, and reproduced: its
// artifacts are byte-identical to what its sources compile to, the check `polc inspect` makes. With
// --manifest-sha256 (the digest the review page shows) it must also be the manifest reviewed, so
// a bundle changed between review and signing is refused.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <ctime>
#include <iostream>

#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/encoding.h"
#include "compiler/bundle/signatures.h"
#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/rebuild_check.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

// The signing key, or nullopt after reporting E0814. A key others can read is refused, as ssh
// does: whoever can read it can sign in its holder's name.
std::optional<bundle::PrivateKey> load_private_key(diag::Engine& engine, const std::string& path) {
  auto fail = [&](const std::string& message, const std::string& help) -> std::optional<bundle::PrivateKey> {
    engine.report(diag::Code::KeyUnusable, {engine.sources().add(path, ""), 0, 0}, message).with_help(help);
    return std::nullopt;
  };
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return fail("cannot read the key " + path, "create one with `polc keygen --out NAME`");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail("the private key " + path + " is readable by others (mode " + mode + ")", "chmod 600 " + path);
  }
  std::string error;
  const auto pem = read_small_file(path, error);
  if (!pem) return fail(error, "create one with `polc keygen --out NAME`");
  auto key = bundle::PrivateKey::from_pem(*pem, error);
  if (!key) return fail(path + " is " + error, "polc signs with unencrypted Ed25519 keys (`polc keygen --out NAME`)");
  return key;
}

}  // namespace

int cmd_sign(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "sign", {"--key=", "--manifest-sha256="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  const auto key_path = value_of(*o, "--key");
  if (o->files.size() != 1 || !key_path) {
    std::cerr << "polc sign: give one bundle directory and --key KEY\n(see `polc sign --help`)\n";
    return kExitUsage;
  }
  const std::string dir = o->files[0];
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const auto key = load_private_key(engine, *key_path);
  const auto contents = load_intact_bundle(engine, dir);
  if (!key || !contents) return report(engine, *o);
  const diag::SourceRange manifest_at{sources.add(dir + "/manifest.json", ""), 0, 0};
  if (const auto reviewed = value_of(*o, "--manifest-sha256"); reviewed && *reviewed != contents->manifest_sha256) {
    engine
        .report(
            diag::Code::BundleFileModified, manifest_at,
            "manifest.json is not the one reviewed: its SHA-256 is " + contents->manifest_sha256 + ", not " + *reviewed)
        .with_help("the bundle changed after it was reviewed (or the digest was mistyped): review it again");
    return report(engine, *o);
  }
  if (contents->expires_at && *contents->expires_at <= std::time(nullptr)) {
    engine
        .report(diag::Code::BundleExpired, manifest_at,
                "the bundle expired at " + *contents->manifest.expires + "; polc sign does not sign an expired bundle")
        .with_help("build, review and sign a new bundle");
    return report(engine, *o);
  }
  // The check `polc inspect` makes: the artifacts are what the sources a reviewer read compile to.
  const auto rebuilt = rebuild(engine, *contents);
  if (!rebuilt || !report_rebuild(engine, *contents, rebuilt->check)) return report(engine, *o);
  bundle::Signatures signatures{contents->manifest_sha256, {}};
  if (contents->signatures_bytes) {
    bundle::Problems problems;
    auto existing = bundle::parse_signatures(*contents->signatures_bytes, contents->manifest_sha256, problems);
    if (!existing) {
      report_problems(engine, problems, {dir, "", {{bundle::kSignaturesFile, *contents->signatures_bytes}}});
      return report(engine, *o);
    }
    signatures = std::move(*existing);
  }
  const bundle::PublicKey pub = key->public_key();
  const std::string id = bundle::key_id(pub);
  const bundle::SignatureBytes sig = key->sign(bundle::signing_message(contents->manifest_bytes));
  std::erase_if(signatures.entries, [&](const bundle::SignatureEntry& e) { return e.key_id == id; });
  signatures.entries.push_back({id, bundle::base64_encode(sig.data(), sig.size())});
  // A link planted at signatures.json is replaced, never written through (output_file.h).
  WriteFileOptions replace_links;
  replace_links.links = WriteFileOptions::Links::Replace;
  if (auto error = write_file_atomically(dir + "/" + bundle::kSignaturesFile, bundle::signatures_json(signatures),
                                         replace_links)) {
    engine.report(diag::Code::OutputNotWritten, {sources.add(dir + "/signatures.json", ""), 0, 0}, *error);
    return report(engine, *o);
  }
  std::cerr << "polc sign: signed " << contents->manifest.policy_name << " version "
            << contents->manifest.policy_version << " (manifest sha256 " << contents->manifest_sha256.substr(0, 16)
            << "...) with key " << id.substr(0, 16) << "...; signatures.json holds " << signatures.entries.size()
            << " signature" << (signatures.entries.size() == 1 ? "" : "s") << "\n";
  return report(engine, *o);
}

}  // namespace polc::driver
