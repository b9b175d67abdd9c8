// Stage: driver. `polc verify BUNDLE --trust TRUST.json`: the check a launcher makes before it
// applies a bundle, on its own: every file matches the manifest and nothing else is there, every
// signature is by a trusted key and verifies, enough distinct keys signed, the bundle has not
// expired and is not older than the trust file allows. Every failure is reported, not only the
// first.
#include <ctime>
#include <iostream>

#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

std::string key_label(const std::string& name, const std::string& id) {
  return (name.empty() ? "key" : name) + " (" + id.substr(0, 16) + ")";
}

void print_accepted(const bundle::BundleContents& b, const bundle::TrustReport* trust) {
  std::cout << "polc verify: " << b.manifest.policy_name << " version " << b.manifest.policy_version
            << (trust ? " is accepted" : " is intact") << "\n";
  std::cout << "  files       " << b.files.size() << " match manifest.json (sha256 " << b.manifest_sha256 << ")\n";
  std::cout << "  expires     " << (b.manifest.expires ? *b.manifest.expires : "never") << "\n";
  if (trust == nullptr) {
    std::cout << "  signatures  NOT CHECKED (--integrity-only): this says nothing about who approved it\n";
    return;
  }
  std::string signed_by, missing;
  for (const bundle::SignerStatus& s : trust->signers)
    (s.state == bundle::SignerStatus::State::Signed ? signed_by : missing) +=
        (s.state == bundle::SignerStatus::State::Signed ? signed_by : missing).empty()
            ? key_label(s.name, s.key_id)
            : ", " + key_label(s.name, s.key_id);
  std::cout << "  signed by   " << signed_by << ": " << trust->valid_signers << " distinct trusted keys, threshold "
            << trust->threshold << " (" << trust->trust_file << ")\n";
  if (!missing.empty()) std::cout << "  not signed  " << missing << "\n";
  std::cout << "  version     " << b.manifest.policy_version << ", the trust file's minimum is "
            << trust->min_version.value_or(0) << "\n";
}

}  // namespace

int cmd_verify(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "verify", {"--trust=", "--integrity-only"}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  const auto trust_path = value_of(*o, "--trust");
  const bool integrity_only = has_flag(*o, "--integrity-only");
  if (o->files.size() != 1 || trust_path.has_value() == integrity_only) {
    std::cerr << "polc verify: give one bundle directory and either --trust TRUST.json or --integrity-only\n"
                 "(see `polc verify --help`)\n";
    return kExitUsage;
  }
  const std::string dir = o->files[0];
  diag::SourceManager sources;
  diag::Engine engine(sources);
  std::optional<bundle::Trust> trust;
  if (trust_path) {
    trust = load_trust(engine, *trust_path);
    if (!trust) return report(engine, *o);
  }
  const auto contents = load_intact_bundle(engine, dir);
  if (!contents) return report(engine, *o);
  if (!trust) {
    const int status = report(engine, *o);
    if (o->format == diag::Format::Human) print_accepted(*contents, nullptr);
    return status;
  }
  const bundle::TrustReport verdict = bundle::evaluate_trust(*contents, *trust, std::time(nullptr));
  std::map<std::string, std::string> texts{{bundle::kManifestFile, contents->manifest_bytes}};
  if (contents->signatures_bytes) texts[bundle::kSignaturesFile] = *contents->signatures_bytes;
  report_problems(engine, verdict.problems, {dir, *trust_path, texts});
  const int status = report(engine, *o);
  if (verdict.accepted() && o->format == diag::Format::Human) print_accepted(*contents, &verdict);
  return status;
}

}  // namespace polc::driver
