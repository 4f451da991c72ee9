// RR types, classes, opcodes and rcodes, with their presentation mnemonics. Any 16-bit value is a
// valid RRType / RRClass: unknown ones print as TYPEnnn / CLASSnnn (RFC 3597 §5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::wire {

enum class RRType : uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  HINFO = 13,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  DNAME = 39,
  OPT = 41,
  DS = 43,
  RRSIG = 46,
  NSEC = 47,
  DNSKEY = 48,
  NSEC3 = 50,
  NSEC3PARAM = 51,
  SVCB = 64,
  HTTPS = 65,
  IXFR = 251,
  AXFR = 252,
  ANY = 255,
  CAA = 257,
};

enum class RRClass : uint16_t { IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255 };

enum class Opcode : uint8_t { Query = 0, IQuery = 1, Status = 2, Notify = 4, Update = 5 };

// 12-bit extended rcode: the header's 4 bits plus the OPT record's upper 8 bits.
enum class Rcode : uint16_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NXDomain = 3,
  NotImp = 4,
  Refused = 5,
  YXDomain = 6,
  YXRRSet = 7,
  NXRRSet = 8,
  NotAuth = 9,
  NotZone = 10,
  BadVers = 16,
};

std::string type_to_text(RRType t);                          // "A", "TYPE65280"
std::optional<RRType> type_from_text(std::string_view text);  // case-insensitive, accepts TYPEnnn
std::string class_to_text(RRClass c);                         // "IN", "CLASS3"... ("CH" for 3)
std::optional<RRClass> class_from_text(std::string_view text);
std::string rcode_to_text(Rcode r);                           // "NOERROR", "NXDOMAIN", "RCODE23"
std::string opcode_to_text(Opcode o);                         // "QUERY", "NOTIFY", "OPCODE7"

// True for the RFC 1035 types whose RDATA names may be compressed on output (RFC 3597 §4):
// NS, CNAME, SOA, PTR, MX (plus MD/MF/MB/MG/MR/MINFO). MessageBuilder compresses only these.
bool rdata_has_compressible_names(RRType t);
// True for the types whose compressed RDATA names are accepted and decompressed on receipt:
// the above plus RP, AFSDB, RT, PX, NAPTR and SRV, which RFC 3597 §4 says receivers SHOULD
// decompress (old servers compressed them). Every other type must carry uncompressed names.
bool rdata_decompress_on_receipt(RRType t);

}  // namespace tern::wire
