// Stage: driver. `polc trust init` and `polc trust add`: write and extend trust files (polc.trust/1,
// docs/bundle.md) from public key files, so nobody assembles the JSON by hand. A change that
// would weaken an existing file (a lower version floor, a key listed twice) is refused (E0816):
// the trust file is what a launcher's acceptance rests on.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "compiler/bundle/ed25519.h"
#include "compiler/bundle/trust_writer.h"
#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

struct PolicyFloor {
  std::string name;
  int64_t min_version = 0;
};

// NAME or NAME:MIN_VERSION, NAME a policy name as the language spells it.
std::optional<PolicyFloor> parse_policy_floor(const std::string& text) {
  const size_t colon = text.find(':');
  PolicyFloor p{text.substr(0, colon), 0};
  const auto ident_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (p.name.empty() || std::isdigit(static_cast<unsigned char>(p.name[0])) ||
      !std::all_of(p.name.begin(), p.name.end(), ident_char))
    return std::nullopt;
  if (colon != std::string::npos) {
    const std::string v = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), p.min_version);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || p.min_version < 0) return std::nullopt;
  }
  return p;
}

std::optional<unsigned> parse_threshold(const std::string& text) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

class TrustEditor {
 public:
  TrustEditor(diag::Engine& engine, diag::SourceManager& sources, std::string file)
      : engine_(engine), sources_(sources), file_(std::move(file)) {}

  // Reads NAME.pub (a PEM public key) and adds it, named NAME. False after reporting why not.
  bool add_key(bundle::Trust& trust, const std::string& path) {
    std::string error;
    const auto pem = read_small_file(path, error);
    std::optional<bundle::PublicKey> key;
    if (pem) key = bundle::public_key_from_pem(*pem, error);
    if (key && bundle::is_weak_public_key(*key)) {
      key.reset();
      error = "a point of small order or a non-canonical encoding, for which anyone could forge signatures";
    }
    if (!key) {
      engine_.report(diag::Code::KeyUnusable, at(path), "cannot use " + path + " as a public key: " + error)
          .with_help("give the NAME.pub file `polc keygen --out NAME` wrote");
      return false;
    }
    bundle::TrustedKey entry;
    entry.public_key = *key;
    entry.id = bundle::key_id(*key);
    entry.name = std::filesystem::path(path).stem().string();
    const auto same = std::find_if(trust.keys.begin(), trust.keys.end(),
                                   [&](const bundle::TrustedKey& k) { return k.id == entry.id; });
    if (same != trust.keys.end()) {
      engine_
          .report(diag::Code::TrustChangeRefused, at(path),
                  path + " is key " + entry.id.substr(0, 16) + ", which " + file_ + " already lists" +
                      (same->name.empty() ? "" : " as \"" + same->name + "\""))
          .with_help("each key counts once toward the threshold; leave this --key out");
      return false;
    }
    trust.keys.push_back(std::move(entry));
    return true;
  }

  // Adds the policy, or raises its floor. Lowering one is refused.
  bool set_floor(bundle::Trust& trust, const PolicyFloor& floor) {
    const auto it = trust.policies.find(floor.name);
    if (it != trust.policies.end() && floor.min_version < it->second.min_version) {
      engine_
          .report(diag::Code::TrustChangeRefused, at(file_),
                  "policy " + floor.name + " already has minimum version " + std::to_string(it->second.min_version) +
                      "; lowering it to " + std::to_string(floor.min_version) +
                      " would accept the older bundles it refuses")
          .with_help("a deliberate rollback is a reviewed edit of the trust file, not a `polc trust add`");
      return false;
    }
    trust.policies[floor.name].min_version = floor.min_version;
    return true;
  }

  bool check_threshold(const bundle::Trust& trust) {
    if (trust.threshold >= 1 && trust.threshold <= trust.keys.size()) return true;
    engine_
        .report(diag::Code::TrustChangeRefused, at(file_),
                "a threshold of " + std::to_string(trust.threshold) + " with " + std::to_string(trust.keys.size()) +
                    " key(s) listed: no bundle could ever be accepted")
        .with_help("give --threshold between 1 and the number of keys");
    return false;
  }

 private:
  diag::SourceRange at(const std::string& path) { return {sources_.add(path, ""), 0, 0}; }

  diag::Engine& engine_;
  diag::SourceManager& sources_;
  std::string file_;
};

int usage(const std::string& message) {
  std::cerr << "polc trust: " << message << "\n(see `polc trust --help`)\n";
  return kExitUsage;
}

}  // namespace

int cmd_trust(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "trust", {"--key=", "--policy=", "--threshold=", "-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.empty() || (o->files[0] != "init" && o->files[0] != "add"))
    return usage("say `polc trust init ... -o TRUST.json` or `polc trust add TRUST.json ...`");
  const bool init = o->files[0] == "init";
  const auto output = value_of(*o, "-o");
  if (init && (o->files.size() != 1 || !output))
    return usage("`polc trust init` writes a new file: give it with -o TRUST.json");
  if (!init && (o->files.size() != 2 || output))
    return usage("`polc trust add` changes one trust file in place: `polc trust add TRUST.json --key NAME.pub ...`");
  const std::string file = init ? *output : o->files[1];
  const std::vector<std::string> keys = values_of(*o, "--key");
  std::vector<PolicyFloor> floors;
  for (const std::string& p : values_of(*o, "--policy")) {
    auto floor = parse_policy_floor(p);
    if (!floor) return usage("--policy " + p + ": write NAME or NAME:MIN_VERSION (a policy name, a whole number)");
    floors.push_back(*floor);
  }
  std::optional<unsigned> threshold;
  if (const auto t = value_of(*o, "--threshold")) {
    threshold = parse_threshold(*t);
    if (!threshold) return usage("--threshold " + *t + ": give a whole number");
  }
  if (init && (keys.empty() || floors.empty()))
    return usage("`polc trust init` needs at least one --key NAME.pub and one --policy NAME[:MIN_VERSION]");
  if (!init && keys.empty() && floors.empty() && !threshold)
    return usage("nothing to add: give --key, --policy or --threshold");

  diag::SourceManager sources;
  diag::Engine engine(sources);
  bundle::Trust trust;
  if (!init) {
    auto existing = load_trust(engine, file);
    if (!existing) return report(engine, *o);
    trust = std::move(*existing);
  }
  TrustEditor editor(engine, sources, file);
  bool ok = true;
  for (const std::string& k : keys) ok = editor.add_key(trust, k) && ok;
  for (const PolicyFloor& f : floors) ok = editor.set_floor(trust, f) && ok;
  if (threshold) trust.threshold = *threshold;
  if (ok) ok = editor.check_threshold(trust);
  if (!ok) return report(engine, *o);

  const std::string text = bundle::trust_document(trust);
  // What is written must read back as the same trust (a polc bug otherwise, never a file a
  // launcher would misread).
  bundle::Problems problems;
  if (!bundle::parse_trust(text, file, problems) || !problems.empty())
    throw std::logic_error("the trust file polc trust made does not parse: " +
                           (problems.empty() ? std::string() : problems.front().message));
  WriteFileOptions options;
  options.replace = !init;  // init never replaces a file: that would drop its keys
  if (auto error = write_file_atomically(file, text, options)) {
    const bool exists = *error == file + " already exists";
    engine
        .report(diag::Code::TrustChangeRefused, {sources.add(file, ""), 0, 0},
                exists ? file + " already exists; `polc trust init` never replaces a trust file"
                       : "cannot write " + file + ": " + *error)
        .with_help(init ? "`polc trust init` makes a new file; extend an existing one with `polc trust add`"
                        : "check the path and its permissions");
    return report(engine, *o);
  }
  if (o->format == diag::Format::Human)
    std::cerr << "polc trust: wrote " << file << ": " << trust.keys.size() << " key(s), threshold " << trust.threshold
              << ", " << trust.policies.size() << " polic" << (trust.policies.size() == 1 ? "y" : "ies") << "\n";
  return report(engine, *o);
}

}  // namespace polc::driver
