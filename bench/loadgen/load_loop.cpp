#include "load_loop.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

namespace tern::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBatch = 64;
constexpr int kMaxResponse = 4096;
constexpr uint64_t kNoQuery = 0;

uint64_t nanos_since(Clock::time_point start, Clock::time_point now) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
}

// A query in flight, found by its DNS ID. `serial` tells a live slot from a reused one when a
// timed-out entry is checked later.
struct Slot {
  uint64_t serial = kNoQuery;
  uint64_t sent_ns = 0;
};

struct Pending {
  uint16_t id;
  uint64_t serial;
  uint64_t sent_ns;
};

class Loop {
 public:
  Loop(const QuerySet& queries, const LoadOptions& options, LoadResult& result)
      : queries_(queries), options_(options), result_(result), slots_(65536) {}

  bool open() {
    for (int i = 0; i < options_.sockets; ++i) {
      int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return false;
      int buffer = 4 << 20;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
      if (connect(fd, reinterpret_cast<const sockaddr*>(&options_.server), sizeof options_.server) != 0) {
        close(fd);
        return false;
      }
      fds_.push_back(fd);
    }
    return true;
  }

  ~Loop() {
    for (int fd : fds_) close(fd);
  }

  void run() {
    start_ = Clock::now();
    const uint64_t send_until = static_cast<uint64_t>(options_.duration_s * 1e9);
    const uint64_t timeout_ns = static_cast<uint64_t>(std::chrono::nanoseconds(options_.timeout).count());
    uint64_t last_answer_ns = 0;
    for (;;) {
      uint64_t now = nanos_since(start_, Clock::now());
      bool sending = now < send_until && !out_of_queries();
      if (!sending && in_flight_ == 0) break;
      if (!sending && now > send_until + timeout_ns) break;

      bool progressed = false;
      if (sending) progressed |= send_allowed(now);
      uint64_t answered_before = result_.answered;
      progressed |= receive_all();
      if (result_.answered != answered_before) last_answer_ns = nanos_since(start_, Clock::now());
      expire(nanos_since(start_, Clock::now()), timeout_ns);
      if (!progressed) wait_readable();
    }
    result_.lost += in_flight_;
    result_.elapsed_s = static_cast<double>(last_answer_ns) / 1e9;
  }

 private:
  bool out_of_queries() const {
    if (options_.max_queries != 0 && result_.sent >= options_.max_queries) return true;
    return options_.once && result_.sent >= queries_.queries.size();
  }

  uint64_t allowed_now(uint64_t now) const {
    uint64_t window = in_flight_ >= static_cast<uint64_t>(options_.outstanding)
                          ? 0 : static_cast<uint64_t>(options_.outstanding) - in_flight_;
    if (options_.rate > 0) {
      auto due = static_cast<uint64_t>(static_cast<double>(now) * options_.rate / 1e9) + 1;
      window = std::min(window, due > result_.sent ? due - result_.sent : 0);
    }
    if (options_.max_queries != 0) window = std::min(window, options_.max_queries - result_.sent);
    if (options_.once) window = std::min(window, queries_.queries.size() - result_.sent);
    return window;
  }

  // Picks a free ID; the window is far below 65536, so the scan ends quickly.
  uint16_t next_free_id() {
    while (slots_[next_id_].serial != kNoQuery) ++next_id_;
    return next_id_++;
  }

  bool send_allowed(uint64_t now) {
    uint64_t allowed = allowed_now(now);
    if (allowed == 0) return false;
    bool progressed = false;
    // Spread over the sockets in batches, each socket's batch one sendmmsg call.
    while (allowed > 0) {
      int fd = fds_[next_socket_];
      next_socket_ = (next_socket_ + 1) % fds_.size();
      int count = static_cast<int>(std::min<uint64_t>(allowed, kBatch));
      mmsghdr messages[kBatch]{};
      iovec iov[kBatch]{};
      uint16_t ids[kBatch];
      uint64_t serials[kBatch];
      uint64_t sent_ns = nanos_since(start_, Clock::now());
      for (int i = 0; i < count; ++i) {
        std::vector<uint8_t>& query = send_buffers_[i];
        query = queries_.queries[query_index_];
        query_index_ = (query_index_ + 1) % queries_.queries.size();
        ids[i] = next_free_id();
        serials[i] = ++serial_;
        query[0] = static_cast<uint8_t>(ids[i] >> 8);
        query[1] = static_cast<uint8_t>(ids[i]);
        slots_[ids[i]] = {serials[i], sent_ns};
        iov[i] = {query.data(), query.size()};
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
      }
      int sent = sendmmsg(fd, messages, static_cast<unsigned>(count), 0);
      if (sent < 0) sent = 0;
      for (int i = 0; i < count; ++i) {
        if (i < sent) {
          pending_.push_back({ids[i], serials[i], sent_ns});
        } else {
          slots_[ids[i]].serial = kNoQuery;  // never left: give the ID back
        }
      }
      result_.sent += static_cast<uint64_t>(sent);
      in_flight_ += static_cast<uint64_t>(sent);
      allowed -= static_cast<uint64_t>(count);
      if (sent > 0) progressed = true;
      if (sent < count) break;  // socket buffer full: receive first
    }
    return progressed;
  }

  bool receive_all() {
    bool progressed = false;
    for (int fd : fds_) {
      for (;;) {
        mmsghdr messages[kBatch]{};
        iovec iov[kBatch];
        for (int i = 0; i < kBatch; ++i) {
          iov[i] = {receive_buffer_.data() + static_cast<size_t>(i) * kMaxResponse, kMaxResponse};
          messages[i].msg_hdr.msg_iov = &iov[i];
          messages[i].msg_hdr.msg_iovlen = 1;
        }
        int received = recvmmsg(fd, messages, kBatch, MSG_DONTWAIT, nullptr);
        if (received <= 0) break;
        progressed = true;
        uint64_t now = nanos_since(start_, Clock::now());
        for (int i = 0; i < received; ++i) {
          const uint8_t* packet = static_cast<const uint8_t*>(iov[i].iov_base);
          if (messages[i].msg_len < 12 || (packet[2] & 0x80) == 0) {
            ++result_.unexpected;
            continue;
          }
          uint16_t id = static_cast<uint16_t>(packet[0] << 8 | packet[1]);
          Slot& slot = slots_[id];
          if (slot.serial == kNoQuery) {
            ++result_.unexpected;
            continue;
          }
          result_.latency.record(now - slot.sent_ns);
          ++result_.rcodes[packet[3] & 0x0f];
          ++result_.answered;
          slot.serial = kNoQuery;
          --in_flight_;
        }
        if (received < kBatch) break;
      }
    }
    return progressed;
  }

  // Pending entries are in send order, so expired ones are at the front.
  void expire(uint64_t now, uint64_t timeout_ns) {
    while (!pending_.empty()) {
      const Pending& front = pending_.front();
      Slot& slot = slots_[front.id];
      if (slot.serial == front.serial) {
        if (now - front.sent_ns < timeout_ns) break;
        slot.serial = kNoQuery;
        --in_flight_;
        ++result_.lost;
      }
      pending_.pop_front();
    }
  }

  void wait_readable() {
    std::vector<pollfd> polls;
    polls.reserve(fds_.size());
    for (int fd : fds_) polls.push_back({fd, POLLIN, 0});
    // A fixed-rate run must wake for its next send: 1 ms is below any rate's batch spacing
    // that matters here and keeps the loop idle between sends.
    poll(polls.data(), polls.size(), 1);
  }

  const QuerySet& queries_;
  const LoadOptions& options_;
  LoadResult& result_;
  std::vector<Slot> slots_;
  std::deque<Pending> pending_;
  std::vector<int> fds_;
  std::vector<std::vector<uint8_t>> send_buffers_ = std::vector<std::vector<uint8_t>>(kBatch);
  std::vector<uint8_t> receive_buffer_ = std::vector<uint8_t>(size_t{kBatch} * kMaxResponse);
  Clock::time_point start_;
  uint64_t in_flight_ = 0;
  uint64_t serial_ = 0;
  size_t query_index_ = 0;
  size_t next_socket_ = 0;
  uint16_t next_id_ = 0;
};

}  // namespace

bool run_load(const QuerySet& queries, const LoadOptions& options, LoadResult& result) {
  Loop loop(queries, options, result);
  if (!loop.open()) return false;
  loop.run();
  return true;
}

}  // namespace tern::bench
