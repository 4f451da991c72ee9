#include <catch2/catch.hpp>

#include <deque>
#include <random>

#include "fault_responder.h"
#include "wire/message_builder.h"
#include "wire/message_view.h"
#include "wire/rdata.h"

using namespace tern::lab;
using tern::wire::MessageView;
using tern::wire::Name;
using tern::wire::Rcode;
using tern::wire::RRClass;
using tern::wire::RRType;

namespace {

FaultSpec spec_for(const char* line) {
  auto specs = parse_fault_config(line);
  REQUIRE(specs);
  return specs->front();
}

std::vector<uint8_t> query(const char* name, RRType type, bool edns = true, uint16_t id = 0x1234) {
  std::optional<tern::wire::Edns> e;
  if (edns) e = tern::wire::Edns{};
  return tern::wire::build_query(id, *Name::from_text(name), type, RRClass::IN, false, e);
}

// The A address of the first answer record, or nullopt.
std::optional<Ipv4> answer_a(const MessageView& m) {
  if (m.answer().empty()) return std::nullopt;
  return tern::wire::rdata_a(m.answer()[0].rdata());
}

// Replies outlive the views parsed from them: the test keeps every buffer here.
struct Kept {
  std::deque<std::vector<uint8_t>> buffers;  // deque: stable addresses
  MessageView parse(std::vector<Reply> replies, size_t i = 0) {
    REQUIRE(replies.size() > i);
    buffers.push_back(std::move(replies[i].bytes));
    auto m = MessageView::parse(buffers.back());
    REQUIRE(m);
    return *m;
  }
};

const Ipv4 kAnswer{127, 53, 201, 1};
const Ipv4 kBogus{127, 53, 66, 66};

}  // namespace

TEST_CASE("normal serves its zone authoritatively", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.1 normal z.fault.test. 127.53.201.1\n");
  auto check = [&](const char* name, RRType type, Rcode rcode, size_t answers) {
    auto replies = respond(spec, query(name, type), Via::Udp);
    REQUIRE(replies.size() == 1);
    auto m = MessageView::parse(replies[0].bytes);
    REQUIRE(m);
    CHECK(m->header().id == 0x1234);
    CHECK(m->header().qr);
    CHECK(m->rcode() == rcode);
    CHECK(m->answer().size() == answers);
    CHECK(m->edns().has_value());
    return replies[0].bytes;
  };
  auto www = check("www.z.fault.test.", RRType::A, Rcode::NoError, 1);
  auto m = MessageView::parse(www);
  CHECK(m->header().aa);
  CHECK(answer_a(*m) == kAnswer);
  check("WWW.Z.fault.test.", RRType::A, Rcode::NoError, 1);
  check("www.z.fault.test.", RRType::AAAA, Rcode::NoError, 0);
  check("nope.z.fault.test.", RRType::A, Rcode::NXDomain, 0);
  check("z.fault.test.", RRType::SOA, Rcode::NoError, 1);
  check("z.fault.test.", RRType::NS, Rcode::NoError, 1);
  check("ns.z.fault.test.", RRType::A, Rcode::NoError, 1);
  auto outside = kept.parse(respond(spec, query("www.other.test.", RRType::A), Via::Udp));
  CHECK(outside.rcode() == Rcode::Refused);
  CHECK_FALSE(outside.header().aa);
}

TEST_CASE("silence and delay", "[lab][fault]") {
  Kept kept;
  CHECK(respond(spec_for("127.53.3.2 silence s.test. 127.53.201.1\n"), query("www.s.test.", RRType::A), Via::Udp)
            .empty());
  auto replies = respond(spec_for("127.53.3.3 delay d.test. 127.53.201.1 ms=400\n"),
                         query("www.d.test.", RRType::A), Via::Udp);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].delay_ms == 400);
  CHECK(answer_a(*MessageView::parse(replies[0].bytes)) == kAnswer);
}

TEST_CASE("tc truncates over UDP and answers over TCP", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.4 tc t.test. 127.53.201.1\n");
  auto udp = kept.parse(respond(spec, query("www.t.test.", RRType::A), Via::Udp));
  CHECK(udp.header().tc);
  CHECK(udp.answer().empty());
  auto tcp = kept.parse(respond(spec, query("www.t.test.", RRType::A), Via::Tcp));
  CHECK_FALSE(tcp.header().tc);
  CHECK(answer_a(tcp) == kAnswer);
}

TEST_CASE("forged replies come first, the real one last", "[lab][fault]") {
  Kept kept;
  SECTION("wrong id") {
    auto r = respond(spec_for("127.53.3.5 wrong-id w.test. 127.53.201.1 bogus=127.53.66.66\n"),
                     query("www.w.test.", RRType::A), Via::Udp);
    REQUIRE(r.size() == 2);
    auto forged = MessageView::parse(r[0].bytes);
    CHECK(forged->header().id != 0x1234);
    CHECK(answer_a(*forged) == kBogus);
    auto real = MessageView::parse(r[1].bytes);
    CHECK(real->header().id == 0x1234);
    CHECK(answer_a(*real) == kAnswer);
  }
  SECTION("wrong question") {
    auto r = respond(spec_for("127.53.3.6 wrong-question w.test. 127.53.201.1 bogus=127.53.66.66\n"),
                     query("www.w.test.", RRType::A), Via::Udp);
    REQUIRE(r.size() == 2);
    auto forged = MessageView::parse(r[0].bytes);
    CHECK(forged->header().id == 0x1234);
    CHECK_FALSE(forged->qname().equals(*Name::from_text("www.w.test.")));
    CHECK(answer_a(*forged) == kBogus);
    CHECK(answer_a(*MessageView::parse(r[1].bytes)) == kAnswer);
  }
  SECTION("other source port") {
    auto r = respond(spec_for("127.53.3.7 other-port w.test. 127.53.201.1 port=5354 bogus=127.53.66.66\n"),
                     query("www.w.test.", RRType::A), Via::Udp);
    REQUIRE(r.size() == 2);
    CHECK(r[0].from_other_port);
    CHECK(answer_a(*MessageView::parse(r[0].bytes)) == kBogus);
    CHECK_FALSE(r[1].from_other_port);
    CHECK(answer_a(*MessageView::parse(r[1].bytes)) == kAnswer);
  }
}

TEST_CASE("poison slips out-of-bailiwick records next to the right answer", "[lab][fault]") {
  Kept kept;
  auto r = respond(spec_for("127.53.3.8 poison p.fault.test. 127.53.201.1 victim=www.victim.com. "
                            "bogus=127.53.66.66\n"),
                   query("www.p.fault.test.", RRType::A), Via::Udp);
  auto m = MessageView::parse(r.at(0).bytes);
  REQUIRE(m);
  CHECK(answer_a(*m) == kAnswer);
  REQUIRE(m->authority().size() == 1);
  CHECK(m->authority()[0].owner().equals(*Name::from_text("victim.com.")));
  REQUIRE(m->additional().size() == 1);
  CHECK(m->additional()[0].owner().equals(*Name::from_text("www.victim.com.")));
  CHECK(tern::wire::rdata_a(m->additional()[0].rdata()) == kBogus);
}

TEST_CASE("formerr-edns answers FORMERR without OPT to EDNS, the answer without", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.9 formerr-edns f.test. 127.53.201.1\n");
  auto with = kept.parse(respond(spec, query("www.f.test.", RRType::A, true), Via::Udp));
  CHECK(with.rcode() == Rcode::FormErr);
  CHECK_FALSE(with.edns().has_value());
  auto without = kept.parse(respond(spec, query("www.f.test.", RRType::A, false), Via::Udp));
  CHECK(without.rcode() == Rcode::NoError);
  CHECK(answer_a(without) == kAnswer);
}

TEST_CASE("servfail, refused, malformed", "[lab][fault]") {
  Kept kept;
  auto rcode_of = [](const char* line) {
    auto r = respond(spec_for(line), query("www.x.test.", RRType::A), Via::Udp);
    return MessageView::parse(r.at(0).bytes)->rcode();
  };
  CHECK(rcode_of("127.53.3.10 servfail x.test. 127.53.201.1\n") == Rcode::ServFail);
  CHECK(rcode_of("127.53.3.11 refused x.test. 127.53.201.1\n") == Rcode::Refused);
  auto bad = respond(spec_for("127.53.3.12 malformed x.test. 127.53.201.1\n"), query("www.x.test.", RRType::A),
                     Via::Udp);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].bytes[0] == 0x12);
  CHECK(bad[0].bytes[1] == 0x34);
  CHECK_FALSE(MessageView::parse(bad[0].bytes));
}

TEST_CASE("refuse-marked refuses only names whose first label starts with refuse", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.20 refuse-marked r.test. 127.53.201.1\n");
  auto refused = kept.parse(respond(spec, query("refuse-1.r.test.", RRType::A), Via::Udp));
  CHECK(refused.rcode() == Rcode::Refused);
  auto mixed_case = kept.parse(respond(spec, query("rEfUSe-2.R.test.", RRType::A), Via::Udp));
  CHECK(mixed_case.rcode() == Rcode::Refused);
  auto good = kept.parse(respond(spec, query("www.r.test.", RRType::A), Via::Udp));
  CHECK(good.rcode() == Rcode::NoError);
  CHECK(good.header().aa);
  CHECK(answer_a(good) == kAnswer);
  auto missing = kept.parse(respond(spec, query("other.r.test.", RRType::A), Via::Udp));
  CHECK(missing.rcode() == Rcode::NXDomain);
}

TEST_CASE("noaa is an upward referral without AA", "[lab][fault]") {
  Kept kept;
  auto r = respond(spec_for("127.53.3.13 noaa l.test. 127.53.201.1\n"), query("www.l.test.", RRType::A), Via::Udp);
  auto m = MessageView::parse(r.at(0).bytes);
  CHECK_FALSE(m->header().aa);
  CHECK(m->answer().empty());
  REQUIRE(m->authority().size() == 1);
  CHECK(m->authority()[0].owner().equals(Name()));
}

TEST_CASE("nxns refers to many glueless servers", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.14 nxns n.test. 127.53.201.1 count=40 target=victim.test.\n");
  auto m = kept.parse(respond(spec, query("www.n.test.", RRType::A), Via::Udp));
  CHECK(m.authority().size() == 40);
  CHECK(m.additional().empty());
  for (const auto& rr : m.authority()) CHECK(rr.type() == RRType::NS);
  // The apex still answers, so the zone looks alive.
  auto soa = kept.parse(respond(spec, query("n.test.", RRType::SOA), Via::Udp));
  CHECK(soa.answer().size() == 1);
}

TEST_CASE("referral loop: down to the peer, the peer back up", "[lab][fault]") {
  Kept kept;
  auto down = respond(spec_for("127.53.3.15 referral-loop l.test. 127.53.201.1 peer=127.53.3.16\n"),
                      query("www.l.test.", RRType::A), Via::Udp);
  auto m = MessageView::parse(down.at(0).bytes);
  REQUIRE(m->authority().size() == 1);
  CHECK(m->authority()[0].owner().equals(*Name::from_text("www.l.test.")));
  REQUIRE(m->additional().size() == 1);
  CHECK(tern::wire::rdata_a(m->additional()[0].rdata()) == Ipv4{127, 53, 3, 16});
  auto up = respond(spec_for("127.53.3.16 upward-referral sub.l.test. 127.53.201.1 parent=l.test. "
                             "peer=127.53.3.15\n"),
                    query("www.l.test.", RRType::A), Via::Udp);
  auto u = MessageView::parse(up.at(0).bytes);
  REQUIRE(u->authority().size() == 1);
  CHECK(u->authority()[0].owner().equals(*Name::from_text("l.test.")));
  REQUIRE(u->additional().size() == 1);
  CHECK(tern::wire::rdata_a(u->additional()[0].rdata()) == Ipv4{127, 53, 3, 15});
}

TEST_CASE("bad queries never crash: FORMERR or nothing", "[lab][fault]") {
  Kept kept;
  auto spec = spec_for("127.53.3.1 normal z.test. 127.53.201.1\n");
  CHECK(respond(spec, std::vector<uint8_t>{1, 2, 3}, Via::Udp).empty());
  std::vector<uint8_t> garbage = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c};
  auto r = respond(spec, garbage, Via::Udp);
  REQUIRE(r.size() == 1);
  CHECK(r[0].bytes[3] == 0x01);  // FORMERR
  auto response = query("www.z.test.", RRType::A);
  response[2] |= 0x80;  // QR set: never answer a response
  CHECK(respond(spec, response, Via::Udp).empty());
}

TEST_CASE("random and mutated queries never crash any behaviour", "[lab][fault]") {
  const char* lines[] = {
      "127.53.3.1 normal z.test. 127.53.201.1\n",
      "127.53.3.4 tc z.test. 127.53.201.1\n",
      "127.53.3.6 wrong-question z.test. 127.53.201.1 bogus=127.53.66.66\n",
      "127.53.3.8 poison z.test. 127.53.201.1 victim=www.victim.com. bogus=127.53.66.66\n",
      "127.53.3.12 malformed z.test. 127.53.201.1\n",
      "127.53.3.14 nxns z.test. 127.53.201.1 count=40 target=victim.test.\n",
      "127.53.3.15 referral-loop z.test. 127.53.201.1 peer=127.53.3.16\n",
  };
  std::mt19937 rng(53);  // fixed seed: the same inputs every run
  auto valid = query("www.z.test.", RRType::A);
  size_t answered = 0;
  for (const char* line : lines) {
    auto spec = spec_for(line);
    for (int i = 0; i < 2000; ++i) {
      std::vector<uint8_t> q = valid;
      if (i % 2 == 0) {
        q.resize(rng() % 64);
        for (auto& b : q) b = uint8_t(rng());
      } else {
        for (int k = 0; k < 3; ++k) q[rng() % q.size()] = uint8_t(rng());
      }
      for (auto& r : respond(spec, q, i % 3 ? Via::Udp : Via::Tcp)) {
        REQUIRE(r.bytes.size() >= 12);
        CHECK((r.bytes[2] & 0x80) != 0);  // every reply is a response
        ++answered;
      }
    }
  }
  CHECK(answered > 0);
}
