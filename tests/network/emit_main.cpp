// Stage: tests/network (fixture). `polc_network_emit POLICY.sbx OUTDIR`: runs the front end and
// the network backend, and writes nftables.nft (and squid.conf and egress.json when the policy has
// a proxy) into OUTDIR, for the shell tests that load them into the kernel and into squid.
// Exit status: 0 written, 1 policy errors, 2 usage or I/O.
#include <fstream>
#include <iostream>
#include <sstream>

#include "backends/network/emit.h"
#include "compiler/diag/render.h"
#include "compiler/sema/analyze.h"

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: polc_network_emit POLICY.sbx OUTDIR\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "polc_network_emit: cannot read " << argv[1] << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  polc::diag::SourceManager sources;
  polc::diag::Engine engine(sources);
  const auto fid = sources.add(argv[1], text.str());
  auto policy = polc::sema::analyze(engine, fid, argv[1], {});
  if (!policy) {
    std::cerr << polc::diag::render_human(engine);
    return 1;
  }
  const auto artifacts = polc::backends::network::emit(*policy);
  const std::string dir = argv[2];
  bool ok = write_file(dir + "/nftables.nft", artifacts.nftables);
  if (policy->network.proxy) {
    ok = ok && write_file(dir + "/squid.conf", artifacts.squid_conf);
    ok = ok && write_file(dir + "/egress.json", artifacts.egress_json);
  }
  if (!ok) {
    std::cerr << "polc_network_emit: cannot write into " << dir << "\n";
    return 2;
  }
  return 0;
}
