// fuzz-libs: tern_resolver
//
// Property: TcpFrameReader (resolver/net/tcp_frame_reader.h), fed the input in pieces whose sizes
// the input itself chooses, returns exactly the messages a one-shot parse of the whole stream
// finds, in order, and never holds more than one partial message plus one piece.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "resolver/net/tcp_frame_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // First byte: the piece size (1..256), the rest: the stream.
  const size_t piece = size_t(data[0]) + 1;
  std::span<const uint8_t> stream(data + 1, size - 1);

  std::vector<std::vector<uint8_t>> expected;
  for (size_t pos = 0; pos + 2 <= stream.size();) {
    size_t len = size_t(stream[pos]) << 8 | stream[pos + 1];
    if (pos + 2 + len > stream.size()) break;
    expected.emplace_back(stream.begin() + long(pos + 2), stream.begin() + long(pos + 2 + len));
    pos += 2 + len;
  }

  tern::net::TcpFrameReader reader;
  std::vector<std::vector<uint8_t>> got;
  for (size_t pos = 0; pos < stream.size(); pos += piece) {
    auto chunk = stream.subspan(pos, std::min(piece, stream.size() - pos));
    reader.feed(chunk);
    if (reader.buffered() > 2 + 65535 + piece) std::abort();
    while (auto m = reader.next()) got.emplace_back(m->begin(), m->end());
  }
  if (got != expected) std::abort();
  return 0;
}
