// NameView: a possibly compressed name inside a received packet. Copies nothing; decompression
// enforces every RFC 1035 §4.1.4 hazard: loops, forward pointers, out-of-range pointers, too many
// hops and names that grow past 255 octets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "wire/name.h"
#include "wire/result.h"
#include "wire/wire_error.h"

namespace tern::wire {

class NameView {
 public:
  static constexpr size_t kMaxPointerHops = 64;

  NameView() = default;
  NameView(std::span<const uint8_t> packet, size_t offset) : packet_(packet), offset_(offset) {}

  // Walks the whole name once, enforcing every limit. Returns the bytes the name occupies at
  // `offset` (labels up to and including the terminating 0 or the first pointer).
  // `hops`, when given, receives the number of pointers followed.
  Result<size_t, WireError> validate(size_t* hops = nullptr) const;

  Result<Name, WireError> to_name() const;  // decompress, all limits enforced
  bool equals(const Name& name) const;      // case-insensitive, no allocation
  size_t wire_length_in_place() const;      // bytes at `offset` (0 when invalid)
  size_t hash() const;                      // equals Name::hash() of the decompressed name

  size_t offset() const { return offset_; }
  std::span<const uint8_t> packet() const { return packet_; }

 private:
  std::span<const uint8_t> packet_;
  size_t offset_ = 0;
};

}  // namespace tern::wire
