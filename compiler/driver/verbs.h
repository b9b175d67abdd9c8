// Stage: driver. polc's verbs as one table (verbs.cpp): main.cpp dispatches through it, `polc help`
// prints its overview and each verb's help from it, and the docs test checks docs/cli.md against
// what that prints.
#pragma once

#include <span>
#include <string_view>

#include "compiler/driver/commands.h"

namespace polc::driver {

struct Verb {
  std::string_view name;      // "build": the first argument of polc
  int (*entry)(const Args&);  // given the arguments after the name; returns the exit status
  std::string_view synopsis;  // "build FILE -o DIR": the start of its line in `polc help`
  std::string_view summary;   // the rest of that line
  std::string_view help;      // `polc help VERB` and `polc VERB --help`
};

// Every verb, in the order `polc help` lists them.
std::span<const Verb> all_verbs();
// The verb called `name`, or nullptr.
const Verb* find_verb(std::string_view name);

}  // namespace polc::driver
