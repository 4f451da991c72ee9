// The production Clock (wall time and the monotonic clock) and Random (the kernel's CSPRNG).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "resolver/engine/world.h"

namespace tern::net {

class SystemClock : public engine::Clock {
 public:
  engine::Instant now() const override;
  engine::MonoInstant mono() const override;
};

// getrandom(2), buffered: query IDs must be unpredictable (RFC 5452 §9.2), and a syscall per ID
// would be wasteful. One instance per worker thread (not thread-safe).
class SecureRandom : public engine::Random {
 public:
  uint32_t next_u32() override;

 private:
  void refill();
  std::array<uint8_t, 256> buf_{};
  size_t used_ = sizeof(buf_);
};

}  // namespace tern::net
