// A test-only front end of polc_record: records one command and prints the recording's JSON, for
// looking at what the recorder sees without the `polc learn` CLI.
// Usage: polc_record_tool [--timeout SECONDS] -- COMMAND [ARGS...]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "launcher/record/recorder.h"

int main(int argc, char** argv) {
  polc::record::Options options;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i)
    if (std::strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) options.timeout_seconds = std::atof(argv[++i]);
  for (++i; i < argc; ++i) options.argv.push_back(argv[i]);
  if (options.argv.empty()) {
    std::fprintf(stderr, "usage: polc_record_tool [--timeout SECONDS] -- COMMAND [ARGS...]\n");
    return 64;
  }
  polc::learn::Recording recording;
  std::string error;
  if (!polc::record::run(options, recording, error)) {
    std::fprintf(stderr, "polc_record_tool: %s\n", error.c_str());
    return 1;
  }
  std::fputs(polc::learn::to_json(recording).c_str(), stdout);
  return 0;
}
