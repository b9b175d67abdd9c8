// Stage: diagnostics. Turns the engine's diagnostics into text for people (file:line:col, the
// source line and a caret range), JSON for tools, and SARIF 2.1.0 for code-scanning services.
#pragma once

#include <string>
#include <string_view>

#include "compiler/diag/diagnostic.h"

namespace polc::diag {

enum class Format { Human, Json, Sarif };

// `docs_uri` is the URI of the directory that holds polc's installed documentation
// (file:///usr/share/doc/polc): SARIF's rules link their codes' sections of diagnostics.md there.
std::string render(const Engine& engine, Format format, std::string_view tool_version, std::string_view docs_uri);

std::string render_human(const Engine& engine);
std::string render_json(const Engine& engine);
std::string render_sarif(const Engine& engine, std::string_view tool_version, std::string_view docs_uri);

}  // namespace polc::diag
