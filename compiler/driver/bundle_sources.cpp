// Stage: driver. Bundle source placement and its inverse (see bundle_sources.h).
#include "compiler/driver/bundle_sources.h"

#include <filesystem>
#include <set>

namespace polc::driver {

namespace {

std::string spell_up(const std::string& relative) {
  std::string out;
  for (const auto& part : std::filesystem::path(relative)) {
    if (!out.empty()) out += "/";
    out += part == ".." ? "_up" : part.string();
  }
  return out;
}

}  // namespace

std::optional<std::string> place_sources(const std::vector<sema::LoadedSource>& loaded, const std::string& policy_file,
                                         std::vector<bundle::SourceFile>& out) {
  std::set<std::string> taken;
  for (const sema::LoadedSource& s : loaded) {
    bundle::SourceFile f;
    f.text = s.text;
    f.shown = s.shown;
    f.module = s.module;
    switch (s.role) {
      case sema::LoadedSource::Role::Policy: {
        const std::string name =
            policy_file == "-" ? "stdin.sbx" : std::filesystem::path(policy_file).filename().string();
        f.role = "policy";
        f.path = "sources/" + name;
        break;
      }
      case sema::LoadedSource::Role::Stdlib: {
        std::string rel = s.module.substr(4);  // after "std."
        for (char& c : rel)
          if (c == '.') c = '/';
        f.role = "stdlib";
        f.path = "sources/_std/" + rel + ".sbx";
        break;
      }
      case sema::LoadedSource::Role::Local:
        f.role = "local";
        f.import = s.relative;
        f.path = "sources/" + spell_up(s.relative);
        break;
    }
    if (!taken.insert(f.path).second)
      return "two sources would be stored as " + f.path + " in the bundle; rename one of them";
    out.push_back(std::move(f));
  }
  return std::nullopt;
}

std::optional<std::string> sources_to_rebuild(const bundle::BundleContents& bundle, SourcesToRebuild& out) {
  bool have_policy = false;
  for (const bundle::ManifestSource& entry : bundle.manifest.sources) {
    const std::string& path = entry.path;
    const std::string& role = entry.role;
    const bundle::BundleFile* file = bundle.find(path);
    if (file == nullptr) return "manifest.json lists source " + path + " without its file";
    if (role == "policy" && !have_policy) {
      have_policy = true;
      out.policy_path = path;
      out.policy_file = std::filesystem::path(path).filename().string();
      out.policy_text = file->bytes;
    } else if (role == "stdlib" && entry.module.rfind("std.", 0) == 0) {
      out.imports.stdlib[entry.module] = {path, file->bytes};
    } else if (role == "local" && !entry.import.empty()) {
      out.imports.files[entry.import] = {path, file->bytes};
    } else {
      return "manifest.json: source " + path + " has an unknown or second \"" + role + "\" role";
    }
  }
  if (!have_policy) return "manifest.json lists no policy source";
  return std::nullopt;
}

}  // namespace polc::driver
