// RRset: an owning (owner, type, class, ttl) + set of canonical RDATAs, packed into one buffer as
// [u16 length][bytes]... so a set costs one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <memory>
#include <span>
#include <vector>

#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/result.h"
#include "wire/rr_type.h"
#include "wire/wire_error.h"

namespace tern::wire {

// DNSSEC security status of a copy of an RRset (RFC 4035 §4.3), as the validator judged it and as
// the caches keep it. The validator's `Security` (resolver/validator/security_status.h) is this
// type. Indeterminate: not validated (no trust anchor covers it, validation off, or not asked).
enum class Security : uint8_t { Secure, Insecure, Bogus, Indeterminate };

class RRset {
 public:
  Name owner;
  RRType type = RRType::A;
  RRClass rclass = RRClass::IN;
  uint32_t ttl = 0;
  // The RRSIGs covering this set (type RRSIG, same owner and class), kept with the data they sign
  // so they travel through the caches and to DO clients together; null when none came. Shared,
  // never changed after it is attached: copies of the set share one signature set.
  std::shared_ptr<const RRset> rrsigs;
  Security security = Security::Indeterminate;

  RRset() = default;
  RRset(Name o, RRType t, RRClass c, uint32_t ttl_value)
      : owner(o), type(t), rclass(c), ttl(ttl_value) {}

  // Iterates the RDATAs as spans, in insertion order.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::span<const uint8_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    const_iterator() = default;
    const_iterator(const uint8_t* p) : p_(p) {}
    value_type operator*() const { return {p_ + 2, size_t(p_[0]) << 8 | p_[1]}; }
    const_iterator& operator++() {
      p_ += 2 + (size_t(p_[0]) << 8 | p_[1]);
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const_iterator a, const_iterator b) { return a.p_ == b.p_; }

   private:
    const uint8_t* p_ = nullptr;
  };
  const_iterator begin() const { return const_iterator(packed_.data()); }
  const_iterator end() const { return const_iterator(packed_.data() + packed_.size()); }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Adds one RDATA unless an identical one is present (RFC 2181 §5: a set has no duplicates).
  // Returns true when added. RDATA longer than 65535 octets is refused (returns false).
  bool add(std::span<const uint8_t> rdata);
  // Room for RDATAs totalling `rdata_bytes` plus their 2-octet lengths, so adding them allocates
  // once (for a caller that knows the size, like the cache copying a stored set out).
  void reserve(size_t rdata_bytes_with_lengths) { packed_.reserve(rdata_bytes_with_lengths); }
  // Same owner/type/class and the same RDATAs in any order (TTL ignored).
  bool same_data(const RRset& other) const;
  size_t memory_bytes() const { return sizeof(*this) + packed_.capacity(); }
  std::span<const uint8_t> packed() const { return packed_; }

 private:
  std::vector<uint8_t> packed_;
  size_t count_ = 0;
};

// Groups one section's records by (owner, type, class) in order of first appearance, RDATA in
// canonical form, TTL = min of the records' TTLs (RFC 2181 §5.2). OPT is never included.
Result<std::vector<RRset>, WireError> collect_rrsets(const MessageView& msg, Section section);

// Moves each RRSIG of `sets` into the `rrsigs` of the set it covers (same owner and class, type =
// the RRSIG's type covered). RRSIGs without a covered set in `sets` stay, as an RRSIG set.
void attach_rrsigs(std::vector<RRset>& sets);

// The type an RRSIG RDATA covers (its first two octets); nullopt when too short.
std::optional<RRType> rrsig_type_covered(std::span<const uint8_t> rdata);

}  // namespace tern::wire
