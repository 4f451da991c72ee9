#include "wire/rdata.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hex.h"
#include "wire/message_builder.h"
#include "wire/rrset.h"

using namespace tern::wire;
using tern::wire::test::hex;
using tern::wire::test::to_hex;

namespace {

const Name kOrigin = *Name::from_text("example.com.");

struct Case {
  const char* type;
  const char* text;  // exactly as we (and dig) print it
  const char* wire;  // canonical RDATA in hex
};

// One or more cases per supported type; each must survive text -> wire -> text unchanged and
// wire -> message -> parse -> canonical wire unchanged.
const std::vector<Case> kCases = {
    {"A", "192.0.2.1", "c0000201"},
    {"AAAA", "2001:db8::1", "20010db8000000000000000000000001"},
    {"AAAA", "::ffff:192.0.2.1", "00000000000000000000ffffc0000201"},
    {"NS", "ns1.example.com.", "036e7331076578616d706c6503636f6d00"},
    {"CNAME", "Web.Example.com.", "03576562074578616d706c6503636f6d00"},
    {"DNAME", "example.net.", "076578616d706c65036e657400"},
    {"PTR", "host.example.", "04686f7374076578616d706c6500"},
    {"MX", "10 mail.example.com.", "000a046d61696c076578616d706c6503636f6d00"},
    {"SOA", "ns.example. hostmaster.example. 2026112201 7200 3600 1209600 300",
     "026e73076578616d706c65000a686f73746d6173746572076578616d706c650078c404c9"
     "00001c2000000e1000127500" "0000012c"},
    {"TXT", "\"hello world\" \"second\"", "0b68656c6c6f20776f726c64067365636f6e64"},
    {"TXT", "\"quote\\\" back\\\\slash \\255\"", "1371756f746522206261636b5c736c61736820ff"},
    {"TXT", "\"\"", "00"},
    {"HINFO", "\"INTEL-386\" \"Unix\"", "09494e54454c2d33383604556e6978"},
    {"SRV", "0 5 5060 sip.example.com.", "0000 0005 13c4 03736970076578616d706c6503636f6d00"},
    {"CAA", "0 issue \"letsencrypt.org\"", "0005 6973737565" "6c657473656e63727970742e6f7267"},
    {"CAA", "128 iodef \"mailto:a@example.com\"",
     "800569 6f646566 6d61696c746f3a61406578616d706c652e636f6d"},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118"},
    {"DS",
     "2371 13 2 1F987CC6583E92DF0890718C42A3A7E11A4D1B5F8B6C7C7EB3E3F0D6 2B1E2B0F",
     "0943 0d 02 1f987cc6583e92df0890718c42a3a7e11a4d1b5f8b6c7c7eb3e3f0d62b1e2b0f"},
    {"DNSKEY", "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+ KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
     "0101 03 0d 99db2cc14cabdc33d6d77da63a2f15f71112584f234e8d1dc428e39e8a4a97e1aa"
     "271a555dc90701e17e2a4c4b6f120b7c32d44f4ac02bd894cf2d4be7778a19"},
    {"RRSIG",
     "A 13 2 3600 20261231235959 20261201000000 12345 example.com. AQIDBA==",
     "0001 0d 02 00000e10 6b36ec7f 6b0e0e00 3039 076578616d706c6503636f6d00 01020304"},
    {"NSEC", "host.example.com. A MX RRSIG NSEC TYPE1234",
     "04686f7374076578616d706c6503636f6d00 0006 40010000 0003 04 1b 000000000000000000000000000000000000000000000000000020"},
    {"NSEC3", "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG",
     "01 01 000c 04aabbccdd 14 174eb2409fe28bcb4887a1836f957f0a8425e27b 0006 400000000002"},
    {"NSEC3", "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR",
     "01 00 0000 00 14 174eb2409fe28bcb4887a1836f957f0a8425e27b"},
    {"NSEC3PARAM", "1 0 10 AABB", "01 00 000a 02aabb"},
    {"NSEC3PARAM", "1 0 0 -", "01 00 0000 00"},
    {"SVCB", "0 svc.example.", "0000 03737663076578616d706c6500"},
    {"SVCB",
     "1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1",
     "0001 00 0001 0006 02683202683 3 0003 0002 20fb 0004 0008 c0000201c0000202"
     " 0006 0010 20010db8000000000000000000000001"},
    {"HTTPS", "1 . mandatory=alpn alpn=\"h2\" no-default-alpn ech=AQID key65000=\"x\\\\y\"",
     "0001 00 0000 0002 0001 0001 0003 026832 0002 0000 0005 0003 010203 fde8 0003 785c79"},
    {"RP", "admin.example.com. info.example.com.",
     "0561646d696e076578616d706c6503636f6d00 04696e666f076578616d706c6503636f6d00"},
    {"AFSDB", "1 afs.example.", "0001 03616673076578616d706c6500"},
    {"RT", "10 relay.example.", "000a 0572656c6179076578616d706c6500"},
    {"PX", "10 map.example. x400.", "000a 036d6170076578616d706c6500 047834303000"},
    {"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
     "0064 000a 0153 075349502b443255 00 045f736970045f756470076578616d706c6503636f6d00"},
    {"TYPE65280", "\\# 4 0A000001", "0a000001"},
    {"TYPE62", "\\# 0", ""},
    {"OPT", "\\# 8 000A000401020304", "000a000401020304"},
};

}  // namespace

TEST_CASE("RDATA: every type round-trips text -> wire -> text", "[rdata]") {
  for (const auto& c : kCases) {
    INFO(c.type << " " << c.text);
    auto type = type_from_text(c.type);
    REQUIRE(type);
    auto wire = rdata_from_text(*type, c.text, kOrigin);
    REQUIRE(wire.ok());
    CHECK(to_hex(*wire) == to_hex(hex(c.wire)));
    CHECK_FALSE(validate_rdata(*type, *wire));
    CHECK(rdata_to_text(*type, *wire) == c.text);
  }
}

TEST_CASE("RDATA: every type survives a message (compression, parse, decompression)", "[rdata]") {
  const Name owner = *Name::from_text("www.example.com.");
  MessageBuilder b(65535);
  b.add_question(owner, RRType::ANY, RRClass::IN);
  std::vector<std::pair<RRType, std::vector<uint8_t>>> sent;
  for (const auto& c : kCases) {
    auto type = *type_from_text(c.type);
    if (type == RRType::OPT) continue;  // only legal as the one EDNS record
    auto wire = hex(c.wire);
    REQUIRE(b.add_record(Section::Answer, owner, type, RRClass::IN, 60, wire) ==
            MessageBuilder::Added::Ok);
    sent.emplace_back(type, wire);
  }
  auto packet = b.finish();
  auto m = MessageView::parse(packet);
  REQUIRE(m.ok());
  REQUIRE(m->answer().size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    INFO(type_to_text(sent[i].first));
    auto got = decompress_rdata(*m, m->answer()[i]);
    REQUIRE(got.ok());
    auto want = sent[i].second;
    if (rdata_has_compressible_names(sent[i].first)) {
      // A compressed name takes the case of the earlier spelling it points to.
      for (auto& c : *got) c = ascii_lower(c);
      for (auto& c : want) c = ascii_lower(c);
    }
    CHECK(to_hex(*got) == to_hex(want));
  }
}

TEST_CASE("RDATA: RFC 3597 generic form accepted for known types", "[rdata]") {
  auto a = rdata_from_text(RRType::A, "\\# 4 0a000001", kOrigin);
  REQUIRE(a.ok());
  CHECK(rdata_to_text(RRType::A, *a) == "10.0.0.1");
  CHECK(rdata_from_text(RRType::A, "\\# 5 0a00000101", kOrigin).error() ==
        WireError::RdlengthMismatch);
  CHECK(rdata_from_text(RRType::A, "\\# 4 0a0000", kOrigin).error() == WireError::RdlengthMismatch);
  CHECK(rdata_from_text(RRType::A, "\\# 2 0a0g", kOrigin).error() == WireError::BadText);
  auto ns = rdata_from_text(RRType::NS, "\\# 3 016100", kOrigin);
  REQUIRE(ns.ok());
  CHECK(rdata_to_text(RRType::NS, *ns) == "a.");
}

TEST_CASE("RDATA: relative names use the origin", "[rdata]") {
  auto mx = rdata_from_text(RRType::MX, "5 mail", kOrigin);
  REQUIRE(mx.ok());
  CHECK(rdata_to_text(RRType::MX, *mx) == "5 mail.example.com.");
  CHECK(rdata_to_text(RRType::NS, *rdata_from_text(RRType::NS, "@", kOrigin)) == "example.com.");
}

TEST_CASE("RDATA: bad presentation text is rejected with a reason", "[rdata]") {
  CHECK(rdata_from_text(RRType::A, "192.0.2", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::A, "192.0.2.1 extra", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::MX, "65536 mx.", kOrigin).error() == WireError::BadNumber);
  CHECK(rdata_from_text(RRType::MX, "10", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::TXT, "\"unterminated", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::TXT, std::string(256, 'a'), kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::TXT, "a\\25", kOrigin).error() == WireError::BadEscape);
  CHECK(rdata_from_text(RRType::NSEC, "x. A BOGUS", kOrigin).error() == WireError::UnknownType);
  CHECK(rdata_from_text(RRType::DNSKEY, "257 3 13 abc", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::SVCB, "1 . port=99999", kOrigin).error() == WireError::BadNumber);
  CHECK(rdata_from_text(RRType::SVCB, "1 . port=1 port=2", kOrigin).error() == WireError::BadText);
  CHECK(rdata_from_text(RRType::CAA, "0 is-sue \"x\"", kOrigin).error() == WireError::BadRdata);
  CHECK(rdata_from_text(RRType::OPT, "", kOrigin).error() == WireError::BadText);
}

TEST_CASE("RDATA: typed accessors", "[rdata]") {
  auto soa = parse_soa(hex(kCases[8].wire));
  REQUIRE(soa);
  CHECK(soa->mname.to_text() == "ns.example.");
  CHECK(soa->rname.to_text() == "hostmaster.example.");
  CHECK(soa->serial == 2026112201u);
  CHECK(soa->minimum == 300);
  auto mx = parse_mx(hex("000a046d61696c076578616d706c6503636f6d00"));
  REQUIRE(mx);
  CHECK(mx->preference == 10);
  CHECK(mx->exchange.to_text() == "mail.example.com.");
  auto srv = parse_srv(hex("0000 0005 13c4 03736970076578616d706c6503636f6d00"));
  REQUIRE(srv);
  CHECK(srv->port == 5060);
  CHECK(rdata_target(RRType::SRV, hex("0000 0005 13c4 03736970076578616d706c6503636f6d00"))
            ->to_text() == "sip.example.com.");
  CHECK(rdata_target(RRType::CNAME, hex("0161 00"))->to_text() == "a.");
  CHECK_FALSE(rdata_target(RRType::CNAME, hex("0161")));
  CHECK_FALSE(rdata_target(RRType::A, hex("01020304")));
  CHECK(rdata_aaaa(hex("20010db8000000000000000000000001")));
  CHECK_FALSE(rdata_a(hex("0102")));
  CHECK_FALSE(parse_soa(hex("00")));
}

TEST_CASE("RDATA: invalid canonical RDATA prints as generic data", "[rdata]") {
  CHECK(rdata_to_text(RRType::A, hex("0102")) == "\\# 2 0102");
  CHECK(validate_rdata(RRType::MX, hex("000a c00c")) == WireError::BadRdata);
}
