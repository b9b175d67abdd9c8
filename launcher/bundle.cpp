// Stage: launcher. The shared bundle reader's verdict turned into the launcher's refusals.
#include "launcher/bundle.h"

#include "launcher/errors.h"

namespace polc::launcher {

const Artifact* Bundle::find(std::string_view path) const {
  for (const Artifact& a : contents.files)
    if (!a.source && a.path == path) return &a;
  return nullptr;
}

const Artifact& Bundle::required(std::string_view path) const {
  if (const Artifact* a = find(path)) return *a;
  throw Failure(ExitCode::BundleInvalid,
                std::string(path) + " is not listed in manifest.json (bundle incomplete or not made by polc build)");
}

size_t Bundle::artifact_count() const {
  size_t n = 0;
  for (const Artifact& a : contents.files) n += a.source ? 0 : 1;
  return n;
}

Bundle read_bundle(const std::string& dir) {
  Bundle b{bundle::read_bundle(dir)};
  if (!b.contents.intact())
    throw Failure(ExitCode::BundleInvalid, "bundle " + dir + " is invalid: " + bundle::describe(b.contents.problems));
  return b;
}

}  // namespace polc::launcher
