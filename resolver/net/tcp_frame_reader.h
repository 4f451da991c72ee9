// TcpFrameReader: DNS over TCP framing (RFC 1035 §4.2.2: a 2-byte big-endian length, then the
// message), as bytes arrive in arbitrary pieces. Pure (no I/O), so it is fuzzed on its own
// (tests/fuzz/fuzz_tcp_framing.cpp). Holds at most one partial message plus what one feed()
// brings: the caller takes every complete message after each feed().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tern::net {

class TcpFrameReader {
 public:
  void feed(std::span<const uint8_t> bytes);
  // The next complete message (valid until the next feed() or next()), or nullopt.
  std::optional<std::span<const uint8_t>> next();
  size_t buffered() const { return buf_.size() - pos_; }
  // A complete message is waiting (next() would return it).
  bool has_message() const;
  // Gives the buffer's memory back when nothing is buffered and it grew past `keep` bytes (a
  // burst should not stay with an idle connection).
  void shrink_if_empty(size_t keep);

 private:
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;  // start of the first byte not yet returned
};

}  // namespace tern::net
