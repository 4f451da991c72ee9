#include "scripted_backend.h"

#include <algorithm>
#include <string>

namespace tern::server::test {
namespace {

void close_pending_timer(uv_timer_t* t);

}  // namespace

struct ScriptedBackend::Pending {
  uv_timer_t timer;
  Sections sections;
  Done done;
  bool cacheable;
  ScriptedBackend* backend;
};

namespace {

// The delay a name's first label asks for: "<prefix>N" = N ms.
unsigned delay_for(const ClientQuery& q, const std::string& prefix) {
  std::string first(q.qname.label_count() ? q.qname.label(0) : "");
  if (first.rfind(prefix, 0) != 0) return 0;
  return unsigned(std::stoul(first.substr(prefix.size())));
}

void close_pending_timer(uv_timer_t* t) {
  uv_close(reinterpret_cast<uv_handle_t*>(t),
           [](uv_handle_t* h) { delete static_cast<ScriptedBackend::Pending*>(h->data); });
}

}  // namespace

Sections scripted_answer(const ClientQuery& q) {
  Sections s;
  std::string n = q.qname.lowercased().to_text();
  if (n == "fail.test.") {
    s.rcode = wire::Rcode::ServFail;
    return s;
  }
  if (n == "big.test." && q.qtype == wire::RRType::TXT) {
    wire::RRset txt(q.qname, wire::RRType::TXT, wire::RRClass::IN, 300);
    for (int i = 0; i < 20; ++i) {
      std::vector<uint8_t> rd{199};
      rd.insert(rd.end(), 199, uint8_t('a' + i));
      txt.add(rd);
    }
    s.answer.push_back(std::move(txt));
    return s;
  }
  wire::RRset a(q.qname, wire::RRType::A, wire::RRClass::IN, 300);
  a.add(std::vector<uint8_t>{192, 0, 2, 1});
  s.answer.push_back(std::move(a));
  return s;
}

ScriptedBackend::~ScriptedBackend() {
  // Unanswered questions are dropped, as the engine drops them when it is destroyed; answered
  // ones only still hold their (stopped) timer.
  for (Pending* p : pending_) close_pending_timer(&p->timer);
}

void ScriptedBackend::resolve(const ClientQuery& q, const sockaddr*, Done done) {
  unsigned delay = delay_for(q, "slow-");
  // Delayed answers are not cacheable, so a slow name keeps reaching the backend.
  answer(q, std::move(done), delay, /*cacheable=*/delay == 0);
}

void ScriptedBackend::prefetch(const ClientQuery& q, Done done) {
  if (prefetch_calls_ != nullptr) prefetch_calls_->fetch_add(1, std::memory_order_relaxed);
  unsigned delay = std::max(delay_for(q, "slow-"), delay_for(q, "pf-"));
  answer(q, std::move(done), delay, /*cacheable=*/true);
}

void ScriptedBackend::answer(const ClientQuery& q, Done done, unsigned delay, bool cacheable) {
  if (delay == 0) {
    done(scripted_answer(q), cacheable);  // synchronous, like an engine cache hit
    return;
  }
  auto* p = new Pending{{}, scripted_answer(q), std::move(done), cacheable, this};
  pending_.insert(p);
  ++in_flight_;
  uv_timer_init(loop_, &p->timer);
  p->timer.data = p;
  // The timer is only stopped here and closed by the destructor: a completion that also closes
  // a handle would wake the loop by itself and hide a reply left waiting in a send batch.
  uv_timer_start(&p->timer, [](uv_timer_t* t) {
    auto* p = static_cast<Pending*>(t->data);
    uv_timer_stop(t);
    --p->backend->in_flight_;
    Done done = std::move(p->done);
    Sections s = std::move(p->sections);
    done(s, p->cacheable);
  }, delay, 0);
}

}  // namespace tern::server::test
