#include "cache/answer_entry.h"

#include <catch2/catch.hpp>
#include <vector>

#include "cache/name_key.h"
#include "fixtures.h"

namespace tern::cache {

using namespace test;
using wire::RRClass;
using wire::RRType;

TEST_CASE("AnswerEntry: references read back by section, in order, qname stored once", "[answer]") {
  auto qname = name("www.example.com.");
  auto target = name("Edge.CDN.example.net.");
  auto ns = name("ns1.example.net.");
  auto upper = name("WWW.example.com.");  // the qname in another case: still "the qname"
  auto zone = name("example.net.");
  // Given out of section order: create() writes them section by section.
  std::vector<AnswerRefInput> refs = {
      {AnswerSection::Additional, ns.wire(), RRType::A, RRClass::IN, 7},
      {AnswerSection::Answer, upper.wire(), RRType::CNAME, RRClass::IN, 1},
      {AnswerSection::Authority, zone.wire(), RRType::NS, RRClass::IN, 5},
      {AnswerSection::Answer, target.wire(), RRType::A, RRClass::IN, 0xfffffffe},
  };
  AnswerEntry::NegativeRef neg{qname.wire(), RRType::AAAA, RRClass::IN};
  auto* e = AnswerEntry::create(qname.wire(), RRType::A, RRClass::IN, AnswerFlags{true, true}.bits(),
                                wire::Rcode::NoError, refs, neg, 42, at(60));
  CHECK(e->hash == 42);
  CHECK(e->flags == 3);
  CHECK(e->counts[0] == 2);
  CHECK(e->counts[1] == 1);
  CHECK(e->counts[2] == 1);

  std::vector<AnswerRef> seen;
  e->for_each_ref([&](const AnswerRef& r) { seen.push_back(r); });
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].section == AnswerSection::Answer);
  CHECK(seen[0].type == RRType::CNAME);
  CHECK(seen[0].generation == 1);
  CHECK(wire_equal_ci(seen[0].owner, qname.wire()));
  CHECK(seen[1].type == RRType::A);
  CHECK(seen[1].generation == 0xfffffffe);
  CHECK(wire_equal_ci(seen[1].owner, target.wire()));
  CHECK(seen[2].section == AnswerSection::Authority);
  CHECK(seen[2].type == RRType::NS);
  CHECK(seen[3].section == AnswerSection::Additional);
  CHECK(wire_equal_ci(seen[3].owner, ns.wire()));
  auto n = e->negative();
  REQUIRE(n);
  CHECK(n->type == RRType::AAAA);
  CHECK(wire_equal_ci(n->name, qname.wire()));

  // The qname is not repeated for the references it owns: 9 bytes per reference plus the owner.
  size_t tail = qname.wire().size() + (9 + 0) + (9 + target.wire().size()) +
                (9 + zone.wire().size()) + (9 + ns.wire().size()) + (5 + 0);
  CHECK(e->bytes == allocation_bytes(sizeof(AnswerEntry) + tail));
  AnswerEntry::destroy(e);
}

TEST_CASE("AnswerEntry: the key hash covers qtype, qclass and the flags", "[answer]") {
  auto q = name("www.example.com.");
  auto h = answer_key_hash(q.wire(), RRType::A, RRClass::IN, 0);
  CHECK(h == answer_key_hash(name("WWW.Example.com.").wire(), RRType::A, RRClass::IN, 0));
  CHECK(h != answer_key_hash(q.wire(), RRType::AAAA, RRClass::IN, 0));
  CHECK(h != answer_key_hash(q.wire(), RRType::A, RRClass::CH, 0));
  CHECK(h != answer_key_hash(q.wire(), RRType::A, RRClass::IN, AnswerFlags{true, false}.bits()));
  CHECK(h != answer_key_hash(q.wire(), RRType::A, RRClass::IN, AnswerFlags{false, true}.bits()));
}

}  // namespace tern::cache
