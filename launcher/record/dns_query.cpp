// Stage: launcher (learning). Parsing the question section of a DNS query (dns_query.h, RFC 1035
// section 4.1). The payload comes from a hostile process: every offset is checked.
#include "launcher/record/dns_query.h"

namespace polc::record {

namespace {

constexpr size_t kHeaderBytes = 12;
constexpr unsigned kMaxQuestions = 16;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 255;  // wire length, with the length bytes

}  // namespace

std::vector<std::string> dns_question_names(std::span<const uint8_t> p) {
  if (p.size() < kHeaderBytes) return {};
  const bool response = p[2] & 0x80;
  const unsigned opcode = (p[2] >> 3) & 0x0f;
  const unsigned questions = (unsigned{p[4]} << 8) | p[5];
  if (response || opcode != 0 || questions == 0 || questions > kMaxQuestions) return {};
  std::vector<std::string> names;
  size_t at = kHeaderBytes;
  for (unsigned q = 0; q < questions; ++q) {
    std::string name;
    size_t wire = 0;
    for (;;) {
      if (at >= p.size()) return {};
      const size_t length = p[at++];
      wire += length + 1;
      if (length == 0) break;
      // A compression pointer (0xc0) or a reserved label type: not in a query's question.
      if (length > kMaxLabel || wire > kMaxName || at + length > p.size()) return {};
      if (!name.empty()) name += '.';
      for (size_t i = 0; i < length; ++i) {
        const char c = static_cast<char>(p[at + i]);
        name += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      }
      at += length;
    }
    if (at + 4 > p.size()) return {};  // QTYPE and QCLASS
    at += 4;
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace polc::record
