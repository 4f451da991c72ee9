// MessageView: a received DNS message read in place. parse() validates everything once (header,
// every name, every record's fixed fields and RDATA against its type, counts, trailing bytes) and
// keeps only offsets, in an inline array for typical messages; accessors cannot fail afterwards.
// A view never outlives the packet buffer it was parsed from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "wire/edns.h"
#include "wire/name_view.h"
#include "wire/result.h"
#include "wire/rr_type.h"
#include "wire/wire_error.h"

namespace tern::wire {

constexpr size_t kHeaderSize = 12;

struct Header {
  uint16_t id = 0;
  bool qr = false;
  Opcode opcode = Opcode::Query;
  bool aa = false, tc = false, rd = false, ra = false, z = false, ad = false, cd = false;
  uint8_t rcode = 0;  // low 4 bits; the upper 8 come from OPT
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  friend bool operator==(const Header&, const Header&) = default;
};

Result<Header, WireError> parse_header(std::span<const uint8_t> packet);  // just the 12 bytes

enum class Section : uint8_t { Question, Answer, Authority, Additional };

class RecordView {
 public:
  RecordView() = default;
  NameView owner() const { return NameView(packet_, owner_offset_); }
  RRType type() const { return type_; }
  RRClass rclass() const { return rclass_; }
  uint32_t ttl() const { return ttl_; }
  std::span<const uint8_t> rdata() const { return packet_.subspan(rdata_offset_, rdlength_); }  // raw
  size_t rdata_offset() const { return rdata_offset_; }
  size_t owner_offset() const { return owner_offset_; }
  Section section() const { return section_; }

 private:
  friend class MessageView;
  std::span<const uint8_t> packet_;
  uint16_t owner_offset_ = 0;
  uint16_t rdata_offset_ = 0;
  uint16_t rdlength_ = 0;
  RRType type_{};
  RRClass rclass_{};
  uint32_t ttl_ = 0;
  Section section_ = Section::Answer;
};

struct EdnsOptionView {
  uint16_t code = 0;
  std::span<const uint8_t> data;
};

// RFC 8914 extended DNS error.
struct EdeView {
  uint16_t info_code = 0;
  std::string_view extra_text;
};

class EdnsView {
 public:
  EdnsView(std::span<const uint8_t> rdata, uint16_t rclass, uint32_t ttl)
      : rdata_(rdata), udp_size_(rclass), ttl_(ttl) {}
  uint16_t udp_size() const { return udp_size_; }
  uint8_t ext_rcode_high() const { return uint8_t(ttl_ >> 24); }
  uint8_t version() const { return uint8_t(ttl_ >> 16); }
  bool do_bit() const { return (ttl_ & 0x8000u) != 0; }
  uint16_t z() const { return uint16_t(ttl_ & 0x7fffu); }  // flags other than DO
  std::vector<EdnsOptionView> options() const;  // in wire order; lengths checked by parse
  std::optional<std::span<const uint8_t>> option(uint16_t code) const;  // first with this code
  std::optional<std::span<const uint8_t>> cookie() const { return option(kEdnsCookie); }
  std::optional<EdeView> ede() const;  // first EDE option with at least its 2-byte code
  Edns to_edns() const;                // owning copy
  std::span<const uint8_t> rdata() const { return rdata_; }

 private:
  std::span<const uint8_t> rdata_;
  uint16_t udp_size_;
  uint32_t ttl_;
};

class MessageView {
 public:
  // Records kept inline before spilling to the heap: covers almost all real responses.
  static constexpr size_t kInlineRecords = 20;

  static Result<MessageView, WireError> parse(std::span<const uint8_t> packet);
  // A view never outlives its buffer: parsing a temporary vector would leave it dangling.
  static Result<MessageView, WireError> parse(std::vector<uint8_t>&&) = delete;

  // Copies only the records in use (the inline array is mostly empty).
  MessageView(const MessageView& other) { *this = other; }
  MessageView& operator=(const MessageView& other);

  const Header& header() const { return header_; }
  bool has_question() const { return header_.qdcount > 0; }
  NameView qname() const { return NameView(packet_, kHeaderSize); }  // first question
  RRType qtype() const { return qtype_; }
  RRClass qclass() const { return qclass_; }
  size_t question_end() const { return question_end_; }  // offset just past the question section

  // OPT excluded from additional().
  std::span<const RecordView> answer() const { return records().subspan(0, counts_[0]); }
  std::span<const RecordView> authority() const { return records().subspan(counts_[0], counts_[1]); }
  std::span<const RecordView> additional() const {
    return records().subspan(size_t(counts_[0]) + counts_[1], counts_[2]);
  }
  std::span<const RecordView> section(Section s) const;  // Question -> empty
  std::optional<EdnsView> edns() const;  // OPT from additional (at most one, owner root)
  Rcode rcode() const;                   // 12-bit: header rcode + OPT extended bits
  std::span<const uint8_t> packet() const { return packet_; }

 private:
  MessageView() {}
  std::span<const RecordView> records() const {
    return heap_.empty() ? std::span<const RecordView>(inline_.r, total_)
                         : std::span<const RecordView>(heap_);
  }
  // Left uninitialised: only the first total_ entries are ever written or read.
  union InlineRecords {
    InlineRecords() {}
    RecordView r[kInlineRecords];
  };

  std::span<const uint8_t> packet_;
  Header header_;
  RRType qtype_{};
  RRClass qclass_{};
  uint16_t question_end_ = kHeaderSize;
  std::array<uint16_t, 3> counts_{};
  uint16_t total_ = 0;
  bool has_opt_ = false;
  RecordView opt_;
  InlineRecords inline_;
  std::vector<RecordView> heap_;
};

}  // namespace tern::wire
