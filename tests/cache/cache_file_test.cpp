// The cache file (cache/cache_file.h): a save and a load keep every fresh entry with its absolute
// expiry; whatever is damaged is refused whole, with the record and offset named.
#include <catch2/catch.hpp>

#include "cache/cache_file.h"
#include "cache/caches.h"
#include "fixtures.h"

using namespace tern;
using namespace tern::cache;
using namespace tern::cache::test;

namespace {

wire::RRset soa_set(std::string_view zone, uint32_t ttl, uint32_t minimum) {
  wire::RRset s(name(zone), wire::RRType::SOA, wire::RRClass::IN, ttl);
  s.add(soa_rdata(zone, minimum));
  return s;
}

void fill(Caches& c) {
  REQUIRE(c.store_rrset(a_rrset("www.example.com.", 3600, {ipv4(192, 0, 2, 1), ipv4(192, 0, 2, 2)}),
                        Trust::AnswerAuth, t0()));
  REQUIRE(c.store_rrset(a_rrset("ns.example.com.", 600, {ipv4(192, 0, 2, 53)}), Trust::Glue, t0()));
  REQUIRE(c.negative().insert_nxdomain(name("gone.example.com."), wire::RRClass::IN,
                                       soa_set("example.com.", 900, 900), Trust::AuthorityAuth, t0()));
  REQUIRE(c.negative().insert_nodata(name("www.example.com."), wire::RRType::AAAA, wire::RRClass::IN,
                                     soa_set("example.com.", 300, 300), Trust::AuthorityAuth, t0()));
}

// A file with its trailer recomputed, so a test reaches the check after the checksum.
std::vector<uint8_t> resealed(std::vector<uint8_t> b) {
  uint64_t sum = cache_file_checksum(std::span(b).first(b.size() - 8));
  for (int i = 0; i < 8; ++i) b[b.size() - 8 + size_t(i)] = uint8_t(sum >> (56 - 8 * i));
  return b;
}

}  // namespace

TEST_CASE("cache file: a save and a load keep every fresh entry with its expiry") {
  Caches src{CacheLimits{}};
  fill(src);
  EncodedCache enc = encode_cache_file(src, at(10));
  CHECK(enc.rrsets == 2);
  CHECK(enc.negative == 2);
  CacheFileHeader h;
  REQUIRE_FALSE(read_cache_file(enc.bytes, {}, &h));
  CHECK(h.version == kCacheFileVersion);
  CHECK(h.records == 4);
  CHECK(h.saved == at(10));

  Caches dst{CacheLimits{}};
  LoadedCache loaded = load_cache_file(dst, enc.bytes, at(100));
  REQUIRE(loaded.error.empty());
  CHECK(loaded.rrsets == 2);
  CHECK(loaded.negative == 2);
  CHECK(loaded.expired == 0);
  auto www = dst.rrsets().lookup(name("www.example.com."), wire::RRType::A, wire::RRClass::IN, at(100));
  REQUIRE(www);
  CHECK(www->rrset.ttl == 3500);  // the absolute expiry, not the TTL at the save
  CHECK(www->rrset.size() == 2);
  CHECK(www->trust == Trust::AnswerAuth);
  auto glue = dst.rrsets().lookup(name("ns.example.com."), wire::RRType::A, wire::RRClass::IN, at(100));
  REQUIRE(glue);
  CHECK(glue->trust == Trust::Glue);  // trust kept: glue still never answers a client
  auto nx = dst.negative().lookup(name("gone.example.com."), wire::RRType::MX, wire::RRClass::IN, at(100));
  REQUIRE(nx);
  CHECK(nx->kind == NegativeKind::NxDomain);
  CHECK(nx->ttl == 800);
  CHECK(nx->soa.owner == name("example.com."));
  auto nodata = dst.negative().lookup(name("www.example.com."), wire::RRType::AAAA, wire::RRClass::IN, at(100));
  REQUIRE(nodata);
  CHECK(nodata->kind == NegativeKind::NoData);
  CHECK(nodata->ttl == 200);
}

TEST_CASE("cache file: entries expired since the save are skipped") {
  Caches src{CacheLimits{}};
  fill(src);
  auto enc = encode_cache_file(src, at(0));
  Caches dst{CacheLimits{}};
  LoadedCache loaded = load_cache_file(dst, enc.bytes, at(700));  // ns (600 s), NODATA (300 s) gone
  REQUIRE(loaded.error.empty());
  CHECK(loaded.rrsets == 1);
  CHECK(loaded.negative == 1);
  CHECK(loaded.expired == 2);
  CHECK_FALSE(dst.rrsets().lookup(name("ns.example.com."), wire::RRType::A, wire::RRClass::IN, at(700)));
}

TEST_CASE("cache file: an empty cache saves to a file with no records") {
  Caches src{CacheLimits{}};
  auto enc = encode_cache_file(src, at(0));
  CacheFileHeader h;
  REQUIRE_FALSE(read_cache_file(enc.bytes, {}, &h));
  CHECK(h.records == 0);
}

TEST_CASE("cache file: damage anywhere is refused whole and nothing is stored") {
  Caches src{CacheLimits{}};
  fill(src);
  const std::vector<uint8_t> good = encode_cache_file(src, at(0)).bytes;

  SECTION("every flipped byte") {
    for (size_t i = 0; i < good.size(); ++i) {
      auto b = good;
      b[i] ^= 0x01;
      Caches dst{CacheLimits{}};
      LoadedCache r = load_cache_file(dst, b, at(1));
      INFO("byte " << i);
      CHECK_FALSE(r.error.empty());
      CHECK(dst.rrsets().size() == 0);
      CHECK(dst.negative().size() == 0);
    }
  }
  SECTION("every truncation") {
    for (size_t n = 0; n < good.size(); ++n) {
      std::vector<uint8_t> b(good.begin(), good.begin() + long(n));
      CHECK(read_cache_file(b).has_value());
    }
  }
  SECTION("what the checks after the checksum find") {
    auto version = good;
    version[9] = 2;
    CHECK(read_cache_file(resealed(version))->find("version 2") != std::string::npos);

    auto magic = good;
    magic[0] = 'X';
    CHECK(read_cache_file(resealed(magic))->find("not a Tern cache file") != std::string::npos);

    auto more = good;
    more[23] += 1;  // the record count's last octet
    CHECK(read_cache_file(resealed(more))->find("record 5") != std::string::npos);

    auto fewer = good;
    fewer[23] -= 1;
    CHECK(read_cache_file(resealed(fewer))->find("after the last of 3 records") != std::string::npos);

    // The first record (an RRset or a negative entry): its kind octet at offset 24.
    auto kind = good;
    kind[24] = 9;
    CHECK(read_cache_file(resealed(kind))->find("record 1 (offset 24): unknown record kind 9") != std::string::npos);
    auto trust = good;
    trust[25] = 7;
    CHECK(read_cache_file(resealed(trust))->find("unknown trust 7") != std::string::npos);
    auto label = good;
    label[34] = 64;  // the first label's length octet: over 63
    CHECK(read_cache_file(resealed(label))->find("bad or truncated name") != std::string::npos);
  }
}

TEST_CASE("cache file: RDATA that does not fit its type is refused") {
  Caches src{CacheLimits{}};
  REQUIRE(src.store_rrset(a_rrset("a.example.", 3600, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, t0()));
  auto b = encode_cache_file(src, t0()).bytes;
  // record: kind trust expiry(8) name(11) type(2) class(2) count(2) len(2) rdata(4); make it AAAA.
  size_t type_at = 24 + 2 + 8 + name("a.example.").wire_size();
  b[type_at + 1] = 28;
  auto err = read_cache_file(resealed(b));
  REQUIRE(err);
  CHECK(err->find("RDATA 1 of 1 is not valid AAAA") != std::string::npos);
}
