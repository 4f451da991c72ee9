// fuzz-libs: tern_resolver
// Property: whatever bytes follow the HTTP/2 client preface, in whatever split into reads, the
// DoH session never crashes or reads out of bounds, answers every query it hands out (the fuzzer
// answers each at once, or after the next read), keeps no more streams than it allows, and never
// counts more queries pending than it handed out.
// Input: the first byte picks the read size; the rest follows the preface.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "resolver/server/doh_session.h"

using namespace tern::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = size_t(data[0] % 128) + 1;
  DohSettings settings;
  settings.max_streams = 8;
  settings.max_header_bytes = 2048;
  settings.max_body = 1024;
  std::vector<int32_t> waiting;
  size_t handed = 0;
  DohSession s(settings, [&](int32_t id, std::vector<uint8_t> q) {
    ++handed;
    if (q.size() < 12) std::abort();
    if (q[0] & 1) waiting.push_back(id);  // answered after the next read
    else {
      q[2] |= 0x80;
      s.respond(id, q);
    }
  });
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  std::vector<uint8_t> stream(kPreface.begin(), kPreface.end());
  stream.insert(stream.end(), data + 1, data + size);
  std::vector<uint8_t> out;
  uint64_t now = 0;
  for (size_t off = 0; off < stream.size(); off += chunk) {
    size_t n = std::min(chunk, stream.size() - off);
    bool ok = s.receive(std::span(stream.data() + off, n), now);
    for (int32_t id : waiting) s.respond(id, std::vector<uint8_t>{});
    waiting.clear();
    s.take_output(out);
    out.clear();
    if (s.open_streams() > settings.max_streams + 1) std::abort();
    if (s.pending_queries() > handed) std::abort();
    if (!ok) break;
    now += 1000;
    s.expire(now);
  }
  s.take_output(out);
  return 0;
}
