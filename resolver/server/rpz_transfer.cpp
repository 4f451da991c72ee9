#include "resolver/server/rpz_transfer.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "resolver/config/address.h"
#include "resolver/server/rpz_parser.h"
#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rdata.h"

namespace tern::server {
namespace {

// One TCP connection to the primary, closed on destruction.
class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string open(const std::string& primary) {
    auto addr = config::SocketAddress::parse(primary, 53);
    if (!addr) return fmt::format("primary {}: not an address", primary);
    fd_ = ::socket(addr->family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fmt::format("primary {}: socket failed", primary);
    timeval tv{kRpzTransferTimeoutMs / 1000, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
    if (::connect(fd_, addr->sa(), addr->length) != 0) return fmt::format("primary {}: connect failed", primary);
    return "";
  }
  bool send(const std::vector<uint8_t>& msg) {
    std::vector<uint8_t> framed{uint8_t(msg.size() >> 8), uint8_t(msg.size())};
    framed.insert(framed.end(), msg.begin(), msg.end());
    size_t off = 0;
    while (off < framed.size()) {
      ssize_t n = ::send(fd_, framed.data() + off, framed.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += size_t(n);
    }
    return true;
  }
  // One length-prefixed message; false on close, timeout or error.
  bool receive(std::vector<uint8_t>& msg) {
    uint8_t len[2];
    if (!read_exact(len, 2)) return false;
    msg.resize(size_t(len[0]) << 8 | len[1]);
    return read_exact(msg.data(), msg.size());
  }

 private:
  bool read_exact(uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= size_t(r);
    }
    return true;
  }
  int fd_ = -1;
};

uint16_t random_id() {
  std::random_device rd;
  return uint16_t(rd());
}

uint32_t u32(std::span<const uint8_t> b, size_t off) {
  return uint32_t(b[off]) << 24 | uint32_t(b[off + 1]) << 16 | uint32_t(b[off + 2]) << 8 | b[off + 3];
}

size_t name_end(std::span<const uint8_t> b, size_t off) {
  while (off < b.size() && b[off] != 0) off += 1 + b[off];
  return off + 1;
}

}  // namespace

std::optional<RpzSoa> rpz_soa_of(std::span<const uint8_t> rdata) {
  size_t off = name_end(rdata, 0);
  off = name_end(rdata, off);
  if (off + 20 > rdata.size()) return std::nullopt;
  RpzSoa soa;
  soa.serial = u32(rdata, off);
  soa.refresh = std::clamp(u32(rdata, off + 4), kRpzMinRefreshSeconds, kRpzMaxRefreshSeconds);
  soa.retry = std::clamp(u32(rdata, off + 8), kRpzMinRefreshSeconds, kRpzMaxRefreshSeconds);
  return soa;
}

std::optional<RpzSoa> rpz_query_soa(const std::string& primary, const wire::Name& zone, std::string& error) {
  Connection c;
  if (error = c.open(primary); !error.empty()) return std::nullopt;
  uint16_t id = random_id();
  std::vector<uint8_t> reply;
  if (!c.send(wire::build_query(id, zone, wire::RRType::SOA, wire::RRClass::IN, false, std::nullopt)) ||
      !c.receive(reply)) {
    error = fmt::format("primary {}: no answer to the SOA query", primary);
    return std::nullopt;
  }
  auto msg = wire::MessageView::parse(reply);
  if (!msg || msg->header().id != id || !msg->header().qr || msg->rcode() != wire::Rcode::NoError) {
    error = fmt::format("primary {}: bad answer to the SOA query", primary);
    return std::nullopt;
  }
  for (const auto& rec : msg->answer()) {
    if (rec.type() != wire::RRType::SOA) continue;
    auto rdata = wire::decompress_rdata(*msg, rec);
    if (rdata)
      if (auto soa = rpz_soa_of(*rdata)) return soa;
  }
  error = fmt::format("primary {}: no SOA for {}", primary, zone.to_text());
  return std::nullopt;
}

RpzTransferResult rpz_axfr(const std::string& primary, const wire::Name& zone, size_t max_rules) {
  RpzTransferResult out;
  Connection c;
  if (out.error = c.open(primary); !out.error.empty()) return out;
  uint16_t id = random_id();
  if (!c.send(wire::build_query(id, zone, wire::RRType::AXFR, wire::RRClass::IN, false, std::nullopt))) {
    out.error = fmt::format("primary {}: cannot send the AXFR query", primary);
    return out;
  }
  RpzBuilder builder(zone, max_rules);
  // RFC 5936 §2.2: the zone's SOA, every record, the SOA again; over one or more messages.
  size_t soas = 0, records = 0;
  std::vector<uint8_t> reply;
  while (soas < 2) {
    if (!c.receive(reply)) {
      out.error = fmt::format("primary {}: transfer of {} ended early after {} records", primary, zone.to_text(), records);
      return out;
    }
    auto msg = wire::MessageView::parse(reply);
    if (!msg || msg->header().id != id || !msg->header().qr || msg->rcode() != wire::Rcode::NoError) {
      out.error = fmt::format("primary {}: transfer of {} refused or malformed", primary, zone.to_text());
      return out;
    }
    if (msg->answer().empty()) {
      out.error = fmt::format("primary {}: empty transfer message", primary);
      return out;
    }
    for (const auto& rec : msg->answer()) {
      auto owner = rec.owner().to_name();
      auto rdata = wire::decompress_rdata(*msg, rec);
      if (!owner || !rdata) {
        out.error = fmt::format("primary {}: malformed record in the transfer", primary);
        return out;
      }
      if (rec.type() == wire::RRType::SOA && *owner == zone) {
        if (soas++ == 0) {
          if (auto soa = rpz_soa_of(*rdata)) out.soa = *soa;
        } else {
          break;  // the closing SOA
        }
        if (records > 0) continue;  // only the opening SOA goes into the zone
      }
      if (soas == 0) {
        out.error = fmt::format("primary {}: transfer does not start with the SOA", primary);
        return out;
      }
      wire::ParsedRR rr;
      rr.owner = *owner;
      rr.type = rec.type();
      rr.rclass = rec.rclass();
      rr.ttl = rec.ttl();
      rr.rdata.assign(rdata->begin(), rdata->end());
      if (std::string e = builder.add(rr); !e.empty()) {
        out.error = fmt::format("primary {}: {}", primary, e);
        return out;
      }
      ++records;
    }
  }
  out.zone = std::make_shared<const RpzZone>(builder.take());
  return out;
}

}  // namespace tern::server
