// ManualClock: a Clock for tests whose time moves only when told, plus the event queue the
// simulated network uses to deliver responses and timeouts. No sleeps anywhere. Both clocks move
// together on advance(); step_wall() moves the wall clock alone, as an NTP step does. Events are
// due on the monotonic clock, like the transport deadlines they stand for.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "resolver/engine/world.h"

namespace tern::testsupport {

using engine::Instant;
using engine::MonoInstant;
using Millis = std::chrono::milliseconds;

class ManualClock : public engine::Clock {
 public:
  // A fixed, arbitrary start (2023-11-14) so TTL arithmetic never sees the epoch.
  static constexpr Instant kStart{std::chrono::seconds(1700000000)};

  // The monotonic clock starts at an unrelated value, so code mixing the two clocks shows up.
  static constexpr MonoInstant kMonoStart{std::chrono::seconds(1000)};

  explicit ManualClock(Instant start = kStart) : now_(start) {}
  Instant now() const override { return now_; }
  MonoInstant mono() const override { return mono_; }

  // Runs `fn` when the monotonic time reaches `when` (events due at the same instant run in
  // scheduling order).
  void schedule(MonoInstant when, std::function<void()> fn);

  // An NTP step: the wall clock jumps by `d` (negative: backwards); the monotonic clock and the
  // events do not move.
  void step_wall(Millis d) { now_ += d; }

  // Moves time forward by `d`, running every event due on the way in time order.
  void advance(Millis d);
  // Runs events in time order, moving the clock to each, until none is left or `max_events` ran.
  // Returns the number of events run.
  size_t run_until_idle(size_t max_events = 1000000);
  // Runs events until `done()` is true or no event is left. Returns done().
  bool run_until(const std::function<bool()>& done, size_t max_events = 1000000);

  size_t pending() const { return events_.size(); }

 private:
  bool run_next();

  Instant now_;
  MonoInstant mono_ = kMonoStart;
  uint64_t seq_ = 0;
  std::map<std::pair<MonoInstant, uint64_t>, std::function<void()>> events_;
};

// Deterministic Random for tests: a fixed sequence, then a simple LCG.
class SequenceRandom : public engine::Random {
 public:
  explicit SequenceRandom(uint32_t seed = 12345) : state_(seed) {}
  uint32_t next_u32() override {
    state_ = state_ * 1664525u + 1013904223u;
    return state_;
  }

 private:
  uint32_t state_;
};

}  // namespace tern::testsupport
