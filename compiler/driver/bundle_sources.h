// Stage: driver. Where a policy's sources go in its bundle, and back: `polc build` places every
// source that shaped the policy under sources/, and `polc inspect` rebuilds the policy from
// exactly those files (never from the disk or polc's own standard library).
//
// Placement: the policy at sources/<its file name>; a file it imports at sources/<the import's
// path relative to the policy's directory>, each leading ".." spelled "_up"; a standard module
// std.a.b at sources/_std/a/b.sbx.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/manifest.h"
#include "compiler/sema/loader.h"

namespace polc::driver {

// `policy_file` is the root's path as given ("-" for standard input). Returns an error message
// when two sources would land on the same bundle path.
std::optional<std::string> place_sources(const std::vector<sema::LoadedSource>& loaded, const std::string& policy_file,
                                         std::vector<bundle::SourceFile>& out);

struct SourcesToRebuild {
  std::string policy_path;  // bundle path of the policy ("sources/python_agent.sbx")
  std::string policy_file;  // its file name, what the policy was built as
  std::string policy_text;
  sema::BundledSources imports;
};

// Reads the manifest's "sources" of an intact bundle. Returns an error message when they do
// not describe one policy and its imports.
std::optional<std::string> sources_to_rebuild(const bundle::BundleContents& bundle, SourcesToRebuild& out);

}  // namespace polc::driver
