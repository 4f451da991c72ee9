#include "resolver/net/system_clock.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace tern::net {

engine::Instant SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

engine::MonoInstant SystemClock::mono() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
}

void SecureRandom::refill() {
  size_t got = 0;
  while (got < buf_.size()) {
    ssize_t n = getrandom(buf_.data() + got, buf_.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Without a CSPRNG we must not send queries with guessable IDs: this is fatal.
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += size_t(n);
  }
  used_ = 0;
}

uint32_t SecureRandom::next_u32() {
  if (used_ + 4 > buf_.size()) refill();
  uint32_t v;
  std::memcpy(&v, buf_.data() + used_, 4);
  used_ += 4;
  return v;
}

}  // namespace tern::net
