#include <catch2/catch.hpp>

#include "resolver/server/doh_request.h"
#include "resolver/server/query_check.h"
#include "resolver/server/response.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using wire::RRType;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

DohDecision get(const std::string& path) {
  return decide_doh_request(DohRequest{"GET", path, "", {}, false}, kDohDefaultPath);
}

DohDecision post(std::string_view type, const std::vector<uint8_t>& body) {
  return decide_doh_request(DohRequest{"POST", "/dns-query", type, body, false}, kDohDefaultPath);
}

}  // namespace

TEST_CASE("base64url: RFC 4648 test vectors without padding, both ways") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, coded] : vectors) {
    CHECK(base64url_encode(bytes(plain)) == coded);
    auto back = base64url_decode(coded);
    REQUIRE(back);
    CHECK(*back == bytes(plain));
  }
  // The URL alphabet: 0xfb 0xff encodes to "-_8" where standard base64 has "+/8".
  CHECK(base64url_encode(std::vector<uint8_t>{0xfb, 0xff}) == "-_8");
  CHECK(base64url_decode("-_8") == std::optional(std::vector<uint8_t>{0xfb, 0xff}));
}

TEST_CASE("base64url: padding, the standard alphabet, odd lengths and stray bits are refused") {
  CHECK_FALSE(base64url_decode("Zg=="));   // RFC 8484 §4.1: no padding
  CHECK_FALSE(base64url_decode("+/8"));    // standard base64
  CHECK_FALSE(base64url_decode("Zm9vY"));  // 4n+1 characters
  CHECK_FALSE(base64url_decode("Zh"));     // 'h' leaves non-zero bits past the byte
  CHECK_FALSE(base64url_decode("Zm 9v"));
  CHECK_FALSE(base64url_decode("Zm%39v"));
}

TEST_CASE("GET carries the query in dns=, among other parameters") {
  auto q = make_query("example.com.", RRType::AAAA, std::nullopt, 0);
  auto d = get("/dns-query?dns=" + base64url_encode(q));
  CHECK(d.status == 200);
  CHECK(d.query == q);
  d = get("/dns-query?ct=application/dns-message&dns=" + base64url_encode(q) + "&x=1");
  CHECK(d.status == 200);
  CHECK(d.query == q);
}

TEST_CASE("GET refusals: no dns=, bad base64url, too short, wrong path, wrong method") {
  auto q = make_query("example.com.", RRType::A);
  CHECK(get("/dns-query").status == 400);
  CHECK(get("/dns-query?name=example.com").status == 400);
  CHECK(get("/dns-query?dns=" + base64url_encode(q) + "==").status == 400);
  CHECK(get("/dns-query?dns=AAAA").status == 400);  // 3 bytes: no DNS header
  CHECK(get("/other?dns=" + base64url_encode(q)).status == 404);
  CHECK(get("/dns-query/x?dns=" + base64url_encode(q)).status == 404);
  CHECK(decide_doh_request(DohRequest{"PUT", "/dns-query", kDohContentType, q, false}, kDohDefaultPath).status == 405);
  CHECK(decide_doh_request(DohRequest{"HEAD", "/dns-query?dns=" + base64url_encode(q), "", {}, false},
                           kDohDefaultPath).status == 405);
  // A longer dns= than any DNS message could need is 413 before it is decoded.
  CHECK(get("/dns-query?dns=" + std::string(90000, 'A')).status == 413);
}

TEST_CASE("POST needs application/dns-message (parameters and case aside) and a body that fits") {
  auto q = make_query("example.com.", RRType::A);
  CHECK(post("application/dns-message", q).status == 200);
  CHECK(post("application/dns-message", q).query == q);
  CHECK(post("Application/DNS-Message; charset=binary", q).status == 200);
  CHECK(post("", q).status == 415);
  CHECK(post("application/dns-udpwireformat", q).status == 415);
  CHECK(post("application/json", q).status == 415);
  CHECK(post("application/dns-message", bytes("short")).status == 400);
  CHECK(decide_doh_request(DohRequest{"POST", "/dns-query", kDohContentType, q, true}, kDohDefaultPath).status == 413);
  CHECK(decide_doh_request(DohRequest{"POST", "/dns-query", kDohContentType, q, false}, kDohDefaultPath, 20).status == 413);
}

TEST_CASE("a configured path replaces /dns-query") {
  auto q = make_query("example.com.", RRType::A);
  DohRequest r{"POST", "/resolve", kDohContentType, q, false};
  CHECK(decide_doh_request(r, "/resolve").status == 200);
  CHECK(decide_doh_request(r, kDohDefaultPath).status == 404);
}

TEST_CASE("max-age is the smallest TTL of the response's records, OPT aside; 0 without records") {
  wire::Edns e;
  e.udp_size = 1232;
  auto c = check_query(make_query("example.com.", RRType::A, e), true);
  Sections s;
  wire::RRset a(name("example.com."), RRType::A, wire::RRClass::IN, 300);
  a.add(std::vector<uint8_t>{192, 0, 2, 1});
  wire::RRset ns(name("example.com."), RRType::NS, wire::RRClass::IN, 86400);
  ns.add(name("ns.example.com.").wire());
  wire::RRset glue(name("ns.example.com."), RRType::A, wire::RRClass::IN, 45);
  glue.add(std::vector<uint8_t>{192, 0, 2, 53});
  s.answer.push_back(a);
  s.authority.push_back(ns);
  s.additional.push_back(glue);
  CHECK(doh_max_age(build_response(c.query, s, 65535, 1232)) == 45);
  s.additional.clear();
  CHECK(doh_max_age(build_response(c.query, s, 65535, 1232)) == 300);
  // SERVFAIL: nothing an HTTP cache should keep.
  CHECK(doh_max_age(build_error(c.query, wire::Rcode::ServFail, 65535, 1232)) == 0);
  CHECK(doh_max_age(bytes("garbage")) == 0);
}
