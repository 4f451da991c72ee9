#include "wire/message_view.h"

#include <catch2/catch.hpp>
#include <string>

#include "hex.h"
#include "wire/rdata.h"

using namespace tern::wire;
using tern::wire::test::hex;

namespace {

WireError parse_error(const std::vector<uint8_t>& p) {
  auto m = MessageView::parse(p);
  REQUIRE_FALSE(m.ok());
  return m.error();
}

// A hand-made compressed response: www.example.com. A -> CNAME web.example.com. -> A 192.0.2.1.
const char* kCompressed = R"(
  04d2 8180 0001 0002 0000 0000        # id 1234, qr rd ra, QD 1 AN 2
  03 777777 07 6578616d706c65 03 636f6d 00 0001 0001   # @12 www.example.com. A IN
  c00c 0005 0001 00000e10 0006 03 776562 c010          # @33 CNAME web + ptr->example.com (16)
  c02d 0001 0001 00000e10 0004 c0000201                # @51 owner ptr->web.example.com (45)
)";

}  // namespace

TEST_CASE("MessageView: header flags", "[message_view]") {
  auto h = parse_header(hex("abcd 97b3 0001 0002 0003 0004"));
  REQUIRE(h.ok());
  CHECK(h->id == 0xabcd);
  CHECK(h->qr);
  CHECK(h->opcode == Opcode::Status);  // 0x97 = 1 0010 1 1 1
  CHECK(h->aa);
  CHECK(h->tc);
  CHECK(h->rd);
  CHECK(h->ra);  // 0xb3 = 1 0 1 1 0011
  CHECK_FALSE(h->z);
  CHECK(h->ad);
  CHECK(h->cd);
  CHECK(h->rcode == 3);
  CHECK(h->qdcount == 1);
  CHECK(h->ancount == 2);
  CHECK(h->nscount == 3);
  CHECK(h->arcount == 4);
  CHECK(parse_header(hex("abcd 97b3 0001 0002 0003 00")).error() == WireError::Truncated);
}

TEST_CASE("MessageView: decodes a hand-made compressed message", "[message_view]") {
  auto p = hex(kCompressed);
  auto m = MessageView::parse(p);
  REQUIRE(m.ok());
  CHECK(m->header().id == 1234);
  CHECK(m->has_question());
  CHECK(m->qname().to_name()->to_text() == "www.example.com.");
  CHECK(m->qname().equals(*Name::from_text("WWW.example.COM")));
  CHECK(m->qtype() == RRType::A);
  CHECK(m->qclass() == RRClass::IN);
  REQUIRE(m->answer().size() == 2);
  CHECK(m->authority().empty());
  CHECK(m->additional().empty());
  const auto& cname = m->answer()[0];
  CHECK(cname.owner().to_name()->to_text() == "www.example.com.");
  CHECK(cname.owner().wire_length_in_place() == 2);
  CHECK(cname.type() == RRType::CNAME);
  CHECK(cname.ttl() == 3600);
  CHECK(cname.section() == Section::Answer);
  auto target = decompress_rdata(*m, cname);
  REQUIRE(target.ok());
  CHECK(Name::from_wire(*target)->to_text() == "web.example.com.");
  const auto& a = m->answer()[1];
  CHECK(a.owner().to_name()->to_text() == "web.example.com.");
  CHECK(a.owner().hash() == Name::from_text("WEB.example.com")->hash());
  CHECK(rdata_a(a.rdata()) == std::array<uint8_t, 4>{192, 0, 2, 1});
  CHECK_FALSE(m->edns());
  CHECK(m->rcode() == Rcode::NoError);
}

TEST_CASE("MessageView: queries with 0 or several questions", "[message_view]") {
  auto none = hex("0001 0000 0000 0000 0000 0000");
  auto m0 = MessageView::parse(none);
  REQUIRE(m0.ok());
  CHECK_FALSE(m0->has_question());
  auto two = hex("0001 0100 0002 0000 0000 0000  01 61 00 0001 0001  01 62 00 001c 0001");
  auto m2 = MessageView::parse(two);
  REQUIRE(m2.ok());
  CHECK(m2->header().qdcount == 2);
  CHECK(m2->qname().to_name()->to_text() == "a.");
  CHECK(m2->question_end() == two.size());
}

TEST_CASE("MessageView: compressed SRV target is decompressed on receipt (RFC 3597 section 4)",
          "[message_view]") {
  auto p = hex("0001 8100 0001 0001 0000 0000 01 61 00 0021 0001"
               " c00c 0021 0001 00000000 0008 0000 0000 0035 c00c");
  auto m = MessageView::parse(p);
  REQUIRE(m.ok());
  auto rd = decompress_rdata(*m, m->answer()[0]);
  REQUIRE(rd.ok());
  CHECK(rdata_to_text(RRType::SRV, *rd) == "0 0 53 a.");
}

TEST_CASE("MessageView: EDNS, extended rcode, cookie and EDE", "[message_view]") {
  auto p = hex(R"(
    0001 8100 0000 0000 0000 0001
    00 0029 04d0 01008000 0012     # OPT udp 1232, ext rcode 1, version 0, DO
    000a 0008 0102030405060708     # cookie
    000f 0002 0012                 # EDE 18 (prohibited), no text
  )");
  auto m = MessageView::parse(p);
  REQUIRE(m.ok());
  CHECK(m->additional().empty());  // OPT is not a record of the section
  auto e = m->edns();
  REQUIRE(e);
  CHECK(e->udp_size() == 1232);
  CHECK(e->ext_rcode_high() == 1);
  CHECK(e->version() == 0);
  CHECK(e->do_bit());
  CHECK(m->rcode() == Rcode::BadVers);  // 1 << 4 | 0 = 16
  REQUIRE(e->options().size() == 2);
  CHECK(e->cookie()->size() == 8);
  REQUIRE(e->ede());
  CHECK(e->ede()->info_code == 18);
  CHECK(e->to_edns().options.size() == 2);
}

TEST_CASE("MessageView: every malformed-input rule has its own error", "[message_view]") {
  SECTION("header shorter than 12 octets") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 00")) == WireError::Truncated);
  }
  SECTION("question cut inside the name") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 03 6162")) == WireError::Truncated);
  }
  SECTION("question cut inside type/class") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 00 0001 00")) == WireError::Truncated);
  }
  SECTION("label type 01 / 10 is rejected") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 41 00 0001 0001")) ==
          WireError::BadLabelType);
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 81 00 0001 0001")) ==
          WireError::BadLabelType);
  }
  SECTION("name longer than 255 octets") {
    std::string p = "0001 0100 0001 0000 0000 0000";
    for (int i = 0; i < 5; ++i) p += " 3f" + std::string(126, '6');  // 5 labels of 63 'f's
    p += " 00 0001 0001";
    CHECK(parse_error(hex(p)) == WireError::NameTooLong);
  }
  SECTION("pointer to itself") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 c00c 0001 0001")) ==
          WireError::PointerLoop);
  }
  SECTION("backward pointer that loops through labels already read") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 0161 c00c 0001 0001")) ==
          WireError::PointerLoop);
  }
  SECTION("forward pointer") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 c00e 00 0001 0001")) ==
          WireError::PointerNotBackward);
  }
  SECTION("pointer past the end of the packet") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 c0ff 0001 0001")) ==
          WireError::PointerOutOfRange);
  }
  SECTION("pointer cut in half") {
    CHECK(parse_error(hex("0001 0100 0001 0000 0000 0000 c0")) == WireError::Truncated);
  }
  SECTION("more than 64 pointer hops") {
    // Record 1 (owner root, TXT) holds 66 pointers in its RDATA, each pointing to the previous;
    // the first points at the root owner (offset 12). Record 2's owner points at the last one.
    std::string p = "0001 8100 0000 0002 0000 0000  00 0010 0001 00000000 0085 84";
    p += " c00c";
    for (int k = 1; k < 66; ++k) {
      char buf[8];
      snprintf(buf, sizeof buf, " c0%02x", 24 + 2 * (k - 1));
      p += buf;
    }
    p += " c09a 0001 0001 00000000 0004 7f000001";
    CHECK(parse_error(hex(p)) == WireError::TooManyPointers);
  }
  SECTION("answer count larger than the packet") {
    CHECK(parse_error(hex("0001 8100 0001 0001 0000 0000 00 0001 0001")) ==
          WireError::CountExceedsPacket);
    CHECK(parse_error(hex("0001 8100 0002 0000 0000 0000 00 0001 0001")) ==
          WireError::CountExceedsPacket);
    CHECK(parse_error(hex("0001 8100 0000 ffff ffff ffff 00 0001 0001 00000000 0000")) ==
          WireError::CountExceedsPacket);
  }
  SECTION("record cut inside its fixed fields") {
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 0161 00 0001 0001 00000000")) ==
          WireError::Truncated);
  }
  SECTION("RDLENGTH past the end of the packet") {
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0001 0001 00000000 0005 7f000001")) ==
          WireError::Truncated);
  }
  SECTION("RDLENGTH that disagrees with the type") {
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0001 0001 00000000 0005 7f00000101")) ==
          WireError::RdlengthMismatch);
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 001c 0001 00000000 0004 7f000001")) ==
          WireError::RdlengthMismatch);
    // MX whose exchange runs past RDLENGTH into the next bytes.
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 000f 0001 00000000 0004 000a 0161 00")) ==
          WireError::RdlengthMismatch);
    // SOA missing its last counter.
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0006 0001 00000000 0012 00 00"
                          "00000001 00000002 00000003 00000004")) == WireError::RdlengthMismatch);
  }
  SECTION("bytes after the last record") {
    CHECK(parse_error(hex("0001 8100 0001 0000 0000 0000 00 0001 0001 ff")) ==
          WireError::TrailingGarbage);
  }
  SECTION("RDATA structure invalid for its type") {
    // CAA with an empty tag.
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0101 0001 00000000 0003 00 00 61")) ==
          WireError::BadRdata);
    // NSEC bitmap with window length 0.
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 002f 0001 00000000 0003 00 0000")) ==
          WireError::BadRdata);
    // NSEC bitmap with a trailing zero octet (RFC 4034 section 4.1.2; found by the fuzzer).
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 002f 0001 00000000 0005 00 0002 4000")) ==
          WireError::BadRdata);
    // SVCB keys not increasing.
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0040 0001 00000000 000b 0001 00"
                          "0003 0000 0001 0000")) == WireError::BadRdata);
  }
  SECTION("compression inside RDATA of a type defined after RFC 1035") {
    // NSEC next name c00c (RFC 4034 section 4.1.1: never compressed).
    CHECK(parse_error(hex("0001 8100 0001 0001 0000 0000 01 61 00 002f 0001"
                          " c00c 002f 0001 00000000 0005 c00c 000140")) ==
          WireError::CompressedRdata);
    // DNAME target (RFC 6672 section 2.5: never compressed).
    CHECK(parse_error(hex("0001 8100 0001 0001 0000 0000 01 61 00 0027 0001"
                          " c00c 0027 0001 00000000 0002 c00c")) == WireError::CompressedRdata);
  }
  SECTION("OPT rules") {
    // Owner not root.
    CHECK(parse_error(hex("0001 8100 0000 0000 0000 0001 0161 00 0029 0200 00000000 0000")) ==
          WireError::BadOpt);
    // Option length past the RDATA.
    CHECK(parse_error(hex("0001 8100 0000 0000 0000 0001 00 0029 0200 00000000 0005 000a 0008 01")) ==
          WireError::BadOpt);
    CHECK(parse_error(hex("0001 8100 0000 0000 0000 0002 00 0029 0200 00000000 0000"
                          " 00 0029 0200 00000000 0000")) == WireError::MultipleOpt);
    CHECK(parse_error(hex("0001 8100 0000 0001 0000 0000 00 0029 0200 00000000 0000")) ==
          WireError::OptNotInAdditional);
  }
}
