// CH TXT identity answers (server/identity.h): off by default, each switchable.
#include <catch2/catch.hpp>

#include "resolver/server/identity.h"

using namespace tern;
using namespace tern::server;

namespace {

ClientQuery ch(const char* name, wire::RRType type = wire::RRType::TXT, wire::RRClass c = wire::RRClass::CH) {
  ClientQuery q;
  q.has_question = true;
  q.qname = wire::Name::from_text(name).value();
  q.qtype = type;
  q.qclass = c;
  return q;
}

std::string txt_of(const Sections& s) {
  REQUIRE(s.answer.size() == 1);
  auto rdata = *s.answer[0].begin();
  std::string out;
  for (size_t i = 0; i < rdata.size();) {
    size_t n = rdata[i];
    out.append(reinterpret_cast<const char*>(rdata.data() + i + 1), n);
    i += 1 + n;
  }
  return out;
}

}  // namespace

TEST_CASE("identity: hidden by default") {
  IdentitySettings s;
  s.identity = "ns1.example";
  s.version = "ternd 1.0";
  for (auto n : {"id.server.", "hostname.bind.", "version.bind.", "version.server."}) CHECK_FALSE(identity_answer(ch(n), s));
}

TEST_CASE("identity: each name answers what is configured, in class CH only") {
  IdentitySettings s;
  s.hide_identity = false;
  s.identity = "ns1.example";
  s.version = "ternd 1.0";
  for (auto n : {"id.server.", "HOSTNAME.bind."}) {
    auto a = identity_answer(ch(n), s);
    REQUIRE(a);
    CHECK(a->authoritative);
    CHECK(a->answer[0].rclass == wire::RRClass::CH);
    CHECK(a->answer[0].type == wire::RRType::TXT);
    CHECK(txt_of(*a) == "ns1.example");
  }
  CHECK_FALSE(identity_answer(ch("version.bind."), s));  // the version stays hidden
  CHECK_FALSE(identity_answer(ch("id.server.", wire::RRType::A), s));
  CHECK_FALSE(identity_answer(ch("id.server.", wire::RRType::TXT, wire::RRClass::IN), s));
  CHECK_FALSE(identity_answer(ch("other.bind."), s));
  CHECK(identity_answer(ch("id.server.", wire::RRType::ANY), s));

  s.hide_version = false;
  s.hide_identity = true;
  auto v = identity_answer(ch("version.server."), s);
  REQUIRE(v);
  CHECK(txt_of(*v) == "ternd 1.0");
  CHECK_FALSE(identity_answer(ch("id.server."), s));
}

TEST_CASE("identity: a text longer than 255 octets is split into character-strings") {
  IdentitySettings s;
  s.hide_version = false;
  s.version = std::string(600, 'v');
  auto v = identity_answer(ch("version.bind."), s);
  REQUIRE(v);
  CHECK(txt_of(*v) == s.version);
  CHECK((*v->answer[0].begin()).size() == 600 + 3);
}
