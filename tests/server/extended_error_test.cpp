// Extended DNS Errors (RFC 8914): the one mapping from the engine's failure to INFO-CODE and
// EXTRA-TEXT, the option's wire form, and when build_response sends it.
#include <catch2/catch.hpp>

#include "resolver/server/extended_error.h"
#include "resolver/server/query_check.h"
#include "resolver/server/response.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using engine::Failure;

namespace {

engine::Answer failed(Failure reason, std::string_view zone, std::optional<std::string> server) {
  engine::Answer a;
  a.rcode = wire::Rcode::ServFail;
  a.failure = reason;
  engine::FailureInfo why;
  why.reason = reason;
  why.zone = *wire::Name::from_text(zone);
  if (server) why.server = engine::Address::parse(*server);
  a.why = why;
  return a;
}

// The EDE options of a response, as (code, text).
std::vector<std::pair<uint16_t, std::string>> ede_of(const std::vector<uint8_t>& response) {
  auto msg = wire::MessageView::parse(response);
  REQUIRE(msg);
  std::vector<std::pair<uint16_t, std::string>> out;
  auto edns = msg->edns();
  if (!edns) return out;
  for (const auto& o : edns->to_edns().options) {
    if (o.code != wire::kEdnsEde) continue;
    REQUIRE(o.data.size() >= 2);
    out.emplace_back(uint16_t(o.data[0] << 8 | o.data[1]), std::string(o.data.begin() + 2, o.data.end()));
  }
  return out;
}

}  // namespace

TEST_CASE("failure reasons map to the RFC 8914 codes", "[ede]") {
  CHECK(ede_code(Failure::AllServersFailed) == EdeCode::NoReachableAuthority);
  CHECK(ede_code(Failure::ServersDown) == EdeCode::NoReachableAuthority);
  CHECK(ede_code(Failure::Deadline) == EdeCode::NoReachableAuthority);
  CHECK(ede_code(Failure::NetworkError) == EdeCode::NetworkError);
  CHECK(ede_code(Failure::AllServersLame) == EdeCode::NotAuthoritative);
  CHECK(ede_code(Failure::RecentFailure) == EdeCode::CachedError);
  CHECK(ede_code(Failure::CnameLoop) == EdeCode::Other);
  CHECK(ede_code(Failure::Overloaded) == EdeCode::Other);
  CHECK(uint16_t(EdeCode::NoReachableAuthority) == 22);
  CHECK(uint16_t(EdeCode::NotAuthoritative) == 20);
  CHECK(uint16_t(EdeCode::StaleNxdomainAnswer) == 19);
}

TEST_CASE("a failure's EDE names the zone, the server and the reason", "[ede]") {
  auto e = extended_error(failed(Failure::AllServersLame, "example.com.", "192.0.2.1"));
  REQUIRE(e);
  CHECK(e->code == EdeCode::NotAuthoritative);
  CHECK(e->text == "zone example.com., server 192.0.2.1:53: every server of the zone lame or "
                   "REFUSED (all-servers-lame)");

  SECTION("Other (0) still says what happened") {
    auto o = extended_error(failed(Failure::CnameLoop, "example.com.", std::nullopt));
    REQUIRE(o);
    CHECK(o->code == EdeCode::Other);
    CHECK(o->text == "zone example.com.: CNAME loop (cname-loop)");
  }
  SECTION("an answer from the failure cache keeps the first reason's code") {
    auto a = failed(Failure::AllServersFailed, "example.com.", "192.0.2.1");
    a.failure = Failure::RecentFailure;
    auto c = extended_error(a);
    REQUIRE(c);
    CHECK(c->code == EdeCode::NoReachableAuthority);
    CHECK(c->text.find("cached failure") != std::string::npos);
  }
}

TEST_CASE("stale answers get 3, stale NXDOMAIN 19, with the failure behind them", "[ede]") {
  engine::Answer a = failed(Failure::AllServersFailed, "example.com.", "192.0.2.1");
  a.failure.reset();
  a.stale = true;
  a.rcode = wire::Rcode::NoError;
  auto e = extended_error(a);
  REQUIRE(e);
  CHECK(e->code == EdeCode::StaleAnswer);
  CHECK(e->text.find("all-servers-failed") != std::string::npos);
  a.rcode = wire::Rcode::NXDomain;
  CHECK(extended_error(a)->code == EdeCode::StaleNxdomainAnswer);
}

TEST_CASE("an ordinary answer has no EDE", "[ede]") {
  engine::Answer a;
  a.rcode = wire::Rcode::NoError;
  CHECK_FALSE(extended_error(a));
}

TEST_CASE("the EDE option: INFO-CODE, then EXTRA-TEXT only when allowed", "[ede]") {
  ExtendedError e{EdeCode::NoReachableAuthority, "zone x."};
  CHECK(ede_option(e, false).data == std::vector<uint8_t>{0, 22});
  CHECK(ede_option(e, true).data == std::vector<uint8_t>{0, 22, 'z', 'o', 'n', 'e', ' ', 'x', '.'});
  CHECK(ede_option(e, true).code == 15);
}

TEST_CASE("build_response sends the EDE only to an EDNS client, the text only when told", "[ede]") {
  Sections s;
  s.rcode = wire::Rcode::ServFail;
  s.ede = ExtendedError{EdeCode::NotAuthoritative, "zone example.com.: lame"};
  wire::Edns edns;
  auto with_edns = check_query(make_query("www.example.com.", wire::RRType::A, edns), true).query;
  auto without = check_query(make_query("www.example.com.", wire::RRType::A), true).query;

  auto hidden = ede_of(build_response(with_edns, s, 1232, 1232, /*ede_text=*/false));
  REQUIRE(hidden.size() == 1);
  CHECK(hidden[0].first == 20);
  CHECK(hidden[0].second.empty());

  auto shown = ede_of(build_response(with_edns, s, 1232, 1232, /*ede_text=*/true));
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].second == "zone example.com.: lame");

  auto bytes = build_response(without, s, 512, 1232, true);
  auto msg = wire::MessageView::parse(bytes);
  REQUIRE(msg);
  CHECK_FALSE(msg->edns());
}
