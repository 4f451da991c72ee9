#include "resolver/server/redis_client.h"

#include <arpa/inet.h>
#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "resolver/config/address.h"
#include "resolver/server/uv_util.h"

namespace tern::server {
namespace {

// hiredis wants an IP string and a port; the configuration was checked at start-up.
redisAsyncContext* open_context(const std::string& server) {
  if (!server.empty() && server[0] == '/') return redisAsyncConnectUnix(server.c_str());
  auto a = config::SocketAddress::parse(server, 6379);
  if (!a) return nullptr;
  char host[INET6_ADDRSTRLEN] = {};
  if (a->family() == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->sa())->sin6_addr, host, sizeof host);
  else
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->sa())->sin_addr, host, sizeof host);
  return redisAsyncConnect(host, a->port());
}

RedisClient* owner(const redisAsyncContext* c) { return static_cast<RedisClient*>(c->data); }

}  // namespace

RedisClient::RedisClient(uv_loop_t* loop, RedisSettings settings, config::Log& log)
    : loop_(loop), settings_(std::move(settings)), log_(log) {
  timeout_timer_ = new uv_timer_t;
  uv_timer_init(loop_, timeout_timer_);
  timeout_timer_->data = this;
  reconnect_timer_ = new uv_timer_t;
  uv_timer_init(loop_, reconnect_timer_);
  reconnect_timer_->data = this;
  connect();
}

RedisClient::~RedisClient() {
  destroying_ = true;
  pending_.clear();
  order_.clear();
  if (ctx_) {
    redisAsyncContext* c = ctx_;
    ctx_ = nullptr;
    // Calls every outstanding callback with no reply (ignored: destroying_) and closes the
    // adapter's poll handle through uv_close.
    redisAsyncFree(c);
  }
  close_and_delete(timeout_timer_);
  close_and_delete(reconnect_timer_);
}

void RedisClient::connect() {
  state_ = State::Connecting;
  redisAsyncContext* c = open_context(settings_.server);
  if (!c || c->err) {
    std::string why = c ? c->errstr : "cannot allocate a connection";
    if (c) redisAsyncFree(c);
    state_ = State::Down;
    go_down("cannot connect: " + why);
    return;
  }
  c->data = this;
  if (redisLibuvAttach(c, loop_) != REDIS_OK) {
    redisAsyncFree(c);
    state_ = State::Down;
    go_down("cannot attach to the event loop");
    return;
  }
  redisAsyncSetConnectCallback(c, &RedisClient::on_connect);
  redisAsyncSetDisconnectCallback(c, &RedisClient::on_disconnect);
  ctx_ = c;
  // The PING also makes hiredis watch the socket, so the connect's outcome is reported.
  if (redisAsyncCommand(c, &RedisClient::on_ping_reply, nullptr, "PING") == REDIS_OK) ++in_hiredis_;
  uv_timer_start(reconnect_timer_, [](uv_timer_t* t) {
    auto* self = static_cast<RedisClient*>(t->data);
    if (self->state_ == State::Connecting)
      self->go_down(fmt::format("no answer to PING within {} ms", kRedisConnectTimeoutMs));
  }, kRedisConnectTimeoutMs, 0);
}

void RedisClient::on_connect(const redisAsyncContext* c, int status) {
  RedisClient* self = owner(c);
  if (self->destroying_ || c != self->ctx_) return;
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    std::string why = c->errstr;
    self->ctx_ = nullptr;
    self->state_ = State::Down;
    self->go_down("cannot connect: " + why);
  }
  // Connected: in use once the PING is answered (on_ping_reply).
}

void RedisClient::on_ping_reply(redisAsyncContext* c, void* r, void*) {
  RedisClient* self = owner(c);
  if (self->in_hiredis_) --self->in_hiredis_;
  if (self->destroying_ || c != self->ctx_ || self->state_ != State::Connecting) return;
  auto* reply = static_cast<redisReply*>(r);
  if (!reply) return;  // the connection failed: on_connect / on_disconnect say so
  if (reply->type == REDIS_REPLY_ERROR) {
    // e.g. NOAUTH or LOADING: not usable now; try again later.
    self->go_down("PING answered an error: " + std::string(reply->str, size_t(reply->len)));
    return;
  }
  uv_timer_stop(self->reconnect_timer_);
  self->state_ = State::Up;
  self->backoff_ms_ = kRedisReconnectMinMs;
  self->timeouts_in_a_row_ = 0;
  ++self->counters_.connects;
  if (self->reported_down_) {
    self->log_.info("redis {}: connected again; the shared cache is in use", self->settings_.server);
    self->reported_down_ = false;
  }
}

void RedisClient::on_disconnect(const redisAsyncContext* c, int status) {
  RedisClient* self = owner(c);
  // Our own redisAsyncFree (go_down, the destructor) has already let go of the context.
  if (self->destroying_ || c != self->ctx_) return;
  std::string why = status == REDIS_OK ? "connection closed" : std::string("connection lost: ") + c->errstr;
  self->ctx_ = nullptr;  // hiredis frees it after this callback
  self->state_ = State::Down;
  self->go_down(why);
}

void RedisClient::go_down(const std::string& why) {
  ++counters_.disconnects;
  if (ctx_) {
    redisAsyncContext* c = ctx_;
    ctx_ = nullptr;
    redisAsyncFree(c);  // outstanding GETs are answered Error from inside this call
  }
  state_ = State::Down;
  if (log_.warn_limited(warn_down_, "redis {}: {}; the shared cache is skipped until it reconnects "
                                    "(next try in {} ms)", settings_.server, why, backoff_ms_))
    reported_down_ = true;
  if (destroying_) return;
  uv_timer_start(reconnect_timer_, [](uv_timer_t* t) { static_cast<RedisClient*>(t->data)->connect(); },
                 backoff_ms_, 0);
  backoff_ms_ = std::min(backoff_ms_ * 2, kRedisReconnectMaxMs);
}

bool RedisClient::admit() {
  if (state_ != State::Up || !ctx_) {
    ++counters_.skipped;
    return false;
  }
  if (in_hiredis_ >= settings_.max_outstanding) {
    ++counters_.skipped;
    log_.warn_limited(warn_busy_, "redis {}: {} commands outstanding (cache.redis.max-outstanding); "
                                  "queries resolve without the shared cache until it answers",
                      settings_.server, in_hiredis_);
    return false;
  }
  return true;
}

void RedisClient::get(const std::string& key, GetDone done) {
  if (!admit()) {
    done(state_ == State::Up ? RedisResult::Busy : RedisResult::Unavailable, {});
    return;
  }
  uint64_t id = next_id_++;
  if (redisAsyncCommand(ctx_, &RedisClient::on_get_reply, reinterpret_cast<void*>(uintptr_t(id)),
                        "GET %b", key.data(), key.size()) != REDIS_OK) {
    ++counters_.errors;
    done(RedisResult::Error, {});
    return;
  }
  ++in_hiredis_;
  pending_.emplace(id, Pending{std::move(done), uv_now(loop_) + settings_.timeout_ms});
  order_.push_back(id);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(timeout_timer_))) arm_timeout();
}

void RedisClient::set(const std::string& key, std::span<const uint8_t> value, uint32_t expire_seconds) {
  if (!admit()) return;
  std::string ex = std::to_string(std::max<uint32_t>(expire_seconds, 1));
  if (redisAsyncCommand(ctx_, &RedisClient::on_set_reply, nullptr, "SET %b %b EX %s", key.data(),
                        key.size(), value.data(), value.size(), ex.c_str()) != REDIS_OK) {
    ++counters_.errors;
    return;
  }
  ++in_hiredis_;
}

void RedisClient::arm_timeout() {
  while (!order_.empty() && !pending_.count(order_.front())) order_.pop_front();
  if (order_.empty()) return;
  uint64_t deadline = pending_.at(order_.front()).deadline_ms;
  uint64_t now = uv_now(loop_);
  uv_timer_start(timeout_timer_, [](uv_timer_t* t) { static_cast<RedisClient*>(t->data)->expire_gets(); },
                 deadline > now ? deadline - now : 0, 0);
}

void RedisClient::expire_gets() {
  uint64_t now = uv_now(loop_);
  while (!order_.empty()) {
    auto it = pending_.find(order_.front());
    if (it == pending_.end()) {
      order_.pop_front();
      continue;
    }
    if (it->second.deadline_ms > now) break;
    GetDone done = std::move(it->second.done);
    pending_.erase(it);
    order_.pop_front();
    ++counters_.timeouts;
    ++timeouts_in_a_row_;
    done(RedisResult::Timeout, {});
  }
  if (timeouts_in_a_row_ >= kRedisTimeoutsBeforeDown && state_ == State::Up) {
    timeouts_in_a_row_ = 0;
    go_down(fmt::format("{} requests in a row not answered within {} ms (cache.redis.timeout-ms)",
                        kRedisTimeoutsBeforeDown, settings_.timeout_ms));
  }
  arm_timeout();
}

void RedisClient::on_get_reply(redisAsyncContext* c, void* r, void* privdata) {
  RedisClient* self = owner(c);
  if (self->in_hiredis_) --self->in_hiredis_;
  if (self->destroying_) return;
  auto it = self->pending_.find(uint64_t(reinterpret_cast<uintptr_t>(privdata)));
  if (it == self->pending_.end()) return;  // answered Timeout already
  GetDone done = std::move(it->second.done);
  self->pending_.erase(it);
  auto* reply = static_cast<redisReply*>(r);
  if (reply) self->timeouts_in_a_row_ = 0;
  if (reply && reply->type == REDIS_REPLY_STRING) {
    done(RedisResult::Value, {reinterpret_cast<const uint8_t*>(reply->str), size_t(reply->len)});
    return;
  }
  if (reply && reply->type == REDIS_REPLY_NIL) {
    done(RedisResult::Nil, {});
    return;
  }
  ++self->counters_.errors;
  if (reply)
    self->log_.warn_limited(self->warn_error_, "redis {}: GET answered {}{}; treated as a miss",
                            self->settings_.server,
                            reply->type == REDIS_REPLY_ERROR ? "an error: " : "a reply of the wrong type",
                            reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, size_t(reply->len)) : "");
  done(RedisResult::Error, {});
}

void RedisClient::on_set_reply(redisAsyncContext* c, void* r, void*) {
  RedisClient* self = owner(c);
  if (self->in_hiredis_) --self->in_hiredis_;
  if (self->destroying_) return;
  auto* reply = static_cast<redisReply*>(r);
  if (!reply) return;  // the connection went: counted where it was noticed
  if (reply->type == REDIS_REPLY_ERROR) {
    // A full Redis (maxmemory with noeviction) answers OOM here: the answer is simply not shared.
    ++self->counters_.errors;
    self->log_.warn_limited(self->warn_error_, "redis {}: SET answered an error: {}; answers are not "
                            "shared until it accepts them", self->settings_.server,
                            std::string(reply->str, size_t(reply->len)));
  }
}

}  // namespace tern::server
