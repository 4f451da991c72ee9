// The PROXY v2 parser and the policy around it, on hand-written byte vectors (the layout of
// HAProxy's proxy-protocol.txt section 2.2).
#include <catch2/catch.hpp>

#include <vector>

#include "resolver/config/config.h"
#include "resolver/server/proxy_header.h"
#include "resolver/server/proxy_policy.h"

using namespace tern;
using namespace tern::server;

namespace {

using Bytes = std::vector<uint8_t>;

const Bytes kSig = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// PROXY, UDP over IPv4: 192.0.2.7:4242 -> 198.51.100.1:53.
const Bytes kUdp4 = cat({kSig, {0x21, 0x12, 0x00, 0x0C}, {192, 0, 2, 7}, {198, 51, 100, 1},
                         {0x10, 0x92}, {0x00, 0x35}});
// PROXY, TCP over IPv6: 2001:db8::5 port 1000 -> 2001:db8::53 port 53.
const Bytes kTcp6 = cat({kSig, {0x21, 0x21, 0x00, 0x24},
                         {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05},
                         {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53},
                         {0x03, 0xE8}, {0x00, 0x35}});
const Bytes kDnsQuery = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};

std::string src(const ProxyHeader& h) { return h.source.to_string(); }

}  // namespace

TEST_CASE("proxy header: PROXY UDP4 gives the client and the size") {
  Bytes d = cat({kUdp4, kDnsQuery});
  auto r = parse_proxy_header(d);
  REQUIRE(r.ok());
  CHECK_FALSE(r->local);
  CHECK_FALSE(r->stream);
  CHECK(src(*r) == "192.0.2.7:4242");
  CHECK(r->destination.to_string() == "198.51.100.1:53");
  CHECK(r->size == 28);
}

TEST_CASE("proxy header: PROXY TCP6") {
  auto r = parse_proxy_header(kTcp6);
  REQUIRE(r.ok());
  CHECK(r->stream);
  CHECK(src(*r) == "[2001:db8::5]:1000");
  CHECK(r->destination.to_string() == "[2001:db8::53]:53");
  CHECK(r->size == 52);
}

TEST_CASE("proxy header: TCP4 and UDP6 families") {
  Bytes tcp4 = kUdp4;
  tcp4[13] = 0x11;
  auto a = parse_proxy_header(tcp4);
  REQUIRE(a.ok());
  CHECK(a->stream);
  Bytes udp6 = kTcp6;
  udp6[13] = 0x22;
  auto b = parse_proxy_header(udp6);
  REQUIRE(b.ok());
  CHECK_FALSE(b->stream);
  CHECK(src(*b) == "[2001:db8::5]:1000");
}

TEST_CASE("proxy header: LOCAL ignores the address block, whatever the family") {
  Bytes local = cat({kSig, {0x20, 0x00, 0x00, 0x00}});
  auto r = parse_proxy_header(local);
  REQUIRE(r.ok());
  CHECK(r->local);
  CHECK(r->size == 16);
  // dnsdist's health checks over a PROXY-enabled backend may carry addresses: skipped.
  Bytes with_addresses = kUdp4;
  with_addresses[12] = 0x20;
  auto s = parse_proxy_header(with_addresses);
  REQUIRE(s.ok());
  CHECK(s->local);
  CHECK(s->size == 28);
}

TEST_CASE("proxy header: TLVs are skipped, bounded by the length") {
  // Two TLVs: type 0x02 (authority) "ns", type 0xEE (custom) of length 0. Length 12 + 5 + 3.
  Bytes tlvs = {0x02, 0x00, 0x02, 'n', 's', 0xEE, 0x00, 0x00};
  Bytes d = cat({kSig, {0x21, 0x12, 0x00, 0x14}, {192, 0, 2, 7}, {198, 51, 100, 1}, {0x10, 0x92},
                 {0x00, 0x35}, tlvs, kDnsQuery});
  auto r = parse_proxy_header(d);
  REQUIRE(r.ok());
  CHECK(r->size == 28 + tlvs.size());
  CHECK(src(*r) == "192.0.2.7:4242");

  // A TLV whose length runs past the header's end (into the DNS message).
  Bytes bad = cat({kSig, {0x21, 0x12, 0x00, 0x11}, {192, 0, 2, 7}, {198, 51, 100, 1}, {0x10, 0x92},
                   {0x00, 0x35}, {0x02, 0x00, 0x09, 'n', 's'}, kDnsQuery});
  CHECK(parse_proxy_header(bad).error() == ProxyError::BadTlv);
  // Fewer than three bytes left for a TLV header.
  Bytes stub = cat({kSig, {0x21, 0x12, 0x00, 0x0E}, {192, 0, 2, 7}, {198, 51, 100, 1}, {0x10, 0x92},
                    {0x00, 0x35}, {0x02, 0x00}});
  CHECK(parse_proxy_header(stub).error() == ProxyError::BadTlv);
}

TEST_CASE("proxy header: truncated input is incomplete at every cut") {
  Bytes d = kUdp4;
  for (size_t cut = 0; cut < d.size(); ++cut) {
    auto r = parse_proxy_header(std::span<const uint8_t>(d.data(), cut));
    INFO("cut " << cut);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == ProxyError::Incomplete);
  }
}

TEST_CASE("proxy header: not a header") {
  CHECK(parse_proxy_header(kDnsQuery).error() == ProxyError::NotProxy);
  Bytes wrong = kUdp4;
  wrong[7] = 'q';  // "qUIT"
  CHECK(parse_proxy_header(wrong).error() == ProxyError::NotProxy);
  // Version 1, the text form.
  Bytes v1 = {'P', 'R', 'O', 'X', 'Y', ' ', 'T', 'C', 'P', '4', ' '};
  CHECK(parse_proxy_header(v1).error() == ProxyError::NotProxy);
}

TEST_CASE("proxy header: wrong version, command, family") {
  Bytes v = kUdp4;
  v[12] = 0x11;
  CHECK(parse_proxy_header(v).error() == ProxyError::BadVersion);
  v[12] = 0x31;
  CHECK(parse_proxy_header(v).error() == ProxyError::BadVersion);
  v[12] = 0x22;
  CHECK(parse_proxy_header(v).error() == ProxyError::BadCommand);
  for (uint8_t fam : {0x00, 0x10, 0x13, 0x31, 0x32, 0x41}) {
    Bytes f = kUdp4;
    f[13] = fam;
    INFO("family " << int(fam));
    CHECK(parse_proxy_header(f).error() == ProxyError::BadFamily);
  }
}

TEST_CASE("proxy header: lengths") {
  // IPv6 family with only an IPv4 block.
  Bytes short6 = kUdp4;
  short6[13] = 0x22;
  CHECK(parse_proxy_header(short6).error() == ProxyError::BadAddresses);
  // A declared length past what arrived: incomplete, even with a DNS message after it.
  Bytes over = kUdp4;
  over[15] = 0x40;
  CHECK(parse_proxy_header(over).error() == ProxyError::Incomplete);
  // 0xFFFF: the largest the field can say, over the default maximum before any byte of it came.
  Bytes huge = cat({kSig, {0x21, 0x12, 0xFF, 0xFF}});
  CHECK(parse_proxy_header(huge).error() == ProxyError::TooLarge);
  CHECK(parse_proxy_header(huge, 16 + 0xFFFF).error() == ProxyError::Incomplete);
  // The maximum covers the whole header: 28 bytes pass at 28, not at 27.
  CHECK(parse_proxy_header(kUdp4, 28).ok());
  CHECK(parse_proxy_header(kUdp4, 27).error() == ProxyError::TooLarge);
}

TEST_CASE("proxy policy: listed balancers, others, missing and malformed headers") {
  ProxyPolicy policy({*config::Network::parse("127.0.0.5/32")}, kProxyProtocolMaximumSize);
  auto balancer = *config::SocketAddress::parse("127.0.0.5:4000");
  auto other = *config::SocketAddress::parse("127.0.0.1:4000");
  Stats stats;
  Bytes d = cat({kUdp4, kDnsQuery});

  ProxyAdmission a = policy.admit(d, balancer.sa(), false, stats);
  CHECK(a.verdict == ProxyVerdict::Proxied);
  CHECK(a.header_size == 28);
  CHECK(a.client.to_string() == "192.0.2.7:4242");
  CHECK(stats.proxy_accepted == 1);

  CHECK(policy.admit(d, other.sa(), false, stats).verdict == ProxyVerdict::Drop);
  CHECK(stats.proxy_not_allowed == 1);
  CHECK(policy.admit(kDnsQuery, other.sa(), false, stats).verdict == ProxyVerdict::Plain);

  CHECK(policy.admit(kDnsQuery, balancer.sa(), false, stats).verdict == ProxyVerdict::Drop);
  CHECK(stats.proxy_missing == 1);
  Bytes bad = d;
  bad[12] = 0x11;
  CHECK(policy.admit(bad, balancer.sa(), false, stats).verdict == ProxyVerdict::Drop);
  CHECK(stats.proxy_malformed == 1);
  // A cut header: malformed over UDP, "wait" over TCP.
  std::span<const uint8_t> cut(d.data(), 20);
  CHECK(policy.admit(cut, balancer.sa(), true, stats).verdict == ProxyVerdict::NeedMore);
  CHECK(policy.admit(cut, balancer.sa(), false, stats).verdict == ProxyVerdict::Drop);
  CHECK(stats.proxy_malformed == 2);
  // A TCP client not listed that starts like the signature: wait for 12 bytes to decide.
  CHECK(policy.admit(std::span<const uint8_t>(d.data(), 5), other.sa(), true, stats).verdict ==
        ProxyVerdict::NeedMore);

  // LOCAL: the balancer itself is the client.
  Bytes local = cat({kSig, {0x20, 0x00, 0x00, 0x00}, kDnsQuery});
  ProxyAdmission l = policy.admit(local, balancer.sa(), false, stats);
  CHECK(l.verdict == ProxyVerdict::Proxied);
  CHECK(l.header_size == 16);
  CHECK(l.client.to_string() == "127.0.0.5:4000");
}

TEST_CASE("proxy policy: with no balancer listed, only a signature costs anything") {
  ProxyPolicy none;
  CHECK_FALSE(none.concerns(kDnsQuery));
  Bytes d = cat({kUdp4, kDnsQuery});
  CHECK(none.concerns(d));
  Stats stats;
  auto sender = *config::SocketAddress::parse("127.0.0.1:4000");
  CHECK(none.admit(d, sender.sa(), false, stats).verdict == ProxyVerdict::Drop);
  CHECK(stats.proxy_not_allowed == 1);
  ProxyPolicy some({*config::Network::parse("10.0.0.0/8")}, 512);
  CHECK(some.concerns(kDnsQuery));
}

TEST_CASE("config: proxy-protocol-from and proxy-protocol-maximum-size") {
  config::Config c = config::default_config();
  CHECK(c.server.proxy_protocol_from.empty());
  CHECK(c.server.proxy_protocol_maximum_size == kProxyProtocolMaximumSize);
  config::apply_toml(c, "[server]\nproxy-protocol-from = [\"10.1.0.0/16\", \"fd00::/8\"]\n"
                        "proxy-protocol-maximum-size = 1024\n", "t.toml");
  REQUIRE(c.server.proxy_protocol_from.size() == 2);
  CHECK(c.server.proxy_protocol_from[0].to_string() == "10.1.0.0/16");
  CHECK(c.server.proxy_protocol_maximum_size == 1024);
  auto error_of = [](const char* text) {
    config::Config d = config::default_config();
    try {
      config::apply_toml(d, text, "t.toml");
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of("[server]\nproxy-protocol-from = [\"banana\"]\n").rfind("t.toml:2: server.proxy-protocol-", 0) == 0);
  CHECK(error_of("[server]\nproxy-protocol-maximum-size = 15\n").rfind("t.toml:2: server.proxy-protocol-", 0) == 0);
  CHECK(error_of("[server]\nproxy-protocol-maximum-size = 65552\n").rfind("t.toml:2: server.proxy-protocol-", 0) == 0);
}
