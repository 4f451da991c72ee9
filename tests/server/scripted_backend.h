// A Backend for the front end's socket tests: answers by name, after a delay taken from the name
// ("slow-300.test." answers after 300 ms), on the worker's loop, like the engine would. A prefetch
// answers like resolve, cacheable; "pf-300.test." answers resolve at once and a prefetch after
// 300 ms. Prefetch calls are counted in `prefetch_calls` (read from the test's thread).
//   big.test. TXT   -> 20 TXT records of 200 bytes (truncated over UDP)
//   fail.test.      -> SERVFAIL
//   anything else   -> A 192.0.2.1, TTL 300
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "resolver/server/backend.h"

namespace tern::server::test {

class ScriptedBackend : public Backend {
 public:
  explicit ScriptedBackend(uv_loop_t* loop, std::atomic<uint64_t>* prefetch_calls = nullptr)
      : loop_(loop), prefetch_calls_(prefetch_calls) {}
  ~ScriptedBackend() override;
  void resolve(const ClientQuery& q, const sockaddr* client, Done done) override;
  void prefetch(const ClientQuery& q, Done done) override;
  size_t in_flight() const override { return in_flight_; }

 public:
  struct Pending;

 private:
  void answer(const ClientQuery& q, Done done, unsigned delay_ms, bool cacheable);

  uv_loop_t* loop_;
  std::atomic<uint64_t>* prefetch_calls_;
  size_t in_flight_ = 0;
  std::unordered_set<Pending*> pending_;  // every delayed answer; timers closed by the destructor
};

Sections scripted_answer(const ClientQuery& q);

}  // namespace tern::server::test
