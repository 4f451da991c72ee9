#include "wire/encoding.h"

#include <catch2/catch.hpp>

using namespace tern::wire::detail;

namespace {
std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("base64 (RFC 4648 test vectors)", "[encoding]") {
  const std::pair<const char*, const char*> v[] = {{"", ""},         {"f", "Zg=="},
                                                   {"fo", "Zm8="},   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : v) {
    CHECK(to_base64(bytes(plain)) == enc);
    CHECK(from_base64(enc) == bytes(plain));
  }
  CHECK_FALSE(from_base64("Zg="));    // length not a multiple of 4
  CHECK_FALSE(from_base64("Z==="));   // padding too early
  CHECK_FALSE(from_base64("Zg==Zg=="));
  CHECK_FALSE(from_base64("Zm9*"));
}

TEST_CASE("base32hex (RFC 4648 test vectors, no padding)", "[encoding]") {
  const std::pair<const char*, const char*> v[] = {{"", ""},           {"f", "CO"},
                                                   {"fo", "CPNG"},     {"foo", "CPNMU"},
                                                   {"foob", "CPNMUOG"}, {"fooba", "CPNMUOJ1"},
                                                   {"foobar", "CPNMUOJ1E8"}};
  for (auto [plain, enc] : v) {
    CHECK(to_base32hex(bytes(plain)) == enc);
    CHECK(from_base32hex(enc) == bytes(plain));
  }
  CHECK(from_base32hex("cpnmuoj1e8") == bytes("foobar"));
  CHECK_FALSE(from_base32hex("CP"));   // leftover bits not zero
  CHECK_FALSE(from_base32hex("C"));    // dangling symbol
  CHECK_FALSE(from_base32hex("CPW"));  // W is outside the alphabet
}

TEST_CASE("hex", "[encoding]") {
  CHECK(to_hex_upper(bytes("\x01\xab")) == "01AB");
  CHECK(from_hex("01ab") == bytes("\x01\xab"));
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("0g"));
}
