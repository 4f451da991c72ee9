// The server.https-* keys: defaults equal to the named constants, values applied, bad ones refused.
#include <catch2/catch.hpp>

#include "config_error.h"
#include "resolver/config/config.h"
#include "resolver/server/doh_limits.h"

using namespace tern;
using namespace tern::config;

namespace {

std::string error_of(const std::string& toml) { return tern::test::config_error_of(toml); }

}  // namespace

TEST_CASE("https-* defaults are the DoH constants, and no DoH listener") {
  Config c = default_config();
  CHECK(c.server.https_listen.empty());
  CHECK(c.server.https_path == server::kDohDefaultPath);
  CHECK(c.server.https_max_streams == server::kDohMaxStreams);
  CHECK(c.server.https_max_header_bytes == server::kDohMaxHeaderBytes);
  CHECK(c.server.https_max_body == server::kDohMaxBody);
  CHECK(c.server.https_stream_timeout_ms == server::kDohStreamTimeoutMs);
}

TEST_CASE("https-* keys are applied; the port defaults to 443") {
  Config c = default_config();
  apply_toml(c,
             "[server]\ntls-certificate = \"cert.pem\"\ntls-key = \"key.pem\"\n"
             "https-listen = [\"127.0.0.1\", \"[::1]:8443\"]\nhttps-path = \"/resolve\"\n"
             "https-max-streams = 10\nhttps-max-header-bytes = 4096\nhttps-max-body = 1024\n"
             "https-stream-timeout-ms = 1500\n",
             "t.toml");
  REQUIRE(c.server.https_listen.size() == 2);
  CHECK(c.server.https_listen[0].to_string() == "127.0.0.1:443");
  CHECK(c.server.https_listen[1].to_string() == "[::1]:8443");
  CHECK(c.server.https_path == "/resolve");
  CHECK(c.server.https_max_streams == 10);
  CHECK(c.server.https_max_header_bytes == 4096);
  CHECK(c.server.https_max_body == 1024);
  CHECK(c.server.https_stream_timeout_ms == 1500);
}

TEST_CASE("bad https-* values name the key") {
  CHECK(error_of("[server]\nhttps-listen = [\"127.0.0.1\"]\n") ==
        "t.toml: server.https-listen needs server.tls-certificate and server.tls-key");
  CHECK(error_of("[server]\nhttps-listen = [\"nowhere\"]\n").rfind("t.toml:2: server.https-listen: 'nowhere'", 0) == 0);
  CHECK(error_of("[server]\nhttps-path = \"dns-query\"\n").rfind("t.toml:2: server.https-path:", 0) == 0);
  CHECK(error_of("[server]\nhttps-path = \"/q?x=1\"\n").rfind("t.toml:2: server.https-path:", 0) == 0);
  CHECK(error_of("[server]\nhttps-max-body = 70000\n") == "t.toml:2: server.https-max-body: 70000 is outside 512..65535");
  CHECK(error_of("[server]\nhttps-max-streams = 0\n").rfind("t.toml:2: server.https-max-streams:", 0) == 0);
}
