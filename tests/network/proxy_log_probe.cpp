// Test helper for network.proxy_log: the proxy log source (launcher/telemetry/proxy_log_source.h)
// as the supervisor drives it, outside the launcher. `polc_proxy_log_probe LOG CLIENT...` opens
// LOG, says "ready" on stdout, reads on a 50 ms timer until its stdin reaches end of file, then
// syncs as the supervisor does at the end of a run and prints each event as its JSON line and
// the source's counts on stderr.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "launcher/telemetry/event_json.h"
#include "launcher/telemetry/proxy_log_source.h"

using namespace polc::telemetry;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: polc_proxy_log_probe LOG CLIENT...\n");
    return 2;
  }
  std::unique_ptr<ProxyLogSource> source;
  try {
    source = ProxyLogSource::open(argv[1], std::vector<std::string>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "polc_proxy_log_probe: %s\n", e.what());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);

  std::vector<Event> events;
  for (;;) {
    pollfd in{0, POLLIN, 0};
    if (poll(&in, 1, 50) > 0) {
      char buffer[256];
      if (read(0, buffer, sizeof buffer) <= 0) break;
    }
    source->read_available(events);
  }
  source->begin_sync();
  for (int i = 0; i < 100 && !source->synced(); ++i) {
    usleep(20 * 1000);
    source->read_available(events);
  }
  const BundleId bundle{"probe", 1, ""};
  for (const Event& e : events) std::printf("%s\n", event_line(e, bundle).c_str());
  const auto& s = source->stats();
  std::fprintf(stderr, "lines %llu refusals %llu other_clients %llu malformed %llu synced %d\n",
               static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.refusals),
               static_cast<unsigned long long>(s.other_clients), static_cast<unsigned long long>(s.malformed),
               source->synced() ? 1 : 0);
  return 0;
}
