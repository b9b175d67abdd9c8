// Stage: driver. The polc command line: one function per verb, each named with its help text in
// the verb table (verbs.h). Each returns the process exit status: 0 success, 1 the input has errors
// (or `fmt --check` found unformatted files), 2 usage.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace polc::driver {

inline constexpr int kExitOk = 0;
inline constexpr int kExitErrors = 1;
inline constexpr int kExitUsage = 2;

using Args = std::vector<std::string>;

int cmd_check(const Args& args);
int cmd_build(const Args& args);
int cmd_eval(const Args& args);
int cmd_test(const Args& args);
int cmd_diff(const Args& args);
int cmd_learn(const Args& args);
int cmd_fmt(const Args& args);
int cmd_ir(const Args& args);
int cmd_import(const Args& args);
int cmd_explain(const Args& args);
int cmd_keygen(const Args& args);
int cmd_run(const Args& args);
int cmd_trust(const Args& args);
int cmd_sign(const Args& args);
int cmd_verify(const Args& args);
int cmd_inspect(const Args& args);
int cmd_help(const Args& args);

std::string_view version();
// The file: URI of the installed documentation's directory (docs_location.cpp).
std::string_view docs_uri();

// Prints the help text of `verb` to stdout: the overview for "" or a name that is no verb.
void print_help(std::string_view verb);

}  // namespace polc::driver
