// MessageBuilder: writes a DNS message with name compression (RFC 1035 §4.1.4, longest written
// suffix for any number of names) under a size limit. RRsets go in whole or not at all; when an
// answer/authority RRset does not fit, TC is set (RFC 2181 §9). Sections must be filled in order
// (question, answer, authority, additional).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/edns.h"
#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::wire {

class MessageBuilder {
 public:
  explicit MessageBuilder(size_t max_size = 512);  // 512, the EDNS size, or 65535 (TCP)

  // Starts over with a new limit, keeping the allocated buffer (for reuse in hot paths).
  void reset(size_t max_size);

  void set_header(const Header& h);  // counts ignored, computed
  Header& header() { return header_; }

  // False when it does not fit or a record section was already started.
  bool add_question(const Name& name, RRType type, RRClass rclass);

  // BadRdata: RDATA of an RFC 1035 type whose names cannot be read (others are written as given).
  enum class Added { Ok, NoRoom, OutOfOrder, BadRdata };
  // Whole RRset or nothing (RFC 2181 §9). NoRoom in Answer/Authority sets TC; in Additional it
  // does not (RFC 2181 §9: extra data that does not fit is simply left out).
  Added add_rrset(Section section, const RRset& rrset);
  Added add_record(Section section, const Name& owner, RRType type, RRClass rclass, uint32_t ttl,
                   std::span<const uint8_t> canonical_rdata);

  // Reserves the OPT record's space up front so it always fits: call before adding records.
  void set_edns(const Edns& edns);
  void set_tc() { header_.tc = true; }
  // Splits a 12-bit rcode into the header's 4 bits and the OPT's upper 8 bits (in either call
  // order with set_edns; without EDNS only the low 4 bits can go out).
  void set_rcode(Rcode rcode);

  std::vector<uint8_t> finish();
  void finish_into(std::vector<uint8_t>& out);  // reuses out's capacity
  size_t size() const;                          // bytes so far, including the reserved OPT

 private:
  struct CompressionEntry {
    uint32_t hash;      // case-insensitive hash of the suffix
    uint16_t offset;    // where the suffix starts in buf_
    uint8_t labels;     // labels in the suffix
  };

  // Writes `name` at len_, compressing against earlier names when allowed, and records its new
  // suffixes for later names. Sets *ok = false when the limit would be exceeded. Returns the
  // offset a later copy of the same name can point to (or SIZE_MAX).
  size_t write_name(const Name& name, bool compress, bool* ok);
  bool write_rdata(RRType type, std::span<const uint8_t> rdata);
  // owner_pointer: in/out; when set, the owner is written as that pointer.
  bool write_record(const Name& owner, RRType type, RRClass rclass, uint32_t ttl,
                    std::span<const uint8_t> rdata, size_t& owner_pointer);
  bool suffix_equals(size_t offset, std::span<const uint8_t> suffix_wire) const;
  bool begin_section(Section section);
  Added rollback(Section section, size_t mark, size_t table_mark);
  void truncate_to(size_t mark, size_t table_mark);
  void grow(size_t n);
  // n bytes at len_ (grows buf_), advances len_.
  uint8_t* claim(size_t n) {
    if (len_ + n > buf_.size()) grow(n);
    uint8_t* p = buf_.data() + len_;
    len_ += n;
    return p;
  }
  // n more bytes stay within max_size_ with the OPT record's space reserved.
  bool fits(size_t n) const { return len_ + n + opt_size_ <= max_size_; }

  size_t max_size_;
  Header header_;
  std::vector<uint8_t> buf_;  // only grows; bytes past len_ are scratch
  size_t len_ = kHeaderSize;
  std::vector<CompressionEntry> table_;
  std::array<uint16_t, 4> counts_{};
  Section current_ = Section::Question;
  bool edns_ = false;
  std::optional<uint8_t> ext_rcode_;  // upper 8 rcode bits from set_rcode, written at finish
  std::vector<uint8_t> opt_wire_;  // the OPT record, encoded by set_edns
  size_t opt_size_ = 0;
  // Offsets of names written out in full (no pointer), for the same-spelling fast path.
  std::array<uint16_t, 4> literals_{};
  size_t literal_count_ = 0;
  bool bad_rdata_ = false;  // set by write_rdata when the failure is the RDATA, not the space
};

// Convenience used by the front end and the engine.
std::vector<uint8_t> build_query(uint16_t id, const Name& name, RRType type, RRClass rclass,
                                 bool rd, const std::optional<Edns>& edns);

}  // namespace tern::wire
