// The shared (Redis) cache's value codec: what one instance writes and another reads back, and
// every way a value written by someone else (or corrupted) is refused.
#include <catch2/catch.hpp>

#include <vector>

#include "resolver/server/shared_value.h"
#include "wire/message_builder.h"

using namespace tern;
using namespace tern::server;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr uint64_t kNow = 1'800'000'000;

wire::Name name(const char* text) { return *wire::Name::from_text(text); }

SharedKey www_a() { return SharedKey{name("www.example.com."), wire::RRType::A, wire::RRClass::IN, false, false}; }

wire::RRset a_set(const char* owner, uint32_t ttl, std::initializer_list<Bytes> addrs) {
  wire::RRset s(name(owner), wire::RRType::A, wire::RRClass::IN, ttl);
  for (const auto& a : addrs) s.add(a);
  return s;
}

Sections answer_of(uint32_t ttl) {
  Sections s;
  s.rcode = wire::Rcode::NoError;
  s.answer.push_back(a_set("www.example.com.", ttl, {{192, 0, 2, 1}, {192, 0, 2, 2}}));
  return s;
}

// The DNS message of a value with `patch` applied to its header (after the 16-byte prefix).
Bytes with_header_byte(Bytes v, size_t at, uint8_t value) {
  v[16 + at] = value;
  return v;
}

void put32(Bytes& v, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + size_t(i)] = uint8_t(x >> (24 - 8 * i));
}
void put64(Bytes& v, size_t at, uint64_t x) {
  for (int i = 0; i < 8; ++i) v[at + size_t(i)] = uint8_t(x >> (56 - 8 * i));
}

}  // namespace

TEST_CASE("shared key: name lower-cased, type, class, DO and CD all in it") {
  SharedKey k = www_a();
  CHECK(shared_key_text(k) == "tern:v1:www.example.com./1/1/00");
  SharedKey upper = k;
  upper.qname = name("WWW.Example.COM.");
  CHECK(shared_key_text(upper) == shared_key_text(k));
  SharedKey aaaa = k;
  aaaa.qtype = wire::RRType::AAAA;
  SharedKey dnssec = k;
  dnssec.dnssec_ok = true;
  SharedKey cd = k;
  cd.cd = true;
  SharedKey chaos = k;
  chaos.qclass = wire::RRClass(3);
  for (const auto* other : {&aaaa, &dnssec, &cd, &chaos})
    CHECK(shared_key_text(*other) != shared_key_text(k));
  CHECK(shared_key_text(dnssec) == "tern:v1:www.example.com./1/1/10");
  CHECK(shared_key_text(cd) == "tern:v1:www.example.com./1/1/01");
}

TEST_CASE("shared value: round trip with TTLs aged by the time since stored") {
  Bytes v = encode_shared_value(www_a(), answer_of(300), kNow, 300);
  auto d = decode_shared_value(www_a(), v, kNow + 100);
  REQUIRE(d.value);
  CHECK_FALSE(d.error);
  CHECK_FALSE(d.value->expired);
  CHECK(d.value->remaining == 200);
  const Sections& s = d.value->sections;
  CHECK(s.rcode == wire::Rcode::NoError);
  CHECK(s.source == BackendSource::SharedCache);
  REQUIRE(s.answer.size() == 1);
  CHECK(s.answer[0].ttl == 200);
  CHECK(s.answer[0].same_data(answer_of(300).answer[0]));
  CHECK(s.authority.empty());
}

TEST_CASE("shared value: the key's question in another spelling still matches") {
  Bytes v = encode_shared_value(www_a(), answer_of(60), kNow, 60);
  SharedKey upper = www_a();
  upper.qname = name("WWW.EXAMPLE.COM.");
  CHECK(decode_shared_value(upper, v, kNow).value);
}

TEST_CASE("shared value: NXDOMAIN with its SOA survives the trip") {
  SharedKey k{name("nope.example.com."), wire::RRType::A, wire::RRClass::IN, false, false};
  Sections s;
  s.rcode = wire::Rcode::NXDomain;
  wire::RRset soa(name("example.com."), wire::RRType::SOA, wire::RRClass::IN, 900);
  Bytes rdata;
  for (auto part : {name("ns.example.com."), name("admin.example.com.")}) {
    auto w = part.wire();
    rdata.insert(rdata.end(), w.begin(), w.end());
  }
  for (int i = 0; i < 20; ++i) rdata.push_back(uint8_t(i));
  soa.add(rdata);
  s.authority.push_back(soa);
  auto d = decode_shared_value(k, encode_shared_value(k, s, kNow, 900), kNow + 1);
  REQUIRE(d.value);
  CHECK(d.value->sections.rcode == wire::Rcode::NXDomain);
  REQUIRE(d.value->sections.authority.size() == 1);
  CHECK(d.value->sections.authority[0].type == wire::RRType::SOA);
  CHECK(d.value->sections.authority[0].ttl == 899);
  CHECK(d.value->sections.authority[0].same_data(soa));
}

TEST_CASE("shared value: past its TTL it is marked expired, with TTL 0, for serve-stale") {
  Bytes v = encode_shared_value(www_a(), answer_of(300), kNow, 300);
  auto d = decode_shared_value(www_a(), v, kNow + 300);
  REQUIRE(d.value);
  CHECK(d.value->expired);
  CHECK(d.value->remaining == 0);
  CHECK(d.value->sections.answer[0].ttl == 0);
}

TEST_CASE("shared value: no record outlives the value's TTL") {
  Bytes v = encode_shared_value(www_a(), answer_of(86400), kNow, 60);
  auto d = decode_shared_value(www_a(), v, kNow + 10);
  REQUIRE(d.value);
  CHECK(d.value->sections.answer[0].ttl == 50);
}

TEST_CASE("shared value: garbage and foreign values are refused with the reason") {
  const SharedKey k = www_a();
  const Bytes good = encode_shared_value(k, answer_of(300), kNow, 300);
  auto error_of = [&](const Bytes& v, const SharedKey& key) {
    auto d = decode_shared_value(key, v, kNow);
    CHECK_FALSE(d.value);
    REQUIRE(d.error);
    return *d.error;
  };
  CHECK(error_of({}, k) == SharedValueError::TooShort);
  CHECK(error_of(Bytes(good.begin(), good.begin() + 20), k) == SharedValueError::TooShort);
  CHECK(error_of(Bytes(kSharedValueMaxBytes + 1, 0), k) == SharedValueError::TooLong);

  Bytes magic = good;
  magic[3] = '2';
  CHECK(error_of(magic, k) == SharedValueError::BadMagic);
  CHECK(error_of(Bytes{'{', '"', 'a', '"', ':', '1', '}', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
                       ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '},
                 k) == SharedValueError::BadMagic);

  Bytes ttl = good;
  put32(ttl, 12, 0x80000000u);
  CHECK(error_of(ttl, k) == SharedValueError::BadTtl);

  Bytes future = good;
  put64(future, 4, kNow + kSharedValueMaxSkewSeconds + 1);
  CHECK(error_of(future, k) == SharedValueError::FromFuture);

  // Cut inside the answer record: the message no longer parses.
  CHECK(error_of(Bytes(good.begin(), good.end() - 3), k) == SharedValueError::BadMessage);
  // An answer count claiming more records than there are.
  CHECK(error_of(with_header_byte(good, 7, 9), k) == SharedValueError::BadMessage);

  CHECK(error_of(with_header_byte(good, 2, uint8_t(good[16 + 2] & 0x7f)), k) == SharedValueError::NotAnAnswer);  // QR clear
  CHECK(error_of(with_header_byte(good, 2, uint8_t(good[16 + 2] | 0x02)), k) == SharedValueError::NotAnAnswer);  // TC
  CHECK(error_of(with_header_byte(good, 3, uint8_t((good[16 + 3] & 0xf0) | 2)), k) == SharedValueError::NotAnAnswer);  // SERVFAIL

  SharedKey other = k;
  other.qname = name("www.example.net.");
  CHECK(error_of(good, other) == SharedValueError::WrongQuestion);
  other = k;
  other.qtype = wire::RRType::AAAA;
  CHECK(error_of(good, other) == SharedValueError::WrongQuestion);
}
