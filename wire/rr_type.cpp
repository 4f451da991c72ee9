#include "wire/rr_type.h"

#include <array>
#include <charconv>
#include <utility>

namespace tern::wire {
namespace {

struct TypeName {
  uint16_t code;
  std::string_view text;
};

// Mnemonics we print; others print as TYPEnnn (RFC 3597 §5).
constexpr std::array<TypeName, 38> kTypes{{
    {1, "A"},        {2, "NS"},          {3, "MD"},      {4, "MF"},     {5, "CNAME"},
    {6, "SOA"},      {7, "MB"},          {8, "MG"},      {9, "MR"},     {10, "NULL"},
    {12, "PTR"},     {13, "HINFO"},      {14, "MINFO"},  {15, "MX"},    {16, "TXT"},
    {28, "AAAA"},    {33, "SRV"},        {39, "DNAME"},  {41, "OPT"},   {43, "DS"},
    {46, "RRSIG"},   {47, "NSEC"},       {48, "DNSKEY"}, {50, "NSEC3"}, {51, "NSEC3PARAM"},
    {64, "SVCB"},    {65, "HTTPS"},      {251, "IXFR"},  {252, "AXFR"}, {255, "ANY"},
    {257, "CAA"},    {52, "TLSA"},       {99, "SPF"},    {17, "RP"},    {18, "AFSDB"},
    {21, "RT"},      {26, "PX"},         {35, "NAPTR"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = char(x - 32);
    if (y >= 'a' && y <= 'z') y = char(y - 32);
    if (x != y) return false;
  }
  return true;
}

// "TYPE123" / "CLASS3" style generic mnemonic with a 16-bit number.
std::optional<uint16_t> generic_number(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix)) return {};
  std::string_view digits = text.substr(prefix.size());
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) return {};
  return uint16_t(value);
}

}  // namespace

std::string type_to_text(RRType t) {
  for (const auto& n : kTypes) {
    if (n.code == uint16_t(t)) return std::string(n.text);
  }
  return "TYPE" + std::to_string(uint16_t(t));
}

std::optional<RRType> type_from_text(std::string_view text) {
  for (const auto& n : kTypes) {
    if (iequals(n.text, text)) return RRType(n.code);
  }
  if (auto v = generic_number(text, "TYPE")) return RRType(*v);
  return std::nullopt;
}

std::string class_to_text(RRClass c) {
  switch (c) {
    case RRClass::IN: return "IN";
    case RRClass::CH: return "CH";
    case RRClass::HS: return "HS";
    case RRClass::NONE: return "NONE";
    case RRClass::ANY: return "ANY";
  }
  return "CLASS" + std::to_string(uint16_t(c));
}

std::optional<RRClass> class_from_text(std::string_view text) {
  if (iequals(text, "IN")) return RRClass::IN;
  if (iequals(text, "CH") || iequals(text, "CHAOS")) return RRClass::CH;
  if (iequals(text, "HS")) return RRClass::HS;
  if (iequals(text, "NONE")) return RRClass::NONE;
  if (iequals(text, "ANY")) return RRClass::ANY;
  if (auto v = generic_number(text, "CLASS")) return RRClass(*v);
  return std::nullopt;
}

std::string rcode_to_text(Rcode r) {
  static constexpr std::array<std::string_view, 11> kNames{
      "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
  auto v = uint16_t(r);
  if (v < kNames.size()) return std::string(kNames[v]);
  if (r == Rcode::BadVers) return "BADVERS";
  return "RCODE" + std::to_string(v);
}

std::string opcode_to_text(Opcode o) {
  switch (o) {
    case Opcode::Query: return "QUERY";
    case Opcode::IQuery: return "IQUERY";
    case Opcode::Status: return "STATUS";
    case Opcode::Notify: return "NOTIFY";
    case Opcode::Update: return "UPDATE";
  }
  return "OPCODE" + std::to_string(unsigned(o));
}

bool rdata_has_compressible_names(RRType t) {
  switch (uint16_t(t)) {
    case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:  // NS MD MF CNAME SOA MB MG MR
    case 12: case 14: case 15:                                        // PTR MINFO MX
      return true;
    default:
      return false;
  }
}

bool rdata_decompress_on_receipt(RRType t) {
  switch (uint16_t(t)) {
    case 17: case 18: case 21: case 26: case 33: case 35:  // RP AFSDB RT PX SRV NAPTR
      return true;
    default:
      return rdata_has_compressible_names(t);
  }
}

}  // namespace tern::wire
