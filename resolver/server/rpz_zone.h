// One response policy zone (RPZ, draft-vixie-dnsop-dns-rpz; BIND's and Unbound's format) as the
// resolver uses it: the zone's triggers, each mapped to an action, held compactly enough that a
// million-rule zone costs tens of bytes per rule rather than a wire::Name (258 bytes) per rule.
// Built by parse_rpz (rpz_parser.h), then immutable and shared between threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::server {

enum class RpzAction : uint8_t {
  Nxdomain,   // CNAME .
  Nodata,     // CNAME *.
  Passthru,   // CNAME rpz-passthru. (or, for a QNAME trigger, a CNAME to the name itself)
  Drop,       // CNAME rpz-drop.
  TcpOnly,    // CNAME rpz-tcp-only.
  LocalData,  // any other records: the answer is made from them
};
constexpr size_t kRpzActionCount = 6;
std::string_view to_string(RpzAction a);

// Trigger kinds, in BIND's precedence order within one zone.
enum class RpzTrigger : uint8_t { ClientIp, Qname, ResponseIp, Nsdname, Nsip };
constexpr size_t kRpzTriggerCount = 5;
std::string_view to_string(RpzTrigger t);

// A rule's action; for LocalData, `data` indexes RpzZone::local_data.
struct RpzRule {
  RpzAction action = RpzAction::Nxdomain;
  uint32_t data = 0;
  friend bool operator==(const RpzRule&, const RpzRule&) = default;
};

// Lower-cased wire names -> rule, open addressing over one byte arena (12 bytes a slot, load at
// most 1/2, plus the name's bytes): what makes large zones cheap.
class RpzNameTable {
 public:
  // Inserts `rule` under `lower_wire` and returns nullptr; if the key is present, returns its
  // stored rule (valid until the next insert) and changes nothing.
  RpzRule* insert(std::span<const uint8_t> lower_wire, RpzRule rule);
  const RpzRule* find(std::span<const uint8_t> lower_wire) const;
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t memory_bytes() const { return arena_.capacity() + slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t offset = 0;  // into arena_, plus one; 0 = empty
    RpzRule rule;
  };
  static uint64_t hash(std::span<const uint8_t> key);
  std::span<const uint8_t> key_at(uint32_t offset) const;
  void grow();
  std::vector<uint8_t> arena_;  // [length][lower-cased wire name]...
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

// An IPv4 or IPv6 address as a 16-byte key (IPv4 as ::ffff:a.b.c.d, so one table serves both).
struct RpzIp {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
};
std::optional<RpzIp> rpz_ip_of_rdata(wire::RRType type, std::span<const uint8_t> rdata);

// CIDR prefixes -> rule; longest prefix wins (BIND).
class RpzIpTable {
 public:
  // `prefix` counts bits of the 16-byte key (an IPv4 /24 is 96 + 24). Inserts and returns
  // nullptr, or returns the rule already stored for that network and changes nothing.
  RpzRule* insert(const RpzIp& ip, unsigned prefix, RpzRule rule);
  // The longest matching prefix; ties cannot happen (one rule per prefix).
  std::optional<std::pair<unsigned, RpzRule>> find(const RpzIp& ip) const;
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

 private:
  struct KeyHash {
    size_t operator()(const std::array<uint8_t, 16>& k) const;
  };
  // Per prefix length, longest first.
  std::map<unsigned, std::unordered_map<std::array<uint8_t, 16>, RpzRule, KeyHash>, std::greater<>> by_len_;
  size_t count_ = 0;
};

struct RpzZone {
  wire::Name origin;  // the policy zone's name ("rpz.example.")
  std::optional<wire::RRset> soa;  // the apex SOA, put in the authority of NXDOMAIN/NODATA answers
  RpzNameTable qname;           // "bad.example.com" -> rule
  RpzNameTable qname_wildcard;  // "*.example.com" stored as "example.com"
  RpzIpTable client_ip;
  RpzIpTable response_ip;
  RpzNameTable nsdname;
  RpzNameTable nsdname_wildcard;
  RpzIpTable nsip;
  // Local data per LocalData rule: the records at the trigger's owner (owner names unused).
  std::vector<std::vector<wire::RRset>> local_data;

  size_t rule_count() const {
    return qname.size() + qname_wildcard.size() + client_ip.size() + response_ip.size() +
           nsdname.size() + nsdname_wildcard.size() + nsip.size();
  }
  size_t memory_bytes() const;  // the name tables' share (what grows with the rule count)
};

// Copies `name`'s wire form lower-cased into `out` (which must hold 255 octets); returns its size.
size_t rpz_lower_wire(const wire::Name& name, uint8_t* out);

}  // namespace tern::server
