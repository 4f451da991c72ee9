// The engine's world during a replay: a Transport whose servers are the scenario's ranges, a clock
// that moves only when the driver says so, and a seeded random source. No socket is ever opened:
// scenario addresses are lookup keys, nothing more.
//
// Answers are decided when a query is sent (by the step current at that moment, as Deckard's
// server does) and delivered with zero latency, but never from inside send() (the Transport
// contract): the driver pumps them. Unanswered queries wait for their deadline, which only passes
// when the driver moves the clock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "replay_message.h"
#include "replay_responder.h"
#include "resolver/engine/world.h"

namespace tern::replay {

class ReplayClock : public engine::Clock {
 public:
  explicit ReplayClock(engine::Instant start) : now_(start) {}
  engine::Instant now() const override { return now_; }
  // Scenario time only moves forward, so one timeline serves both clocks.
  engine::MonoInstant mono() const override { return engine::MonoInstant(now_.time_since_epoch()); }
  void set(engine::Instant t) {
    if (t > now_) now_ = t;  // time never runs backwards
  }

 private:
  engine::Instant now_;
};

// splitmix64: deterministic, so a failing replay fails the same way every run.
class ReplayRandom : public engine::Random {
 public:
  explicit ReplayRandom(uint64_t seed) : state_(seed) {}
  uint32_t next_u32() override;

 private:
  uint64_t state_;
};

// One query the engine sent, for the log and for strict mode.
struct SentQuery {
  int step = 0;
  engine::Address server;
  engine::Protocol protocol = engine::Protocol::Udp;
  std::string question;             // "www.example.com. IN A" (or why it did not parse)
  std::optional<CompareMessage> message;  // the query as Deckard compares it (CHECK_OUT_QUERY)
  std::optional<std::string> source;  // which entry answered; nullopt = nothing answered
  std::string why_unanswered;
};

class ReplayNetwork : public engine::Transport {
 public:
  ReplayNetwork(Responder& responder, ReplayClock& clock) : responder_(responder), clock_(clock) {}

  void set_step(int step) { step_ = step; }
  void send(const engine::Address& server, engine::Protocol protocol, std::vector<uint8_t> query,
            engine::MonoInstant deadline, engine::TransportDone done) override;

  // Delivers the oldest answer waiting; false when none is waiting.
  bool deliver_one();
  void deliver_all();
  // Moves the clock to `t`, firing in deadline order every timeout due by then (answers those
  // callbacks trigger are delivered in between, at the time of the timeout).
  void advance_to(engine::Instant t);
  // The earliest deadline among unanswered queries.
  std::optional<engine::Instant> next_deadline() const;
  // Fires the earliest timeout (moving the clock to its deadline). False when none is pending.
  bool fire_next_timeout();
  // TIMEOUT step: every unanswered query times out now.
  void fire_all_timeouts();

  size_t waiting() const { return ready_.size() + pending_.size(); }
  const std::vector<SentQuery>& sent() const { return sent_; }

 private:
  struct Ready {
    engine::TransportDone done;
    std::vector<uint8_t> bytes;
  };
  struct Pending {
    engine::Instant deadline;  // the transport's monotonic deadline on the scenario's timeline
    engine::TransportDone done;
  };

  Responder& responder_;
  ReplayClock& clock_;
  int step_ = 0;
  std::deque<Ready> ready_;
  std::vector<Pending> pending_;
  std::vector<SentQuery> sent_;
};

}  // namespace tern::replay
