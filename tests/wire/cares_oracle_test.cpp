// c-ares as an outside oracle: what our builder writes, c-ares's parsers read back to the same
// data; what c-ares's query builder writes, our parser reads to the same question/flags/EDNS.
#include <arpa/inet.h>
#include <ares.h>
#include <netdb.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

#include "wire/message_builder.h"
#include "wire/rdata.h"

using namespace tern::wire;

namespace {

const Name kQname = *Name::from_text("www.example.com.");

// A response to (qname, qtype) whose answer holds `rrs` as "TYPE rdata" presentation lines,
// all owned by qname (compressed against the question).
std::vector<uint8_t> response(RRType qtype, std::initializer_list<const char*> rdatas,
                              const Name& owner = kQname) {
  MessageBuilder b(512);
  Header h;
  h.id = 42;
  h.qr = h.rd = h.ra = true;
  b.set_header(h);
  b.set_edns(Edns{});
  REQUIRE(b.add_question(kQname, qtype, RRClass::IN));
  for (const char* text : rdatas) {
    auto rd = rdata_from_text(qtype, text, *Name::from_text("example.com."));
    REQUIRE(rd.ok());
    REQUIRE(b.add_record(Section::Answer, owner, qtype, RRClass::IN, 300, *rd) ==
            MessageBuilder::Added::Ok);
  }
  return b.finish();
}

int len(const std::vector<uint8_t>& p) { return int(p.size()); }

}  // namespace

TEST_CASE("c-ares parses our A and AAAA answers", "[cares]") {
  auto p = response(RRType::A, {"192.0.2.1", "192.0.2.2"});
  hostent* host = nullptr;
  ares_addrttl ttls[4];
  int nttls = 4;
  REQUIRE(ares_parse_a_reply(p.data(), len(p), &host, ttls, &nttls) == ARES_SUCCESS);
  REQUIRE(nttls == 2);
  char buf[INET_ADDRSTRLEN];
  CHECK(std::string(inet_ntop(AF_INET, &ttls[0].ipaddr, buf, sizeof buf)) == "192.0.2.1");
  CHECK(std::string(inet_ntop(AF_INET, &ttls[1].ipaddr, buf, sizeof buf)) == "192.0.2.2");
  CHECK(ttls[0].ttl == 300);
  CHECK(std::string(host->h_name) == "www.example.com");
  ares_free_hostent(host);

  auto p6 = response(RRType::AAAA, {"2001:db8::1"});
  ares_addr6ttl ttl6[2];
  int n6 = 2;
  REQUIRE(ares_parse_aaaa_reply(p6.data(), len(p6), nullptr, ttl6, &n6) == ARES_SUCCESS);
  REQUIRE(n6 == 1);
  char buf6[INET6_ADDRSTRLEN];
  CHECK(std::string(inet_ntop(AF_INET6, &ttl6[0].ip6addr, buf6, sizeof buf6)) == "2001:db8::1");
}

TEST_CASE("c-ares follows our compressed CNAME chain", "[cares]") {
  MessageBuilder b(512);
  Header h;
  h.qr = true;
  b.set_header(h);
  b.add_question(kQname, RRType::A, RRClass::IN);
  auto web = *Name::from_text("web.example.com.");
  b.add_record(Section::Answer, kQname, RRType::CNAME, RRClass::IN, 60, web.wire());
  b.add_record(Section::Answer, web, RRType::A, RRClass::IN, 60, std::vector<uint8_t>{10, 0, 0, 7});
  auto p = b.finish();
  hostent* host = nullptr;
  REQUIRE(ares_parse_a_reply(p.data(), len(p), &host, nullptr, nullptr) == ARES_SUCCESS);
  CHECK(std::string(host->h_name) == "web.example.com");
  REQUIRE(host->h_addr_list[0]);
  CHECK(uint8_t(host->h_addr_list[0][3]) == 7);
  ares_free_hostent(host);
}

TEST_CASE("c-ares parses our MX, NS, PTR, SOA, SRV answers", "[cares]") {
  {
    auto p = response(RRType::MX, {"10 mail.example.com.", "20 mx2.Example.com."});
    ares_mx_reply* mx = nullptr;
    REQUIRE(ares_parse_mx_reply(p.data(), len(p), &mx) == ARES_SUCCESS);
    REQUIRE(mx);
    CHECK(mx->priority == 10);
    CHECK(std::string(mx->host) == "mail.example.com");
    REQUIRE(mx->next);
    CHECK(mx->next->priority == 20);
    // The exchange is compressed against the question; c-ares sees the question's spelling.
    CHECK(std::string(mx->next->host) == "mx2.example.com");
    ares_free_data(mx);
  }
  {
    auto p = response(RRType::NS, {"ns1.example.com.", "ns2.example.net."});
    hostent* host = nullptr;
    REQUIRE(ares_parse_ns_reply(p.data(), len(p), &host) == ARES_SUCCESS);
    std::set<std::string> got;
    for (char** a = host->h_aliases; *a; ++a) got.insert(*a);
    CHECK(got == std::set<std::string>{"ns1.example.com", "ns2.example.net"});
    ares_free_hostent(host);
  }
  {
    auto p = response(RRType::PTR, {"host.example.com."});
    hostent* host = nullptr;
    in_addr addr{};
    inet_pton(AF_INET, "192.0.2.1", &addr);
    REQUIRE(ares_parse_ptr_reply(p.data(), len(p), &addr, sizeof addr, AF_INET, &host) ==
            ARES_SUCCESS);
    CHECK(std::string(host->h_name) == "host.example.com");
    ares_free_hostent(host);
  }
  {
    auto p = response(RRType::SOA, {"ns.example.com. hostmaster.example.com. 7 7200 3600 1209600 300"});
    ares_soa_reply* soa = nullptr;
    REQUIRE(ares_parse_soa_reply(p.data(), len(p), &soa) == ARES_SUCCESS);
    CHECK(std::string(soa->nsname) == "ns.example.com");
    CHECK(std::string(soa->hostmaster) == "hostmaster.example.com");
    CHECK(soa->serial == 7);
    CHECK(soa->refresh == 7200);
    CHECK(soa->retry == 3600);
    CHECK(soa->expire == 1209600);
    CHECK(soa->minttl == 300);
    ares_free_data(soa);
  }
  {
    auto p = response(RRType::SRV, {"1 5 5060 sip.example.com."});
    ares_srv_reply* srv = nullptr;
    REQUIRE(ares_parse_srv_reply(p.data(), len(p), &srv) == ARES_SUCCESS);
    CHECK(srv->priority == 1);
    CHECK(srv->weight == 5);
    CHECK(srv->port == 5060);
    CHECK(std::string(srv->host) == "sip.example.com");
    ares_free_data(srv);
  }
}

TEST_CASE("c-ares parses our TXT and CAA answers", "[cares]") {
  {
    auto p = response(RRType::TXT, {"\"v=spf1 -all\" \"second\\\"quoted\""});
    ares_txt_reply* txt = nullptr;
    REQUIRE(ares_parse_txt_reply(p.data(), len(p), &txt) == ARES_SUCCESS);
    REQUIRE(txt);
    CHECK(std::string(reinterpret_cast<char*>(txt->txt), txt->length) == "v=spf1 -all");
    REQUIRE(txt->next);
    CHECK(std::string(reinterpret_cast<char*>(txt->next->txt), txt->next->length) ==
          "second\"quoted");
    ares_free_data(txt);
  }
  {
    auto p = response(RRType::CAA, {"128 issue \"ca.example.net\""});
    ares_caa_reply* caa = nullptr;
    REQUIRE(ares_parse_caa_reply(p.data(), len(p), &caa) == ARES_SUCCESS);
    CHECK(caa->critical);
    CHECK(std::string(reinterpret_cast<char*>(caa->property), caa->plength) == "issue");
    CHECK(std::string(reinterpret_cast<char*>(caa->value), caa->length) == "ca.example.net");
    ares_free_data(caa);
  }
}

TEST_CASE("our parser reads queries built by c-ares", "[cares]") {
  struct Q {
    const char* name;
    int type;
    unsigned short id;
    int rd;
    int udp;
  };
  const Q queries[] = {{"www.example.com", 1, 1, 1, 0},
                       {"Example.ORG", 28, 0xffff, 0, 1232},
                       {"_sip._tcp.example.net", 33, 77, 1, 4096},
                       {"a.b.c.d.e.f", 255, 9, 0, 512}};
  for (const auto& q : queries) {
    INFO(q.name);
    unsigned char* buf = nullptr;
    int buflen = 0;
    REQUIRE(ares_create_query(q.name, 1, q.type, q.id, q.rd, &buf, &buflen, q.udp) ==
            ARES_SUCCESS);
    std::vector<uint8_t> p(buf, buf + buflen);
    ares_free_string(buf);
    auto m = MessageView::parse(p);
    REQUIRE(m.ok());
    CHECK(m->header().id == q.id);
    CHECK_FALSE(m->header().qr);
    CHECK(m->header().opcode == Opcode::Query);
    CHECK(m->header().rd == bool(q.rd));
    CHECK(m->header().qdcount == 1);
    CHECK(*m->qname().to_name() == *Name::from_text(q.name));
    CHECK(m->qname().to_name()->to_text() == std::string(q.name) + ".");  // case kept
    CHECK(uint16_t(m->qtype()) == q.type);
    CHECK(m->qclass() == RRClass::IN);
    if (q.udp) {
      REQUIRE(m->edns());
      CHECK(m->edns()->udp_size() == q.udp);
      CHECK(m->edns()->version() == 0);
      CHECK_FALSE(m->edns()->do_bit());
    } else {
      CHECK_FALSE(m->edns());
    }
    // And our builder produces the same bytes for the same query.
    std::optional<Edns> e;
    if (q.udp) {
      e.emplace();
      e->udp_size = uint16_t(q.udp);
    }
    CHECK(build_query(q.id, *Name::from_text(q.name), RRType(q.type), RRClass::IN, q.rd, e) == p);
  }
}
