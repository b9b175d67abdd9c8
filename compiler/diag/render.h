// Stage: diagnostics. Turns the engine's diagnostics into text for people (file:line:col, the
// source line and a caret range), JSON for tools, and SARIF 2.1.0 for code-scanning services.
#pragma once

#include <string>
#include <string_view>

#include "compiler/diag/diagnostic.h"

namespace polc::diag {

enum class Format { Human, Json, Sarif };

std::string render(const Engine& engine, Format format, std::string_view tool_version);

std::string render_human(const Engine& engine);
std::string render_json(const Engine& engine);
std::string render_sarif(const Engine& engine, std::string_view tool_version);

}  // namespace polc::diag
