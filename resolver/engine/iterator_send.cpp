// State SendQuery: what to ask (the full name, or a minimised one, RFC 9156), with or without
// EDNS, over UDP or TCP, with a fresh random ID; and the transport callback that wakes the task.
#include <algorithm>

#include "resolver/engine/iterator.h"
#include "resolver/engine/server_selection.h"
#include "wire/message_builder.h"

namespace tern::engine {

namespace {

// TCP gets more time than one UDP round trip: a handshake comes first.
constexpr std::chrono::milliseconds kTcpTimeout{1500};

}  // namespace

State Iterator::on_send_query(Task& t) {
  const auto& cfg = engine.config_;
  if (res.upstream_queries >= cfg.max_upstream_queries) return fail(t, Failure::UpstreamBudget);

  t.sent_qname = t.qname;
  t.sent_qtype = t.qtype;
  if (t.minimise && !t.dp.forward) {
    size_t zone_labels = t.dp.zone.label_count();
    if (t.minimise_labels <= zone_labels) t.minimise_labels = zone_labels + 1;
    if (t.minimise_labels < t.qname.label_count() && t.minimise_queries < kMaxMinimiseCount) {
      t.sent_qname = t.qname.suffix(t.minimise_labels);
      t.sent_qtype = cfg.minimise_qtype;
    }
  }
  if (!(t.sent_qname == t.qname)) ++t.minimise_queries;

  t.query_id = uint16_t(engine.world_.random.next_u32());
  std::optional<wire::Edns> edns;
  if (t.edns) {
    edns.emplace();
    edns->udp_size = cfg.edns_buffer_size;
    // RFC 4035 §4.1: a validating resolver asks for the signatures and proofs.
    edns->do_bit = cfg.dnssec.validation;
  }
  auto packet = wire::build_query(t.query_id, t.sent_qname, t.sent_qtype, t.qclass,
                                  /*rd=*/t.dp.forward, edns);
  const auto n = mono();
  auto timeout = t.protocol != Protocol::Udp ? std::max(kTcpTimeout, cfg.initial_timeout)
                                             : server_timeout(cache.server(t.server, n), cfg);
  auto deadline = std::min(n + timeout, res.deadline);
  t.sent_at = n;
  ++res.upstream_queries;
  ++engine.stats_.upstream_queries;
  t.dp.attempt(t.server);  // known to this delegation from now on
  ++t.send_seq;
  t.response.reset();
  if (tracing())
    trace(t, TraceStep::Kind::Query,
          cat("ask ", t.sent_qname.to_text(), " ", wire::type_to_text(t.sent_qtype),
              t.edns ? " edns" : " no-edns", " timeout ",
              std::to_string(
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - n).count()),
              "ms"),
          true);

  std::weak_ptr<Engine*> alive = engine.alive_;
  auto rid = res.id;
  auto idx = t.index;
  auto seq = t.send_seq;
  // Outstanding until the transport calls back, whatever became of the resolution meanwhile.
  engine.fetches_.add(t.dp.zone, t.server);
  engine.world_.transport.send(
      t.server, t.protocol, std::move(packet), deadline,
      [alive, rid, idx, seq, zone = t.dp.zone, server = t.server](TransportResult r) {
        auto e = alive.lock();
        if (!e) return;
        (*e)->fetches_.release(zone, server);
        on_transport(**e, rid, idx, seq, std::move(r));
      });
  return State::WaitResponse;
}

void Iterator::on_transport(Engine& e, uint64_t rid, size_t idx, uint64_t seq,
                            TransportResult result) {
  auto it = e.resolutions_.find(rid);
  if (it == e.resolutions_.end()) return;
  auto& res = *it->second;
  if (idx >= res.tasks.size()) return;
  auto& t = *res.tasks[idx];
  if (t.state != State::WaitResponse || t.send_seq != seq) return;
  t.response = std::move(result);
  t.state = State::HandleResponse;
  e.drive(rid, idx);
}

}  // namespace tern::engine
