#include "wire/rr_type.h"
#include "wire/wire_error.h"

#include <catch2/catch.hpp>

using namespace tern::wire;

TEST_CASE("RR type, class, rcode and opcode mnemonics", "[rr_type]") {
  CHECK(type_to_text(RRType::A) == "A");
  CHECK(type_to_text(RRType::NSEC3PARAM) == "NSEC3PARAM");
  CHECK(type_to_text(RRType(65280)) == "TYPE65280");
  CHECK(type_from_text("aaaa") == RRType::AAAA);
  CHECK(type_from_text("TYPE1") == RRType::A);
  CHECK(type_from_text("type65535") == RRType(65535));
  CHECK_FALSE(type_from_text("TYPE65536"));
  CHECK_FALSE(type_from_text("TYPE"));
  CHECK_FALSE(type_from_text("TYPE1x"));
  CHECK_FALSE(type_from_text("BOGUS"));
  CHECK(class_to_text(RRClass::IN) == "IN");
  CHECK(class_to_text(RRClass(3)) == "CH");
  CHECK(class_to_text(RRClass(42)) == "CLASS42");
  CHECK(class_from_text("chaos") == RRClass::CH);
  CHECK(class_from_text("CLASS1") == RRClass::IN);
  CHECK(rcode_to_text(Rcode::NXDomain) == "NXDOMAIN");
  CHECK(rcode_to_text(Rcode::BadVers) == "BADVERS");
  CHECK(rcode_to_text(Rcode(23)) == "RCODE23");
  CHECK(opcode_to_text(Opcode::Notify) == "NOTIFY");
  CHECK(opcode_to_text(Opcode(7)) == "OPCODE7");
  CHECK(rdata_has_compressible_names(RRType::MX));
  CHECK_FALSE(rdata_has_compressible_names(RRType::SRV));
  CHECK(rdata_decompress_on_receipt(RRType::SRV));
  CHECK_FALSE(rdata_decompress_on_receipt(RRType::DNAME));
  CHECK(to_string(WireError::PointerLoop) == "compression pointer loop");
}
