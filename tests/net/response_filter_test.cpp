// ResponseFilter on hand-built packets.
#include <catch2/catch.hpp>

#include "fake_server.h"
#include "resolver/net/response_filter.h"

using namespace tern;

namespace {

std::vector<uint8_t> query(uint16_t id) {
  return wire::build_query(id, wire::Name::from_text("Www.Example.COM.").value(), wire::RRType::A,
                           wire::RRClass::IN, false, std::nullopt);
}

}  // namespace

TEST_CASE("response filter", "[net][filter]") {
  auto q = query(0xbeef);
  auto id = net::QueryIdentity::of_query(q).value();
  CHECK(net::filter_response(id, nettest::make_response(q)) == net::FilterVerdict::Accept);
  CHECK(net::filter_response(id, nettest::make_response(q, 1)) == net::FilterVerdict::WrongId);
  CHECK(net::filter_response(id, nettest::make_response(q, 0, false, "www.example.net.")) ==
        net::FilterVerdict::WrongQuestion);
  // Case differences in the echoed name are fine (0x20 and friends).
  CHECK(net::filter_response(id, nettest::make_response(q, 0, false, "WWW.EXAMPLE.com.")) ==
        net::FilterVerdict::Accept);
  // The query itself (QR=0) reflected back.
  CHECK(net::filter_response(id, q) == net::FilterVerdict::NotResponse);
  // Garbage and short packets.
  CHECK(net::filter_response(id, std::vector<uint8_t>{0xbe, 0xef, 0x80}) ==
        net::FilterVerdict::Unparsable);
  std::vector<uint8_t> bad = nettest::make_response(q);
  bad.resize(bad.size() - 3);
  CHECK(net::filter_response(id, bad) == net::FilterVerdict::Unparsable);
  // FORMERR without a question, right ID: let through for the EDNS fallback.
  std::vector<uint8_t> formerr{0xbe, 0xef, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK(net::filter_response(id, formerr) == net::FilterVerdict::Accept);
  std::vector<uint8_t> noerror_empty{0xbe, 0xef, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK(net::filter_response(id, noerror_empty) == net::FilterVerdict::WrongQuestion);
}
