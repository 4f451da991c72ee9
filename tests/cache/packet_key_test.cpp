#include "cache/packet_key.h"

#include <catch2/catch.hpp>

#include "fixtures.h"

namespace tern::cache {

using namespace test;

TEST_CASE("packet_key: reads the question and the flags that change an answer", "[packet]") {
  QueryOpts o;
  o.id = 0xbeef;
  o.cd = true;
  o.do_bit = true;
  o.udp_size = 4096;
  auto q = query("www.Example.com.", 28, o);
  auto key = packet_key(q);
  REQUIRE(key);
  CHECK(key->id == 0xbeef);
  CHECK(key->qtype == 28);
  CHECK(key->qclass == 1);
  CHECK(key->qname().size() == name("www.example.com.").wire_size());
  CHECK(key->flags == (packet_flag::kRd | packet_flag::kCd | packet_flag::kDo | packet_flag::kEdns |
                       (2 << packet_flag::kSizeClassShift)));
  CHECK(packet_key(q, true)->flags & packet_flag::kTcp);

  QueryOpts plain;
  plain.edns = false;
  plain.rd = false;
  CHECK(packet_key(query("a.", 1, plain))->flags == 0);
}

TEST_CASE("packet_key: size classes", "[packet]") {
  CHECK(edns_size_class(512) == 0);
  CHECK(edns_size_class(1231) == 0);
  CHECK(edns_size_class(1232) == 1);
  CHECK(edns_size_class(4095) == 1);
  CHECK(edns_size_class(4096) == 2);
}

TEST_CASE("packet_key: anything unusual takes the full path", "[packet]") {
  auto good = query("www.example.com.", 1);
  REQUIRE(packet_key(good));

  auto response = good;
  response[2] |= 0x80;
  CHECK_FALSE(packet_key(response));
  auto notify = good;
  notify[2] = uint8_t(4 << 3);
  CHECK_FALSE(packet_key(notify));
  auto two_questions = good;
  two_questions[5] = 2;
  CHECK_FALSE(packet_key(two_questions));
  auto trailing = good;
  trailing.push_back(0);
  CHECK_FALSE(packet_key(trailing));
  auto truncated = good;
  truncated.resize(truncated.size() - 3);
  CHECK_FALSE(packet_key(truncated));
  auto compressed = query("www.example.com.", 1, opts([](QueryOpts& o) { o.edns = false; }));
  compressed[12] = 0xc0;
  CHECK_FALSE(packet_key(compressed));

  QueryOpts ecs;
  ecs.options = {0, 8, 0, 4, 0, 1, 24, 0};  // EDNS Client Subnet
  CHECK_FALSE(packet_key(query("www.example.com.", 1, ecs)));
  QueryOpts cookie;
  cookie.options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(packet_key(query("www.example.com.", 1, cookie)));
  // A COOKIE of a length no cookie has (RFC 7873 §4) takes the full path, where it is FORMERR.
  for (uint8_t len : {0, 7, 9, 15, 41}) {
    QueryOpts bad_cookie;
    bad_cookie.options = {0, 10, 0, len};
    bad_cookie.options.resize(4 + len, 0xab);
    CHECK_FALSE(packet_key(query("www.example.com.", 1, bad_cookie)));
  }
  QueryOpts full_cookie;
  full_cookie.options = {0, 10, 0, 24};
  full_cookie.options.resize(4 + 24, 0xab);
  CHECK(packet_key(query("www.example.com.", 1, full_cookie)));
  QueryOpts bad_option;
  bad_option.options = {0, 10, 0, 9, 1, 2};
  CHECK_FALSE(packet_key(query("www.example.com.", 1, bad_option)));

  auto edns1 = good;
  edns1[edns1.size() - 5] = 1;  // OPT TTL: ext-rcode, version, flags
  CHECK_FALSE(packet_key(edns1));

  for (size_t n = 0; n < good.size(); ++n) {
    CHECK_FALSE(packet_key(std::span(good).first(n)));  // every truncation rejected, no overread
  }
}

}  // namespace tern::cache
