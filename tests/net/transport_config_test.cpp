// The [resolver] keys of the transport's defences: defaults are the named constants, values and
// errors, and their mapping onto net::TransportConfig.
#include <catch2/catch.hpp>

#include "resolver/config/config.h"
#include "resolver/server/engine_backend.h"

using namespace tern;

namespace {

std::string error_of(const std::string& toml) {
  config::Config c = config::default_config();
  try {
    config::apply_toml(c, toml, "t.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("transport defence keys default to the named constants", "[config][net]") {
  auto c = config::default_config();
  config::Log log(config::LogLevel::Off);
  auto t = server::transport_config(c, log);
  CHECK(t.case_randomisation == net::kCaseRandomisation);
  CHECK(t.near_miss_limit == net::kNearMissLimit);
  CHECK(t.unwanted_reply_threshold == net::kUnwantedReplyThreshold);
  CHECK(t.port_low == net::kOutgoingPortLow);
  CHECK(t.port_high == net::kOutgoingPortHigh);
  CHECK(t.port_bind_attempts == net::kPortBindAttempts);
  CHECK(t.case_memory_size == net::kMaxCaseInsensitiveServers);
  CHECK(t.outgoing.empty());
}

TEST_CASE("transport defence keys are applied", "[config][net]") {
  auto c = config::default_config();
  config::apply_toml(c, R"(
[resolver]
case-randomisation = false
near-miss-limit = 3
unwanted-reply-threshold = 500
outgoing-port-range = "20000-30000"
outgoing-address = ["127.0.0.9", "::1"]
outgoing-port-bind-attempts = 3
case-memory-servers = 10
)", "t.toml");
  config::Log log(config::LogLevel::Off);
  auto t = server::transport_config(c, log);
  CHECK_FALSE(t.case_randomisation);
  CHECK(t.near_miss_limit == 3);
  CHECK(t.unwanted_reply_threshold == 500);
  CHECK(t.port_low == 20000);
  CHECK(t.port_high == 30000);
  CHECK(t.port_bind_attempts == 3);
  CHECK(t.case_memory_size == 10);
  REQUIRE(t.outgoing.size() == 2);
  CHECK(t.outgoing[0].host_to_string() == "127.0.0.9");
  CHECK(t.outgoing[1].v6);
}

TEST_CASE("a single outgoing-address string is a list of one", "[config][net]") {
  auto c = config::default_config();
  config::apply_toml(c, "[resolver]\noutgoing-address = \"127.0.0.9\"\n", "t.toml");
  CHECK(c.resolver.outgoing_address == std::vector<std::string>{"127.0.0.9"});
}

TEST_CASE("bad transport defence values are errors naming the key", "[config][net]") {
  CHECK(error_of("[resolver]\noutgoing-port-range = \"80-9000\"\n").find("outgoing-port-range") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-port-range = \"3000-2000\"\n").find("outgoing-port-range") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-port-range = \"2000\"\n").find("outgoing-port-range") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-address = \"127.0.0.1:53\"\n").find("outgoing-address") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-address = [\"nope\"]\n").find("outgoing-address") !=
        std::string::npos);
  CHECK(error_of("[resolver]\nnear-miss-limit = -1\n").find("near-miss-limit") != std::string::npos);
  CHECK(error_of("[resolver]\ncase-randomisation = 1\n").find("case-randomisation") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-port-bind-attempts = 0\n").find("outgoing-port-bind-attempts") !=
        std::string::npos);
  CHECK(error_of("[resolver]\ncase-memory-servers = 0\n").find("case-memory-servers") !=
        std::string::npos);
  CHECK(error_of("[resolver]\noutgoing-port-range = \"1024-65535\"\n").empty());
}
