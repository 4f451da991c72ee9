// Time as the caches see it, passed in by the caller: an absolute wall-clock Instant for DNS TTLs
// (they are ages of data that came from elsewhere), a MonoInstant (monotonic, process-local) for
// what the resolver learns about servers and failures, so an NTP step neither ages nor revives it.
// Nothing in cache/ reads a clock, so every expiry rule can be tested to the millisecond.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::cache {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;
// steady_clock's epoch is arbitrary (boot): only differences between MonoInstants mean anything.
using MonoInstant = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;

// The instant `ttl_seconds` after `now`.
inline Instant expiry_after(Instant now, uint32_t ttl_seconds) {
  return now + Seconds(ttl_seconds);
}

// Whole seconds left before `expiry`, rounded down so a downstream cache never keeps data longer
// than we may; 0 once `now` has reached `expiry`.
inline uint32_t seconds_left(Instant expiry, Instant now) {
  if (now >= expiry) return 0;
  return uint32_t(std::chrono::duration_cast<Seconds>(expiry - now).count());
}

// Whole seconds elapsed since `then` (0 when `now` is earlier, e.g. a clock step backwards).
template <class TimePoint>
inline uint32_t seconds_since(TimePoint then, TimePoint now) {
  if (now <= then) return 0;
  return uint32_t(std::chrono::duration_cast<Seconds>(now - then).count());
}

}  // namespace tern::cache
