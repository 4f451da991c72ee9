#include "resolver/server/rpz_zone.h"

#include <cstring>

namespace tern::server {

std::string_view to_string(RpzAction a) {
  switch (a) {
    case RpzAction::Nxdomain: return "nxdomain";
    case RpzAction::Nodata: return "nodata";
    case RpzAction::Passthru: return "passthru";
    case RpzAction::Drop: return "drop";
    case RpzAction::TcpOnly: return "tcp-only";
    case RpzAction::LocalData: return "local-data";
  }
  return "?";
}

std::string_view to_string(RpzTrigger t) {
  switch (t) {
    case RpzTrigger::ClientIp: return "client-ip";
    case RpzTrigger::Qname: return "qname";
    case RpzTrigger::ResponseIp: return "response-ip";
    case RpzTrigger::Nsdname: return "nsdname";
    case RpzTrigger::Nsip: return "nsip";
  }
  return "?";
}

size_t rpz_lower_wire(const wire::Name& name, uint8_t* out) {
  auto w = name.wire();
  // Label lengths are below 64, so folding them with the letters leaves them unchanged.
  for (size_t i = 0; i < w.size(); ++i) out[i] = wire::ascii_lower(w[i]);
  return w.size();
}

uint64_t RpzNameTable::hash(std::span<const uint8_t> key) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t c : key) h = (h ^ c) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

std::span<const uint8_t> RpzNameTable::key_at(uint32_t offset) const {
  const uint8_t* p = arena_.data() + (offset - 1);
  return {p + 1, p[0]};
}

void RpzNameTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.offset) continue;
    size_t i = hash(key_at(s.offset)) & mask;
    while (slots_[i].offset) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

RpzRule* RpzNameTable::insert(std::span<const uint8_t> key, RpzRule rule) {
  if ((count_ + 1) * 2 > slots_.size()) grow();
  size_t mask = slots_.size() - 1;
  size_t i = hash(key) & mask;
  while (slots_[i].offset) {
    auto k = key_at(slots_[i].offset);
    if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) return &slots_[i].rule;
    i = (i + 1) & mask;
  }
  slots_[i].offset = uint32_t(arena_.size() + 1);
  slots_[i].rule = rule;
  arena_.push_back(uint8_t(key.size()));
  arena_.insert(arena_.end(), key.begin(), key.end());
  ++count_;
  return nullptr;
}

const RpzRule* RpzNameTable::find(std::span<const uint8_t> key) const {
  if (count_ == 0) return nullptr;
  size_t mask = slots_.size() - 1;
  size_t i = hash(key) & mask;
  while (slots_[i].offset) {
    auto k = key_at(slots_[i].offset);
    if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) return &slots_[i].rule;
    i = (i + 1) & mask;
  }
  return nullptr;
}

std::optional<RpzIp> rpz_ip_of_rdata(wire::RRType type, std::span<const uint8_t> rdata) {
  RpzIp ip;
  if (type == wire::RRType::A && rdata.size() == 4) {
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], rdata.data(), 4);
    return ip;
  }
  if (type == wire::RRType::AAAA && rdata.size() == 16) {
    std::memcpy(ip.bytes.data(), rdata.data(), 16);
    return ip;
  }
  return std::nullopt;
}

namespace {
std::array<uint8_t, 16> masked(const std::array<uint8_t, 16>& b, unsigned prefix) {
  std::array<uint8_t, 16> out{};
  for (unsigned i = 0; i < 16; ++i) {
    if (prefix >= (i + 1) * 8) {
      out[i] = b[i];
    } else if (prefix > i * 8) {
      out[i] = uint8_t(b[i] & (0xff << (8 - (prefix - i * 8))));
    }
  }
  return out;
}
}  // namespace

size_t RpzIpTable::KeyHash::operator()(const std::array<uint8_t, 16>& k) const {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t c : k) h = (h ^ c) * 0x100000001b3ull;
  return size_t(h);
}

RpzRule* RpzIpTable::insert(const RpzIp& ip, unsigned prefix, RpzRule rule) {
  auto [it, added] = by_len_[prefix].try_emplace(masked(ip.bytes, prefix), rule);
  if (!added) return &it->second;
  ++count_;
  return nullptr;
}

std::optional<std::pair<unsigned, RpzRule>> RpzIpTable::find(const RpzIp& ip) const {
  for (const auto& [len, table] : by_len_) {
    auto it = table.find(masked(ip.bytes, len));
    if (it != table.end()) return std::make_pair(len, it->second);
  }
  return std::nullopt;
}

size_t RpzZone::memory_bytes() const {
  return qname.memory_bytes() + qname_wildcard.memory_bytes() + nsdname.memory_bytes() +
         nsdname_wildcard.memory_bytes();
}

}  // namespace tern::server
