// The metrics endpoint's pure parts: request reading around http_parser, the response for each
// request, and the exposition text of metric families (what the control channel also prints).
#include <catch2/catch.hpp>

#include <string>

#include "resolver/config/config.h"
#include "resolver/server/http_request.h"
#include "resolver/server/metrics.h"
#include "resolver/server/metrics_http.h"
#include "resolver/server/stats.h"

using namespace tern::server;

namespace {

HttpRequestReader::State feed(HttpRequestReader& r, std::string_view text) {
  return r.feed({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string respond(const HttpRequestReader& r) {
  return http_response_for(r, [] { return std::string("tern_x_total 1\n"); });
}

}  // namespace

TEST_CASE("a request split across reads completes with its method and path") {
  HttpRequestReader r(8192);
  CHECK(feed(r, "GET /metr") == HttpRequestReader::State::NeedMore);
  CHECK(feed(r, "ics?name[]=x HTTP/1.1\r\nHost: a\r\n") == HttpRequestReader::State::NeedMore);
  CHECK(feed(r, "\r\n") == HttpRequestReader::State::Complete);
  CHECK(r.method() == "GET");
  CHECK(r.path() == "/metrics");
  std::string resp = respond(r);
  CHECK(resp.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(resp.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(resp.find("Content-Length: 15\r\n") != std::string::npos);
  CHECK(resp.substr(resp.size() - 15) == "tern_x_total 1\n");
}

TEST_CASE("malformed, oversized and unfinished requests are Bad and get 400") {
  HttpRequestReader garbage(8192);
  CHECK(feed(garbage, "GARBAGE\x01\r\n\r\n") == HttpRequestReader::State::Bad);
  CHECK(respond(garbage).rfind("HTTP/1.1 400 ", 0) == 0);

  HttpRequestReader big(256);
  CHECK(feed(big, "GET /" + std::string(300, 'a')) == HttpRequestReader::State::Bad);
  CHECK(big.error().find("larger than 256") != std::string::npos);
  CHECK(respond(big).rfind("HTTP/1.1 400 ", 0) == 0);

  HttpRequestReader cut(8192);
  CHECK(feed(cut, "GET /metrics HTTP/1.1\r\n") == HttpRequestReader::State::NeedMore);
  CHECK(cut.finish() == HttpRequestReader::State::Bad);
  CHECK(respond(cut).rfind("HTTP/1.1 400 ", 0) == 0);

  HttpRequestReader length(8192);
  CHECK(feed(length, "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n") == HttpRequestReader::State::Bad);
}

TEST_CASE("routes: /healthz, HEAD without body, 404, 405") {
  HttpRequestReader health(8192);
  feed(health, "GET /healthz HTTP/1.0\r\n\r\n");
  std::string h = respond(health);
  CHECK(h.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(h.substr(h.size() - 3) == "ok\n");

  HttpRequestReader head(8192);
  feed(head, "HEAD /metrics HTTP/1.1\r\n\r\n");
  std::string hd = respond(head);
  CHECK(hd.find("Content-Length: 15\r\n") != std::string::npos);
  CHECK(hd.substr(hd.size() - 4) == "\r\n\r\n");

  HttpRequestReader missing(8192);
  feed(missing, "GET /nope HTTP/1.1\r\n\r\n");
  CHECK(respond(missing).rfind("HTTP/1.1 404 ", 0) == 0);

  HttpRequestReader post(8192);
  feed(post, "POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
  CHECK(respond(post).rfind("HTTP/1.1 405 ", 0) == 0);
}

TEST_CASE("exposition text: HELP, TYPE, labels, histogram buckets cumulative") {
  MetricFamily c{"tern_a_total", "Things.", MetricFamily::Type::Counter,
                 {{"", "transport=\"udp\"", 3}, {"", "transport=\"tcp\"", 0}}};
  MetricFamily g{"tern_b", "Bytes.", MetricFamily::Type::Gauge, {{"", "", 1.5}}};
  std::string text = to_prometheus({c, g});
  CHECK(text ==
        "# HELP tern_a_total Things.\n# TYPE tern_a_total counter\n"
        "tern_a_total{transport=\"udp\"} 3\ntern_a_total{transport=\"tcp\"} 0\n"
        "# HELP tern_b Bytes.\n# TYPE tern_b gauge\ntern_b 1.5\n");
  CHECK(to_sample_lines({c, g}) == "tern_a_total{transport=\"udp\"} 3\ntern_a_total{transport=\"tcp\"} 0\ntern_b 1.5\n");
  CHECK(escape_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");

  LatencyHistogram h;
  h.observe(400);      // <= 0.0005 s
  h.observe(400);
  h.observe(3000);     // <= 0.005 s
  h.observe(9000000);  // above every bound
  CHECK(h.buckets[0] == 2);
  CHECK(h.buckets[3] == 1);
  CHECK(h.buckets.back() == 1);
  CHECK(h.sum_us == 9003800);
}

TEST_CASE("a query's type is read from its question, compressed or short questions are none") {
  // ID, flags, QDCOUNT 1, then "a." A IN.
  const uint8_t a[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 28, 0, 1};
  CHECK(packet_qtype(a) == 28);
  CHECK(qtype_slot_name(qtype_slot(28)) == std::string("AAAA"));
  CHECK(qtype_slot_name(qtype_slot(99)) == std::string("other"));
  const uint8_t ptr[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  CHECK(packet_qtype(ptr) == kNoQtype);
  const uint8_t cut[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0};
  CHECK(packet_qtype(cut) == kNoQtype);
}

TEST_CASE("[metrics] listen: off by default, port 9153 when omitted, bad text rejected") {
  using namespace tern::config;
  Config c = default_config();
  CHECK_FALSE(c.metrics.listen.has_value());
  apply_toml(c, "[metrics]\nlisten = \"127.0.0.1\"\nmax-request-bytes = 4096\n", "t.toml");
  REQUIRE(c.metrics.listen.has_value());
  CHECK(c.metrics.listen->to_string() == "127.0.0.1:9153");
  CHECK(c.metrics.max_request_bytes == 4096);
  apply_toml(c, "[metrics]\nlisten = \"\"\n", "t.toml");
  CHECK_FALSE(c.metrics.listen.has_value());
  CHECK_THROWS_AS(apply_toml(c, "[metrics]\nlisten = \"not an address\"\n", "t.toml"), ConfigError);
  CHECK_THROWS_AS(apply_toml(c, "[metrics]\nmax-request-bytes = 10\n", "t.toml"), ConfigError);
  CHECK_THROWS_AS(apply_toml(c, "[metrics]\nport = 1\n", "t.toml"), ConfigError);
}
