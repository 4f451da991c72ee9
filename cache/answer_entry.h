// AnswerEntry: one cached answer (Unbound's message cache) in a single allocation. It holds no
// record data, only references: the key (lower-cased qname, qtype, qclass, DO and CD), the rcode,
// and per section the keys of the RRsets that make the answer, each with the generation of the
// RRset copy it was built from, so a copy replaced later is noticed. A negative answer also names
// the NegativeCache entry (the end of the CNAME chain) that supplies the denial and its SOA.
//
// Layout after the fixed fields: the qname (wire, lower case); then each reference as
// [u32 generation][u16 type][u16 class][u8 owner size][owner bytes], where owner size 0 means
// "the qname" (the first RRset of most answers is owned by the qname); then, for a negative
// answer, [u16 type][u16 class][u8 name size][name bytes] (size 0 again means the qname).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "cache/rrset_entry.h"
#include "cache/sieve_store.h"
#include "cache/time.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::cache {

// The query flags that change an answer (and so are part of its key).
struct AnswerFlags {
  bool dnssec_ok = false;          // DO: RRSIGs and NSEC(3) go with the answer
  bool checking_disabled = false;  // CD: the client validates itself; bogus data may be served
  uint8_t bits() const { return uint8_t((dnssec_ok ? 1 : 0) | (checking_disabled ? 2 : 0)); }
};

struct Question {
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  wire::RRClass qclass = wire::RRClass::IN;
};

struct RRsetKey {
  wire::Name owner;
  wire::RRType type = wire::RRType::A;
  wire::RRClass rclass = wire::RRClass::IN;
};

enum class AnswerSection : uint8_t { Answer, Authority, Additional };
constexpr size_t kAnswerSections = 3;

// At most this many RRset references in one answer (a CNAME chain is bounded well below).
constexpr size_t kMaxAnswerRefs = 64;

// One reference as read back from an entry.
struct AnswerRef {
  AnswerSection section;
  std::span<const uint8_t> owner;  // wire form
  wire::RRType type;
  wire::RRClass rclass;
  Generation generation;
};

// A reference as the entry is built: the key, and the generation of the copy cached at insert.
struct AnswerRefInput {
  AnswerSection section;
  std::span<const uint8_t> owner;
  wire::RRType type;
  wire::RRClass rclass;
  Generation generation;
};

struct AnswerEntry : SieveNode {
  Instant expiry;  // the smallest expiry of the referenced copies at insert
  wire::RRType qtype{};
  wire::RRClass qclass{};
  wire::Rcode rcode = wire::Rcode::NoError;
  uint8_t flags = 0;  // AnswerFlags::bits()
  uint8_t qname_size = 0;
  uint8_t counts[kAnswerSections] = {0, 0, 0};
  bool has_negative = false;
  uint16_t refs_size = 0;  // bytes of the reference area (negative reference excluded)

  const uint8_t* tail() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  std::span<const uint8_t> qname() const { return {tail(), qname_size}; }

  // Calls f(const AnswerRef&) for each reference, answer section first, in stored order.
  template <class F>
  void for_each_ref(F&& f) const {
    const uint8_t* p = tail() + qname_size;
    for (size_t s = 0; s < kAnswerSections; ++s) {
      for (size_t i = 0; i < counts[s]; ++i) {
        AnswerRef r{AnswerSection(s), {}, {}, {}, 0};
        std::memcpy(&r.generation, p, 4);
        r.type = wire::RRType(uint16_t(p[4] << 8 | p[5]));
        r.rclass = wire::RRClass(uint16_t(p[6] << 8 | p[7]));
        size_t n = p[8];
        r.owner = n == 0 ? qname() : std::span<const uint8_t>(p + 9, n);
        p += 9 + n;
        f(r);
      }
    }
  }

  // The NegativeCache key of a negative answer (the name and type asked at the chain's end).
  struct NegativeRef {
    std::span<const uint8_t> name;
    wire::RRType type;
    wire::RRClass rclass;
  };
  std::optional<NegativeRef> negative() const {
    if (!has_negative) return std::nullopt;
    const uint8_t* p = tail() + qname_size + refs_size;
    size_t n = p[4];
    return NegativeRef{n == 0 ? qname() : std::span<const uint8_t>(p + 5, n),
                       wire::RRType(uint16_t(p[0] << 8 | p[1])),
                       wire::RRClass(uint16_t(p[2] << 8 | p[3]))};
  }

  // `qname` in lower case. bytes = the block's real size.
  static AnswerEntry* create(std::span<const uint8_t> qname, wire::RRType qtype,
                             wire::RRClass qclass, uint8_t flags, wire::Rcode rcode,
                             std::span<const AnswerRefInput> refs,
                             const std::optional<NegativeRef>& negative, uint64_t hash,
                             Instant expiry);
  static void destroy(AnswerEntry* e);
};

uint64_t answer_key_hash(std::span<const uint8_t> qname, wire::RRType qtype, wire::RRClass qclass,
                         uint8_t flags);

}  // namespace tern::cache
