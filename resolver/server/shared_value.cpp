#include "resolver/server/shared_value.h"

#include <algorithm>
#include <fmt/format.h>

#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace tern::server {
namespace {

constexpr uint8_t kMagic[4] = {'T', 'R', 'N', '1'};
constexpr size_t kPrefix = 16;  // magic, stored (8), ttl (4)

void put_be(std::vector<uint8_t>& out, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[at + size_t(i)] = uint8_t(v >> (8 * (bytes - 1 - i)));
}
uint64_t get_be(std::span<const uint8_t> in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | in[at + size_t(i)];
  return v;
}

}  // namespace

std::string shared_key_text(const SharedKey& k) {
  return fmt::format("tern:v1:{}/{}/{}/{}{}", k.qname.lowercased().to_text(), uint16_t(k.qtype),
                     uint16_t(k.qclass), k.dnssec_ok ? 1 : 0, k.cd ? 1 : 0);
}

std::vector<uint8_t> encode_shared_value(const SharedKey& k, const Sections& s, uint64_t now_unix,
                                         uint32_t ttl) {
  wire::MessageBuilder b(65535);
  wire::Header h;
  h.qr = true;
  h.rd = true;
  h.ra = true;
  h.cd = k.cd;
  h.rcode = uint8_t(uint16_t(s.rcode) & 0x0f);
  b.set_header(h);
  b.add_question(k.qname, k.qtype, k.qclass);
  // A set that does not fit in 64 KiB makes a truncated message, which decode refuses: such an
  // answer is simply not shared.
  for (const auto& rr : s.answer) b.add_rrset(wire::Section::Answer, rr);
  for (const auto& rr : s.authority) b.add_rrset(wire::Section::Authority, rr);
  for (const auto& rr : s.additional) b.add_rrset(wire::Section::Additional, rr);
  std::vector<uint8_t> msg = b.finish();
  // Sized once and written in place (GCC 12 -O3 misreads a reserve + insert sequence here as an
  // overflow).
  std::vector<uint8_t> out(kPrefix + msg.size());
  std::copy(std::begin(kMagic), std::end(kMagic), out.begin());
  put_be(out, 4, now_unix, 8);
  put_be(out, 12, std::min(ttl, kSharedValueMaxTtl), 4);
  std::copy(msg.begin(), msg.end(), out.begin() + kPrefix);
  return out;
}

const char* to_string(SharedValueError e) {
  switch (e) {
    case SharedValueError::TooShort: return "too short";
    case SharedValueError::TooLong: return "too long";
    case SharedValueError::BadMagic: return "not a Tern value (bad magic)";
    case SharedValueError::BadTtl: return "TTL out of range";
    case SharedValueError::FromFuture: return "stored in the future";
    case SharedValueError::BadMessage: return "DNS message does not parse";
    case SharedValueError::NotAnAnswer: return "not a NOERROR/NXDOMAIN response";
    case SharedValueError::WrongQuestion: return "question differs from the key";
  }
  return "invalid";
}

SharedDecode decode_shared_value(const SharedKey& k, std::span<const uint8_t> bytes,
                                 uint64_t now_unix) {
  auto fail = [](SharedValueError e) { return SharedDecode{std::nullopt, e}; };
  if (bytes.size() > kSharedValueMaxBytes) return fail(SharedValueError::TooLong);
  if (bytes.size() < kPrefix + wire::kHeaderSize) return fail(SharedValueError::TooShort);
  if (!std::equal(std::begin(kMagic), std::end(kMagic), bytes.begin()))
    return fail(SharedValueError::BadMagic);
  const uint64_t stored = get_be(bytes, 4, 8);
  const uint64_t ttl = get_be(bytes, 12, 4);
  if (ttl > kSharedValueMaxTtl) return fail(SharedValueError::BadTtl);
  if (stored > now_unix + kSharedValueMaxSkewSeconds) return fail(SharedValueError::FromFuture);
  auto msg = wire::MessageView::parse(bytes.subspan(kPrefix));
  if (!msg) return fail(SharedValueError::BadMessage);
  const wire::Header& h = msg->header();
  const wire::Rcode rcode = msg->rcode();
  if (!h.qr || h.opcode != wire::Opcode::Query || h.tc || (rcode != wire::Rcode::NoError && rcode != wire::Rcode::NXDomain))
    return fail(SharedValueError::NotAnAnswer);
  if (h.qdcount != 1 || msg->qtype() != k.qtype || msg->qclass() != k.qclass)
    return fail(SharedValueError::WrongQuestion);
  auto qname = msg->qname().to_name();
  if (!qname) return fail(SharedValueError::BadMessage);
  if (!(*qname == k.qname)) return fail(SharedValueError::WrongQuestion);
  if (msg->edns()) return fail(SharedValueError::BadMessage);  // never stored: someone else's bytes

  SharedValue v;
  v.sections.rcode = rcode;
  v.sections.source = BackendSource::SharedCache;
  const uint64_t age = now_unix > stored ? now_unix - stored : 0;
  v.expired = age >= ttl;
  v.remaining = v.expired ? 0 : uint32_t(ttl - age);
  struct Part {
    wire::Section section;
    std::vector<wire::RRset>* into;
  };
  for (Part p : {Part{wire::Section::Answer, &v.sections.answer},
                 Part{wire::Section::Authority, &v.sections.authority},
                 Part{wire::Section::Additional, &v.sections.additional}}) {
    auto sets = wire::collect_rrsets(*msg, p.section);
    if (!sets) return fail(SharedValueError::BadMessage);
    for (auto& rr : *sets) {
      // No record outlives the answer's own TTL, whatever the bytes say.
      uint64_t t = std::min<uint64_t>(rr.ttl, ttl);
      rr.ttl = uint32_t(t > age ? t - age : 0);
      p.into->push_back(std::move(rr));
    }
  }
  return SharedDecode{std::move(v), std::nullopt};
}

}  // namespace tern::server
