#include "resolver/server/dns_stream.h"

#include <algorithm>

namespace tern::server {
namespace {

// Input buffer capacity an idle connection may keep after a burst (a few queries' worth).
constexpr size_t kKeepInputCapacity = 4096;

}  // namespace

DnsStream::DnsStream(TcpServer& server, std::unique_ptr<StreamTransport> transport, bool https)
    : server_(server), transport_(std::move(transport)), https_(https) {
  // PROXY v2 is read on plain TCP only: over TLS a balancer's header would sit under the TLS
  // layer (docs/configuration.md, proxy-protocol-from).
  proxy_checked_ = transport_->kind() != StreamKind::Tcp;
}

bool DnsStream::accept(uv_stream_t* listener) {
  self_ = shared_from_this();
  lru_pos_ = server_.enlist(this);
  listed_ = true;
  uv_timer_init(server_.loop_, &timer_);
  timer_.data = this;
  ++open_handles_;
  ++open_handles_;  // the transport's socket
  if (!transport_->accept(listener, *this)) {
    close();
    return false;
  }
  peer_ = transport_->peer();
  return true;
}

void DnsStream::start() {
  if (!transport_->ready()) {
    handshaking_ = true;
    ++server_.handshakes_;
  }
  restart_timer();
  transport_->start();  // plain TCP: ready at once (on_stream_ready)
  update_reading();
}

void DnsStream::end_handshake() {
  if (!handshaking_) return;
  handshaking_ = false;
  --server_.handshakes_;
}

void DnsStream::on_stream_ready() {
  ready_ = true;
  if (handshaking_) {
    end_handshake();
    bump(transport_->resumed() ? server_.stats_.tls_resumed : server_.stats_.tls_handshakes);
  }
  if (https_ && !doh_) {
    // Complete requests wait in doh_queue_ for process(), which applies the same in-flight cap
    // and per-iteration budget as to framed messages (and answers outside nghttp2's callbacks).
    doh_ = std::make_unique<DohSession>(server_.settings_.doh, [this](int32_t stream, std::vector<uint8_t> q) {
      doh_queue_.push_back(DohQuery{stream, std::move(q)});
    });
  }
  restart_timer();
}

void DnsStream::restart_timer() {
  if (closing_) return;
  if (listed_) server_.touch(lru_pos_);
  // Before the handshake is done: the handshake timeout, not shortened (a handshake is short
  // work, and the cap on handshakes in progress bounds them). Afterwards the idle timeout,
  // shorter as slots fill (tcp_limits.h), so idle connections give way to new ones sooner.
  uint32_t timeout = !ready_ ? server_.settings_.tls_handshake_timeout_ms
                             : tcp_idle_timeout_ms(server_.settings_.idle_timeout_ms,
                                                   open_connections(), server_.settings_.max_connections);
  // DNS over HTTPS with requests open: wake up in time to answer 408 to the ones that stall.
  if (ready_ && doh_ && doh_->open_streams() > 0)
    timeout = std::min(timeout, server_.settings_.doh.stream_timeout_ms);
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<DnsStream*>(t->data)->on_timer(); },
                 timeout, 0);
}

void DnsStream::on_timer() {
  if (!ready_) {
    bump(server_.stats_.tls_handshake_timeouts);
    close();
    return;
  }
  if (doh_) {
    doh_->expire(uv_now(server_.loop_));
    doh_flush();
    if (closing_) return;
    if (doh_->open_streams() > 0) {
      restart_timer();
      return;
    }
  }
  // RFC 7766 §6.2.3: idle means no query outstanding. An unfinished query always completes
  // (the engine has a deadline), so wait for it.
  if (inflight_ > 0) {
    restart_timer();
    return;
  }
  bump(server_.stats_.tcp_closed_idle);
  close();
}

bool DnsStream::may_read() {
  // This iteration's TCP budget is spent, or this connection still holds messages it may not
  // handle before the next iteration: leave the bytes in the kernel.
  return !deferred_ && !server_.iteration_.spent();
}

void DnsStream::update_reading() {
  if (closing_) return;
  bool want = !eof_ && !stopped_ && inflight_ < server_.settings_.max_inflight &&
              doh_queue_.size() < server_.settings_.max_inflight &&
              write_bytes_ <= server_.write_budget_.share(open_connections()) / 2;
  if (want == reading_) return;
  reading_ = want;
  transport_->set_reading(want);
}

void DnsStream::stop_reading() {
  stopped_ = true;
  update_reading();
  if (doh_ && !closing_) {
    doh_->shutdown();  // GOAWAY: the client stops opening streams; open ones are answered
    doh_flush();
  }
}

void DnsStream::defer() {
  if (deferred_) return;
  deferred_ = true;
  server_.defer(weak_from_this());
}

void DnsStream::resume() {
  if (!deferred_ || closing_) return;
  deferred_ = false;
  process();
}

void DnsStream::on_stream_error(StreamError kind) {
  if (closing_) return;
  switch (kind) {
    case StreamError::Io: break;
    case StreamError::Handshake: bump(server_.stats_.tls_handshake_failed); break;
    case StreamError::Renegotiation: bump(server_.stats_.tls_closed_renegotiation); break;
    case StreamError::Protocol: bump(server_.stats_.tls_closed_protocol); break;
  }
  close();
}

void DnsStream::on_stream_eof() {
  if (closing_) return;
  if (!ready_) {
    close();  // gone before the handshake finished
    return;
  }
  // Half close: answer what is in flight, then close (RFC 7766 §6.2.4).
  eof_ = true;
  update_reading();
  if (frames_.buffered() > 0 && !frames_.has_message()) {
    // The client stopped in the middle of a message: nothing more can complete it. (Complete
    // messages still waiting for the in-flight cap or the next iteration are answered.)
    bump(server_.stats_.tcp_closed_framing);
  }
  maybe_finish_after_eof();
}

void DnsStream::on_stream_data(std::span<const uint8_t> bytes) {
  if (closing_) return;
  if (doh_) {
    const uint64_t now = uv_now(server_.loop_);
    const bool ok = doh_->receive(bytes, now);
    // Also here, not only on the timer: a client that keeps the connection busy must not keep
    // its stalled streams alive.
    doh_->expire(now);
    if (ok) process();  // hands the complete requests to the pipeline, then flushes
    doh_flush();        // not HTTP/2, or a protocol error: the last words, then close
    return;
  }
  if (!proxy_checked_) {
    if (!take_proxy_header(bytes)) return;
    std::vector<uint8_t> rest;
    rest.swap(proxy_in_);
    frames_.feed(rest);
  } else {
    frames_.feed(bytes);
  }
  process();
}

bool DnsStream::take_proxy_header(std::span<const uint8_t> bytes) {
  // Over TCP a balancer sends the header once, before the first length prefix (dnsdist,
  // HAProxy), so it is decided once per connection, on the first bytes.
  proxy_in_.insert(proxy_in_.end(), bytes.begin(), bytes.end());
  const ProxyPolicy& proxy = server_.pipeline_.proxy();
  if (proxy.concerns(proxy_in_)) {
    ProxyAdmission a = proxy.admit(proxy_in_, peer_.sa(), true, server_.stats_);
    switch (a.verdict) {
      case ProxyVerdict::NeedMore: return false;  // bounded: the header's size is capped
      case ProxyVerdict::Drop: close(); return false;
      case ProxyVerdict::Proxied:
        peer_ = a.client;
        proxy_in_.erase(proxy_in_.begin(), proxy_in_.begin() + std::ptrdiff_t(a.header_size));
        break;
      case ProxyVerdict::Plain: break;
    }
  }
  proxy_checked_ = true;
  return true;
}

void DnsStream::process() {
  if (processing_) return;  // a synchronous completion re-entered: the outer loop continues
  processing_ = true;
  auto keep = shared_from_this();
  while (!closing_ && inflight_ < server_.settings_.max_inflight && has_query()) {
    if (server_.write_budget_.over(write_bytes_, open_connections())) {
      // The client has not read its share of answers: build it no more, and let it go.
      bump(server_.stats_.tcp_closed_slow_reader);
      close();
      break;
    }
    if (!server_.iteration_.take()) {
      // This loop iteration's TCP budget is spent: the rest waits for the next one, after UDP.
      defer();
      break;
    }
    std::span<const uint8_t> msg;
    int32_t doh_stream = 0;
    std::vector<uint8_t> doh_message;
    if (doh_) {
      doh_stream = doh_queue_.front().stream;
      doh_message = std::move(doh_queue_.front().message);
      doh_queue_.pop_front();
      msg = doh_message;
    } else {
      msg = *frames_.next();
    }
    if (msg.empty()) {
      // A zero length can never frame a DNS message: the stream is out of step.
      bump(server_.stats_.tcp_closed_framing);
      close();
      break;
    }
    if (doh_)
      bump(server_.stats_.https_queries);
    else if (transport_->kind() == StreamKind::Tls)
      bump(server_.stats_.tls_queries);
    restart_timer();
    ++inflight_;
    out_.clear();
    Outcome o = server_.pipeline_.handle(msg, peer_.sa(), true, out_, [this, doh_stream] {
      return [weak = weak_from_this(), doh_stream](std::vector<uint8_t> r) {
        auto c = weak.lock();
        if (!c || c->closing_) return;
        --c->inflight_;
        if (c->doh_)
          c->doh_answer(doh_stream, r);
        else if (!r.empty())
          c->send(std::move(r));
        c->update_reading();
        c->process();  // frames held back by the in-flight cap
        c->maybe_finish_after_eof();
      };
    });
    if (o != Outcome::Later) {
      --inflight_;
      if (doh_)
        doh_answer(doh_stream, o == Outcome::Now ? std::span<const uint8_t>(out_) : std::span<const uint8_t>());
      else if (o == Outcome::Now)
        send(std::move(out_));
    }
  }
  frames_.shrink_if_empty(kKeepInputCapacity);
  processing_ = false;
  doh_flush();  // the answers given in the loop leave in one write
  update_reading();
  maybe_finish_after_eof();
}

void DnsStream::doh_answer(int32_t stream, std::span<const uint8_t> response) {
  doh_->respond(stream, response);  // empty: the pipeline dropped it, the client gets 503
  if (!processing_) doh_flush();
}

void DnsStream::doh_flush() {
  if (!doh_ || closing_) return;
  doh_report();
  doh_out_.clear();
  doh_->take_output(doh_out_);
  if (!doh_out_.empty() && !write_out(doh_out_, {})) return;
  if (doh_out_.capacity() > kKeepInputCapacity) std::vector<uint8_t>().swap(doh_out_);
  maybe_finish_after_eof();
}

void DnsStream::doh_report() {
  // The session counts in plain integers on this thread; the Stats get the increments.
  const DohCounters& now = doh_->counters();
  auto add = [](std::atomic<uint64_t>& to, uint64_t value, uint64_t& seen) {
    if (value > seen) to.fetch_add(value - seen, std::memory_order_relaxed);
    seen = value;
  };
  Stats& s = server_.stats_;
  add(s.https_refused, now.refused, doh_reported_.refused);
  add(s.https_streams_timed_out, now.streams_timed_out, doh_reported_.streams_timed_out);
  add(s.https_streams_reset, now.streams_reset, doh_reported_.streams_reset);
  add(s.https_not_http2, now.not_http2, doh_reported_.not_http2);
}

void DnsStream::send(std::vector<uint8_t> message) {
  if (closing_) return;
  if (message.size() > 65535) return;  // cannot be framed; the builder never makes one
  const uint8_t prefix[2] = {uint8_t(message.size() >> 8), uint8_t(message.size())};
  write_out(prefix, message);
}

bool DnsStream::write_out(std::span<const uint8_t> first, std::span<const uint8_t> second) {
  if (closing_) return false;
  const size_t total = first.size() + second.size();
  auto& budget = server_.write_budget_;
  auto refuse = [&](size_t more) {
    // The client does not read what it asked for (past its share), or the worker's clients
    // together hold the whole TCP budget: it may not hold more of our memory.
    bump(write_bytes_ + more > budget.share(open_connections())
             ? server_.stats_.tcp_closed_slow_reader
             : server_.stats_.tcp_closed_over_budget);
    close();
    return false;
  };
  const bool was_idle = write_bytes_ == 0;
  // Something is waiting already: this answer can only queue behind it.
  if (!was_idle && !budget.may_queue(write_bytes_, total, open_connections())) return refuse(total);
  StreamWrite w = transport_->write(first, second);
  if (w.held > 0) {
    const bool allowed = !was_idle || budget.may_queue(0, w.held, open_connections());
    write_bytes_ += w.held;
    budget.take(w.held);  // given back through on_stream_written, closing or not
    if (!allowed) return refuse(0);
  }
  if (!w.ok) {
    close();
    return false;
  }
  if (w.held == 0) restart_timer();
  update_reading();
  return true;
}

void DnsStream::on_stream_written(size_t held_bytes, bool ok) {
  write_bytes_ -= std::min(write_bytes_, held_bytes);
  server_.write_budget_.give_back(held_bytes);
  if (closing_) return;
  if (!ok) {
    close();
    return;
  }
  restart_timer();
  update_reading();
  maybe_finish_after_eof();
}

void DnsStream::maybe_finish_after_eof() {
  if (closing_ || inflight_ > 0 || write_bytes_ > 0) return;
  // DNS over HTTPS: the session is done (GOAWAY exchanged, not HTTP/2, a protocol error).
  if (doh_ && doh_->finished() && doh_queue_.empty()) {
    close();
    return;
  }
  if (eof_ && !has_query()) close();
}

void DnsStream::close() {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  end_handshake();
  if (listed_) {
    server_.unlist(lru_pos_);
    listed_ = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
           [](uv_handle_t* h) { static_cast<DnsStream*>(h->data)->on_handle_closed(); });
  transport_->close();  // gives back what it held (on_stream_written), then on_stream_closed
}

void DnsStream::on_stream_closed() { on_handle_closed(); }

void DnsStream::on_handle_closed() {
  if (--open_handles_ > 0) return;
  // Last callback: drop the server's reference and our own; `this` may be freed after this.
  auto keep = std::move(self_);
  server_.forget(this);
}

}  // namespace tern::server
