// Every way a packet, a name or a presentation-format string can be rejected. Each rule has its
// own value so a test (and a log line) can say exactly which rule a hostile input broke.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::wire {

enum class WireError : uint8_t {
  Truncated,           // a read would go past the end of the packet / RDATA
  LabelTooLong,        // label > 63 octets
  NameTooLong,         // name > 255 octets (after decompression)
  BadLabelType,        // label type 0b01 / 0b10 (extended / reserved)
  PointerLoop,         // compression pointer revisits an offset
  PointerNotBackward,  // compression pointer does not point strictly before itself
  PointerOutOfRange,   // compression pointer beyond the packet
  TooManyPointers,     // more than kMaxPointerHops hops for one name
  CountExceedsPacket,  // a section count promises more records than the packet holds
  RdlengthMismatch,    // RDLENGTH disagrees with the RDATA its type defines
  TrailingGarbage,     // bytes after the last counted record
  BadRdata,            // RDATA structure invalid for its type
  BadText,             // presentation format not understood
  BadEscape,           // bad \X or \DDD escape in presentation format
  UnknownType,         // type mnemonic not known (and not TYPEnnn)
  NoSpace,             // does not fit in the output buffer
  EmptyLabel,          // "a..b" in presentation format
  BadOpt,              // OPT record malformed (owner not root, bad option length)
  MultipleOpt,         // more than one OPT record (RFC 6891 §6.1.1)
  OptNotInAdditional,  // OPT record in the answer or authority section
  BadNumber,           // a number in presentation format is malformed or out of range
  UnknownClass,        // class mnemonic not known (and not CLASSnnn)
  CompressedRdata,     // compression pointer inside RDATA of a type that must not be compressed
};

std::string_view to_string(WireError e);

}  // namespace tern::wire
