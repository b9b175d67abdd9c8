// Stage: launcher telemetry. Names of the event vocabulary (event.h).
#include "launcher/telemetry/event.h"

namespace polc::telemetry {

const char* layer_name(Layer layer) {
  switch (layer) {
    case Layer::Seccomp: return "seccomp";
    case Layer::Landlock: return "landlock";
    case Layer::Nftables: return "nftables";
    case Layer::Proxy: return "proxy";
    case Layer::Launcher: return "launcher";
  }
  return "launcher";
}

}  // namespace polc::telemetry
