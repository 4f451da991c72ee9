// EDNS(0) (RFC 6891) as an owning value, for building messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tern::wire {

constexpr uint16_t kEdnsCookie = 10;  // RFC 7873
constexpr uint16_t kEdnsEde = 15;     // RFC 8914 extended DNS error

// RFC 7873 §4: a COOKIE option is an 8-byte client cookie, optionally followed by a server cookie
// of 8 to 32 bytes. Any other length is malformed (§5.2.2: FORMERR).
constexpr bool cookie_length_ok(size_t length) {
  return length == 8 || (length >= 16 && length <= 40);
}

struct EdnsOption {
  uint16_t code = 0;
  std::vector<uint8_t> data;
  friend bool operator==(const EdnsOption&, const EdnsOption&) = default;
};

struct Edns {
  uint16_t udp_size = 1232;
  uint8_t ext_rcode_high = 0;
  uint8_t version = 0;
  bool do_bit = false;
  std::vector<EdnsOption> options;
  uint16_t z = 0;  // OPT flag bits other than DO (must be zero today; kept so re-encoding is exact)
  friend bool operator==(const Edns&, const Edns&) = default;

  // Bytes the OPT record takes on the wire: root owner + fixed fields + options.
  size_t wire_size() const;
};

}  // namespace tern::wire
