#include "resolver/engine/delegation.h"

#include "wire/rdata.h"

namespace tern::engine {

NameServer* Delegation::find(const wire::Name& ns) {
  for (auto& s : servers)
    if (s.name == ns) return &s;
  return nullptr;
}

ServerAttempt& Delegation::attempt(const Address& a) {
  for (auto& t : tried)
    if (t.address == a) return t;
  return tried.emplace_back(ServerAttempt{a});
}

const ServerAttempt* Delegation::find_attempt(const Address& a) const {
  for (const auto& t : tried)
    if (t.address == a) return &t;
  return nullptr;
}

bool Delegation::has_address() const {
  for (const auto& s : servers)
    if (!s.addresses.empty()) return true;
  return false;
}

std::vector<wire::Name> ns_targets(const wire::RRset& ns) {
  std::vector<wire::Name> out;
  for (auto rdata : ns)
    if (auto t = wire::rdata_target(wire::RRType::NS, rdata)) out.push_back(*t);
  return out;
}

std::vector<Address> addresses_of(const wire::RRset& rrset, uint16_t port) {
  std::vector<Address> out;
  for (auto rdata : rrset) {
    if (rrset.type == wire::RRType::A) {
      if (auto a = wire::rdata_a(rdata)) out.push_back(Address::v4(*a, port));
    } else if (rrset.type == wire::RRType::AAAA) {
      if (auto a = wire::rdata_aaaa(rdata)) out.push_back(Address::v6_from(*a, port));
    }
  }
  return out;
}

}  // namespace tern::engine
