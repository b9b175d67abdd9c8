// Stage: launcher (learning). The names a DNS query asks for: how the recorder learns the domains
// a workload looks up from the UDP payload it sends to port 53.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace polc::record {

// The question names of `payload` when it parses as a standard DNS query (QR 0, opcode QUERY, 1 to
// 16 questions, uncompressed names, each question whole): lowercased (ASCII letters only), without
// the trailing dot, the root name left out. Empty for anything else. Labels are kept as bytes.
std::vector<std::string> dns_question_names(std::span<const uint8_t> payload);

}  // namespace polc::record
