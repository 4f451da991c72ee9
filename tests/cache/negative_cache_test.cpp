#include "cache/negative_cache.h"

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>

#include "fixtures.h"
#include "wire/rdata.h"

namespace tern::cache {
namespace {

using namespace test;
using wire::RRClass;
using wire::RRType;

CacheLimits limits() { return CacheLimits{}; }

std::optional<CachedNegative> get(NegativeCache& c, std::string_view qname, RRType type, Instant now) {
  return c.lookup(name(qname), type, RRClass::IN, now);
}

}  // namespace

TEST_CASE("NegativeCache: TTL is min(SOA TTL, SOA MINIMUM), both ways (RFC 2308 5)", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  SECTION("SOA TTL is the smaller") {
    REQUIRE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa_rrset("example.", 300, 900),
                              Trust::AnswerAuth, at(0)));
    auto hit = get(c, "nx.example.", RRType::A, at(0));
    REQUIRE(hit);
    CHECK(hit->ttl == 300);
    CHECK_FALSE(get(c, "nx.example.", RRType::A, at(300)));
  }
  SECTION("SOA MINIMUM is the smaller") {
    REQUIRE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa_rrset("example.", 3600, 60),
                              Trust::AnswerAuth, at(0)));
    CHECK(get(c, "nx.example.", RRType::A, at(0))->ttl == 60);
    CHECK(get(c, "nx.example.", RRType::A, at(59.5))->ttl == 0);
    CHECK_FALSE(get(c, "nx.example.", RRType::A, at(60)));
  }
  SECTION("clamped to max_negative_ttl") {
    REQUIRE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa_rrset("example.", 86400, 86400),
                              Trust::AnswerAuth, at(0)));
    CHECK(get(c, "nx.example.", RRType::A, at(0))->ttl == 3600);
    CHECK_FALSE(get(c, "nx.example.", RRType::A, at(3600)));
  }
}

TEST_CASE("NegativeCache: the SOA is kept for the authority section and counts down", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  auto soa = soa_rrset("Example.", 300, 600);
  REQUIRE(c.insert_nodata(name("www.example."), RRType::AAAA, RRClass::IN, soa, Trust::AnswerAuth, at(0)));
  auto hit = get(c, "www.example.", RRType::AAAA, at(100));
  REQUIRE(hit);
  CHECK(hit->kind == NegativeKind::NoData);
  CHECK(hit->soa.type == RRType::SOA);
  CHECK(hit->soa.owner.to_text() == "Example.");
  CHECK(hit->soa.ttl == 200);
  CHECK(hit->soa.same_data(soa));
  auto parsed = wire::parse_soa(*hit->soa.begin());
  REQUIRE(parsed);
  CHECK(parsed->minimum == 600);
}

TEST_CASE("NegativeCache: NXDOMAIN covers every type, NODATA only its own", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  auto soa = soa_rrset("example.", 300, 300);
  c.insert_nxdomain(name("gone.example."), RRClass::IN, soa, Trust::AnswerAuth, at(0));
  c.insert_nodata(name("www.example."), RRType::AAAA, RRClass::IN, soa, Trust::AnswerAuth, at(0));

  CHECK(get(c, "GONE.example.", RRType::A, at(1))->kind == NegativeKind::NxDomain);
  CHECK(get(c, "gone.example.", RRType::MX, at(1))->kind == NegativeKind::NxDomain);
  CHECK(get(c, "www.example.", RRType::AAAA, at(1))->kind == NegativeKind::NoData);
  CHECK_FALSE(get(c, "www.example.", RRType::A, at(1)));
  CHECK_FALSE(c.lookup(name("gone.example."), RRType::A, RRClass::CH, at(1)));
}

TEST_CASE("NegativeCache: an NXDOMAIN above a name denies it (RFC 8020)", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  c.insert_nxdomain(name("gone.example."), RRClass::IN, soa_rrset("example.", 300, 300),
                    Trust::AnswerAuth, at(0));
  auto cut = c.lookup_nxdomain_cut(name("a.b.GONE.example."), RRClass::IN, at(10));
  REQUIRE(cut);
  CHECK(cut->kind == NegativeKind::NxDomain);
  CHECK(cut->ttl == 290);
  CHECK_FALSE(c.lookup_nxdomain_cut(name("gone.example."), RRClass::IN, at(10)));  // itself: lookup()
  CHECK_FALSE(c.lookup_nxdomain_cut(name("x.other.example."), RRClass::IN, at(10)));
  CHECK_FALSE(c.lookup_nxdomain_cut(name("a.gone.example."), RRClass::IN, at(300)));
  CHECK_FALSE(c.lookup_nxdomain_cut(name("."), RRClass::IN, at(10)));
}

TEST_CASE("NegativeCache: no SOA, no caching", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  CHECK_FALSE(c.insert_nxdomain(name("nx.example."), RRClass::IN, a_rrset("example.", 300, {ipv4(1, 2, 3, 4)}),
                                Trust::AnswerAuth, at(0)));
  wire::RRset empty(name("example."), RRType::SOA, RRClass::IN, 300);
  CHECK_FALSE(c.insert_nxdomain(name("nx.example."), RRClass::IN, empty, Trust::AnswerAuth, at(0)));
  wire::RRset bad(name("example."), RRType::SOA, RRClass::IN, 300);
  bad.add(std::vector<uint8_t>{1, 2, 3});
  CHECK_FALSE(c.insert_nxdomain(name("nx.example."), RRClass::IN, bad, Trust::AnswerAuth, at(0)));
  CHECK(c.size() == 0);
  // MINIMUM 0: used by the query that fetched it, never stored.
  CHECK(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa_rrset("example.", 300, 0),
                          Trust::AnswerAuth, at(0)));
  CHECK_FALSE(get(c, "nx.example.", RRType::A, at(0)));
}

TEST_CASE("NegativeCache: an authoritative NODATA without SOA is kept kNoSoaNegativeTtl",
          "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  REQUIRE(c.insert_nodata_without_soa(name("example."), RRType::A, RRClass::IN, Trust::AnswerAuth,
                                      at(0)));
  auto hit = get(c, "example.", RRType::A, at(1));
  REQUIRE(hit);
  CHECK(hit->kind == NegativeKind::NoData);
  CHECK_FALSE(hit->has_soa);
  CHECK(hit->soa.empty());
  CHECK(hit->ttl == kNoSoaNegativeTtl - 1);
  // NODATA for its own type only, and gone after the short TTL.
  CHECK_FALSE(get(c, "example.", RRType::AAAA, at(1)));
  CHECK_FALSE(get(c, "example.", RRType::A, at(kNoSoaNegativeTtl)));

  SECTION("an entry with SOA still says so") {
    REQUIRE(c.insert_nodata(name("www.example."), RRType::A, RRClass::IN,
                            soa_rrset("example.", 300, 300), Trust::AnswerAuth, at(0)));
    auto with = get(c, "www.example.", RRType::A, at(0));
    REQUIRE(with);
    CHECK(with->has_soa);
    CHECK(with->soa.type == RRType::SOA);
  }
  SECTION("min_ttl raises it like any negative TTL") {
    CacheLimits l = limits();
    l.min_ttl = 30;
    NegativeCache m(l, 1 << 20);
    REQUIRE(m.insert_nodata_without_soa(name("example."), RRType::A, RRClass::IN,
                                        Trust::AnswerAuth, at(0)));
    CHECK(get(m, "example.", RRType::A, at(0))->ttl == 30);
    CHECK_FALSE(get(m, "example.", RRType::A, at(30)));
  }
  SECTION("positive data of the type removes it; the dump says it has no SOA") {
    std::ostringstream out;
    c.dump(out, at(0));
    CHECK(out.str().find("NODATA example. IN A") != std::string::npos);
    CHECK(out.str().find("no SOA") != std::string::npos);
    CHECK(c.remove_superseded(name("example."), RRType::A, RRClass::IN, Trust::AnswerAuth) == 1);
    CHECK_FALSE(get(c, "example.", RRType::A, at(0)));
  }
  SECTION("serve-stale gives it back without SOA") {
    CacheLimits l = limits();
    l.serve_stale = true;
    NegativeCache m(l, 1 << 20);
    REQUIRE(m.insert_nodata_without_soa(name("example."), RRType::A, RRClass::IN,
                                        Trust::AnswerAuth, at(0)));
    auto stale = m.lookup_stale(name("example."), RRType::A, RRClass::IN, at(10));
    REQUIRE(stale);
    CHECK(stale->stale);
    CHECK_FALSE(stale->has_soa);
  }
}

TEST_CASE("NegativeCache: trust, serve-stale and prefetch behave as for RRsets", "[negative]") {
  CacheLimits l = limits();
  l.stale_window = 100;
  NegativeCache c(l, 1 << 20);
  auto soa = soa_rrset("example.", 100, 100);
  REQUIRE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa, Trust::AnswerAuth, at(0)));
  CHECK_FALSE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa, Trust::AuthorityNonAuth, at(1)));
  CHECK(get(c, "nx.example.", RRType::A, at(1))->trust == Trust::AnswerAuth);

  CHECK(get(c, "nx.example.", RRType::A, at(90))->prefetch_due);
  CHECK_FALSE(get(c, "nx.example.", RRType::A, at(91))->prefetch_due);

  CHECK_FALSE(get(c, "nx.example.", RRType::A, at(100)));
  auto stale = c.lookup_stale(name("nx.example."), RRType::A, RRClass::IN, at(150));
  REQUIRE(stale);
  CHECK(stale->stale);
  CHECK(stale->ttl == kStaleTtl);
  CHECK(stale->soa.ttl == kStaleTtl);
  CHECK_FALSE(c.lookup_stale(name("nx.example."), RRType::A, RRClass::IN, at(200)));
}

TEST_CASE("NegativeCache: flushes", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  auto soa = soa_rrset("example.", 300, 300);
  c.insert_nxdomain(name("a.example."), RRClass::IN, soa, Trust::AnswerAuth, at(0));
  c.insert_nodata(name("b.example."), RRType::A, RRClass::IN, soa, Trust::AnswerAuth, at(0));
  c.insert_nodata(name("b.example."), RRType::AAAA, RRClass::IN, soa, Trust::AnswerAuth, at(0));
  c.insert_nodata(name("x.b.example."), RRType::A, RRClass::IN, soa, Trust::AnswerAuth, at(0));
  c.insert_nodata(name("other.test."), RRType::A, RRClass::IN, soa, Trust::AnswerAuth, at(0));

  CHECK(c.flush_name_type(name("b.example."), RRType::A) == 1);
  CHECK(get(c, "b.example.", RRType::AAAA, at(1)));
  CHECK(c.flush_name_type(name("a.example."), RRType::TXT) == 1);  // the NXDOMAIN covers TXT
  CHECK_FALSE(get(c, "a.example.", RRType::A, at(1)));
  CHECK(c.flush_name(name("b.example.")) == 1);
  CHECK(c.flush_subtree(name("example.")) == 1);
  CHECK(c.size() == 1);

  std::ostringstream out;
  c.dump(out, at(10));
  CHECK(out.str().find("; negative NODATA other.test. IN A trust=answer-auth ttl=290/300\n") !=
        std::string::npos);
}

TEST_CASE("NegativeCache: positive data removes the denials it contradicts", "[negative]") {
  NegativeCache c(limits(), 1 << 20);
  auto soa = soa_rrset("example.", 300, 300);
  auto nodata = [&](std::string_view n, RRType t, Trust trust = Trust::AuthorityAuth) {
    REQUIRE(c.insert_nodata(name(n), t, RRClass::IN, soa, trust, at(0)));
  };
  auto nxdomain = [&](std::string_view n, Trust trust = Trust::AuthorityAuth) {
    REQUIRE(c.insert_nxdomain(name(n), RRClass::IN, soa, trust, at(0)));
  };
  nodata("www.a.example.", RRType::A);
  nodata("www.a.example.", RRType::AAAA);  // another type: not contradicted
  nodata("a.example.", RRType::A);          // ancestor NODATA: an empty non-terminal, stays
  nxdomain("a.example.");                   // ancestor NXDOMAIN: contradicted (RFC 8020)
  nxdomain("b.example.");                   // a sibling: unrelated
  nxdomain("x.www.a.example.");             // below the owner: still may not exist

  CHECK(c.remove_superseded(name("WWW.a.example."), RRType::A, RRClass::IN, Trust::AnswerAuth) == 2);
  CHECK_FALSE(c.lookup(name("www.a.example."), RRType::A, RRClass::IN, at(1)));
  CHECK(c.lookup(name("www.a.example."), RRType::AAAA, RRClass::IN, at(1)));
  auto a = c.lookup(name("a.example."), RRType::A, RRClass::IN, at(1));
  REQUIRE(a);
  CHECK(a->kind == NegativeKind::NoData);  // the NXDOMAIN above it is gone, the NODATA stays
  CHECK(c.lookup(name("b.example."), RRType::A, RRClass::IN, at(1)));
  CHECK(c.lookup(name("x.www.a.example."), RRType::A, RRClass::IN, at(1)));
  CHECK_FALSE(c.lookup_nxdomain_cut(name("y.www.a.example."), RRClass::IN, at(1)));

  SECTION("less credible data (glue) does not remove an authoritative denial") {
    nxdomain("ns.c.example.");
    CHECK(c.remove_superseded(name("ns.c.example."), RRType::A, RRClass::IN, Trust::Glue) == 0);
    CHECK(c.lookup(name("ns.c.example."), RRType::A, RRClass::IN, at(1)));
    CHECK(c.remove_superseded(name("ns.c.example."), RRType::A, RRClass::IN,
                              Trust::AuthorityAuth) == 1);
  }
  SECTION("a denial stored at low trust is removed by data of that trust") {
    nxdomain("ns.d.example.", Trust::Additional);
    CHECK(c.remove_superseded(name("ns.d.example."), RRType::A, RRClass::IN, Trust::Glue) == 1);
  }
  SECTION("another class is not touched") {
    nodata("d.example.", RRType::A);
    CHECK(c.remove_superseded(name("d.example."), RRType::A, RRClass::CH, Trust::Zone) == 0);
  }
}

TEST_CASE("NegativeCache: a denial keeps its DNSSEC status, its SOA's RRSIGs and its proof",
          "[negative][dnssec]") {
  NegativeCache c(limits(), 1 << 20);
  auto soa = soa_rrset("example.", 300, 300);
  soa.security = wire::Security::Secure;
  wire::RRset sig(name("example."), RRType::RRSIG, RRClass::IN, 300);
  sig.add(std::vector<uint8_t>{0, 6, 13, 1, 1, 2, 3, 4, 9, 9, 9, 9});  // opaque to the cache
  soa.rrsigs = std::make_shared<const wire::RRset>(sig);
  wire::RRset nsec(name("example."), RRType::NSEC, RRClass::IN, 300);
  std::vector<uint8_t> next{3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0x40};
  nsec.add(next);
  nsec.security = wire::Security::Secure;
  nsec.rrsigs = std::make_shared<const wire::RRset>(sig);
  std::vector<wire::RRset> proof{nsec};
  REQUIRE(c.insert_nxdomain(name("nx.example."), RRClass::IN, soa, Trust::AnswerAuth, at(0), proof));
  auto hit = get(c, "nx.example.", RRType::A, at(10));
  REQUIRE(hit);
  CHECK(hit->soa.security == wire::Security::Secure);
  REQUIRE(hit->soa.rrsigs);
  CHECK(hit->soa.rrsigs->same_data(sig));
  REQUIRE(hit->proof.size() == 1);
  CHECK(hit->proof[0].same_data(nsec));
  CHECK(hit->proof[0].security == wire::Security::Secure);
  REQUIRE(hit->proof[0].rrsigs);
  CHECK(hit->proof[0].ttl == hit->ttl);

  SECTION("an unvalidated denial stays indeterminate, with nothing extra") {
    REQUIRE(c.insert_nxdomain(name("nx2.example."), RRClass::IN, soa_rrset("example.", 300, 300),
                              Trust::AnswerAuth, at(0)));
    auto plain = get(c, "nx2.example.", RRType::A, at(0));
    REQUIRE(plain);
    CHECK(plain->soa.security == wire::Security::Indeterminate);
    CHECK_FALSE(plain->soa.rrsigs);
    CHECK(plain->proof.empty());
  }
}

}  // namespace tern::cache
