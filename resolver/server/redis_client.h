// One worker's connection to Redis: hiredis's asynchronous API driven on the worker's libuv loop
// (hiredis's libuv adapter), with the guarantees the shared cache needs to stay off the critical
// path: at most `max_outstanding` commands in hiredis at once (more are refused at once, Busy),
// a GET answered within `timeout_ms` or reported as Timeout (the reply, if it comes later, is
// ignored), and a Redis that refuses connections, closes them or stops answering taken out of
// use and reconnected with exponential backoff. Every failure is counted and logged through a
// rate-limited warning; nothing here ever blocks the loop.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>

#include "resolver/config/log.h"

struct redisAsyncContext;

namespace tern::server {

// Reconnection backoff: the first retry after kRedisReconnectMinMs, doubling up to the maximum.
inline constexpr uint64_t kRedisReconnectMinMs = 100;
inline constexpr uint64_t kRedisReconnectMaxMs = 10000;
// This many GET timeouts in a row with no reply in between: Redis is taken as down (its
// connection is closed and reopened with backoff), so a stalled server costs each query at most
// timeout_ms, a few times, instead of every query the timeout.
inline constexpr uint32_t kRedisTimeoutsBeforeDown = 8;
// A new connection is used only once Redis has answered a PING (a stopped server's kernel still
// completes the TCP handshake); without an answer by then it is closed and retried with backoff.
inline constexpr uint64_t kRedisConnectTimeoutMs = 1000;

struct RedisSettings {
  std::string server;            // "HOST:PORT", "[V6]:PORT" or an absolute unix socket path
  uint32_t timeout_ms = 5;       // cache.redis.timeout-ms
  uint32_t max_outstanding = 64; // cache.redis.max-outstanding
};

// What happened to one GET.
enum class RedisResult : uint8_t {
  Value,        // a string: `bytes` holds it (valid only during the callback)
  Nil,          // no such key
  Error,        // an error reply, a reply of another type, or the connection lost
  Timeout,      // no reply within timeout_ms
  Unavailable,  // not connected (down, or backing off before a reconnect): not sent
  Busy,         // max_outstanding commands already in hiredis: not sent
};

struct RedisCounters {
  uint64_t errors = 0;        // error replies, wrong reply types, commands lost with the connection
  uint64_t timeouts = 0;      // GETs answered Timeout
  uint64_t skipped = 0;       // GETs and SETs not sent: not connected, or max_outstanding reached
  uint64_t connects = 0;      // connections established
  uint64_t disconnects = 0;   // connections lost, refused, or closed as unresponsive
};

class RedisClient {
 public:
  // Starts connecting at once. `log` outlives the client.
  RedisClient(uv_loop_t* loop, RedisSettings settings, config::Log& log);
  ~RedisClient();  // pending GETs' callbacks are not called
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  using GetDone = std::function<void(RedisResult, std::span<const uint8_t> bytes)>;
  // `done` is called exactly once (unless the client is destroyed first): synchronously for
  // Unavailable and Busy, later otherwise.
  void get(const std::string& key, GetDone done);
  // SET key value EX seconds; fire and forget (counted, never waited for).
  void set(const std::string& key, std::span<const uint8_t> value, uint32_t expire_seconds);

  bool connected() const { return state_ == State::Up; }
  size_t pending_gets() const { return pending_.size(); }
  const RedisCounters& counters() const { return counters_; }

 private:
  enum class State : uint8_t { Connecting, Up, Down };
  struct Pending {
    GetDone done;
    uint64_t deadline_ms;
  };

  void connect();
  // Closes the connection (when open) and schedules a reconnect; `why` is logged (rate-limited).
  void go_down(const std::string& why);
  void arm_timeout();
  void expire_gets();
  bool admit();  // connected and below max_outstanding; counts a skip otherwise
  static void on_connect(const redisAsyncContext* c, int status);
  static void on_disconnect(const redisAsyncContext* c, int status);
  static void on_get_reply(redisAsyncContext* c, void* reply, void* privdata);
  static void on_set_reply(redisAsyncContext* c, void* reply, void* privdata);
  static void on_ping_reply(redisAsyncContext* c, void* reply, void* privdata);

  uv_loop_t* loop_;
  RedisSettings settings_;
  config::Log& log_;
  redisAsyncContext* ctx_ = nullptr;
  State state_ = State::Down;
  uv_timer_t* timeout_timer_ = nullptr;
  uv_timer_t* reconnect_timer_ = nullptr;
  uint64_t backoff_ms_ = kRedisReconnectMinMs;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Pending> pending_;  // GETs not yet answered or timed out
  std::deque<uint64_t> order_;                     // GET ids by deadline (the timeout is fixed)
  size_t in_hiredis_ = 0;                          // commands whose callback hiredis still owes
  uint32_t timeouts_in_a_row_ = 0;
  bool reported_down_ = false;  // a warning said Redis is unusable: say so when it is back
  bool destroying_ = false;
  RedisCounters counters_;
  config::WarningLimiter warn_down_, warn_busy_, warn_error_;
};

}  // namespace tern::server
