#include "replay_network.h"

#include <algorithm>

#include "replay_message.h"

namespace tern::replay {

uint32_t ReplayRandom::next_u32() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return uint32_t((z ^ (z >> 31)) >> 32);
}

void ReplayNetwork::send(const engine::Address& server, engine::Protocol protocol,
                         std::vector<uint8_t> query, engine::MonoInstant deadline,
                         engine::TransportDone done) {
  SentQuery record;
  record.step = step_;
  record.server = server;
  record.protocol = protocol;
  if (auto m = from_wire(query)) {
    record.question = question_to_text(m->question);
    record.message = std::move(*m);
  } else {
    record.question = "(unparseable query)";
  }
  std::string why;
  auto reply = responder_.answer(step_, server, protocol, query, why);
  if (reply) {
    if (reply->scripted) {
      record.source = reply->source;
    } else {
      record.why_unanswered = why + "; answered SERVFAIL";
    }
    ready_.push_back(Ready{std::move(done), std::move(reply->bytes)});
  } else {
    record.why_unanswered = why;
    pending_.push_back(Pending{clock_.now() + (deadline - clock_.mono()), std::move(done)});
  }
  sent_.push_back(std::move(record));
}

bool ReplayNetwork::deliver_one() {
  if (ready_.empty()) return false;
  Ready r = std::move(ready_.front());
  ready_.pop_front();
  r.done(engine::TransportResult(std::move(r.bytes)));
  return true;
}

void ReplayNetwork::deliver_all() {
  // Bounded: each delivery may cause new sends, but the engine's per-question query limit ends
  // that; the cap only guards against an engine bug turning into a hang.
  for (int i = 0; i < 100000 && deliver_one(); ++i) {
  }
}

std::optional<engine::Instant> ReplayNetwork::next_deadline() const {
  if (pending_.empty()) return std::nullopt;
  auto it = std::min_element(pending_.begin(), pending_.end(),
                             [](const Pending& a, const Pending& b) { return a.deadline < b.deadline; });
  return it->deadline;
}

bool ReplayNetwork::fire_next_timeout() {
  if (pending_.empty()) return false;
  auto it = std::min_element(pending_.begin(), pending_.end(),
                             [](const Pending& a, const Pending& b) { return a.deadline < b.deadline; });
  Pending p = std::move(*it);
  pending_.erase(it);
  clock_.set(p.deadline);
  p.done(engine::TransportResult(fail(engine::TransportError::Timeout)));
  return true;
}

void ReplayNetwork::advance_to(engine::Instant t) {
  deliver_all();
  for (int i = 0; i < 100000; ++i) {
    auto d = next_deadline();
    if (!d || *d > t) break;
    fire_next_timeout();
    deliver_all();
  }
  clock_.set(t);
}

void ReplayNetwork::fire_all_timeouts() {
  std::vector<Pending> due;
  due.swap(pending_);
  std::sort(due.begin(), due.end(),
            [](const Pending& a, const Pending& b) { return a.deadline < b.deadline; });
  for (auto& p : due) p.done(engine::TransportResult(fail(engine::TransportError::Timeout)));
  deliver_all();
}

}  // namespace tern::replay
