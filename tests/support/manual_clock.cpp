#include "tests/support/manual_clock.h"

namespace tern::testsupport {

void ManualClock::schedule(MonoInstant when, std::function<void()> fn) {
  if (when < mono_) when = mono_;
  events_.emplace(std::make_pair(when, seq_++), std::move(fn));
}

bool ManualClock::run_next() {
  if (events_.empty()) return false;
  auto it = events_.begin();
  auto fn = std::move(it->second);
  if (it->first.first > mono_) {
    now_ += it->first.first - mono_;
    mono_ = it->first.first;
  }
  events_.erase(it);
  fn();
  return true;
}

void ManualClock::advance(Millis d) {
  auto target = mono_ + d;
  while (!events_.empty() && events_.begin()->first.first <= target) run_next();
  now_ += target - mono_;
  mono_ = target;
}

size_t ManualClock::run_until_idle(size_t max_events) {
  size_t n = 0;
  while (n < max_events && run_next()) ++n;
  return n;
}

bool ManualClock::run_until(const std::function<bool()>& done, size_t max_events) {
  size_t n = 0;
  while (!done() && n < max_events && run_next()) ++n;
  return done();
}

}  // namespace tern::testsupport
