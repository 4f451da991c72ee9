#include "resolver/server/proxy_header.h"

#include <algorithm>

namespace tern::server {
namespace {

constexpr uint8_t kVersion2 = 0x2;
constexpr uint8_t kCommandLocal = 0x0;
constexpr uint8_t kCommandProxy = 0x1;
// Family (high nibble) and transport protocol (low nibble).
constexpr uint8_t kTcp4 = 0x11, kUdp4 = 0x12, kTcp6 = 0x21, kUdp6 = 0x22;
// Source and destination address, then source and destination port.
constexpr size_t kInet4Addresses = 4 + 4 + 2 + 2;
constexpr size_t kInet6Addresses = 16 + 16 + 2 + 2;
constexpr size_t kTlvHeader = 3;  // type, 2-byte length

uint16_t read16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

template <size_t N>
config::SocketAddress address_at(const uint8_t* addr, const uint8_t* port) {
  std::array<uint8_t, N> bytes{};
  std::copy_n(addr, N, bytes.begin());
  engine::Address a;
  if constexpr (N == 4) {
    a = engine::Address::v4(bytes, read16(port));
  } else {
    a = engine::Address::v6_from(bytes, read16(port));
  }
  return config::SocketAddress::from_address(a);
}

}  // namespace

std::string_view to_string(ProxyError e) {
  switch (e) {
    case ProxyError::NotProxy: return "no PROXY v2 signature";
    case ProxyError::Incomplete: return "incomplete header";
    case ProxyError::BadVersion: return "not version 2";
    case ProxyError::BadCommand: return "unknown command";
    case ProxyError::BadFamily: return "unsupported address family or protocol";
    case ProxyError::TooLarge: return "header larger than proxy-protocol-maximum-size";
    case ProxyError::BadAddresses: return "length shorter than the addresses";
    case ProxyError::BadTlv: return "TLV past the end of the header";
  }
  return "?";
}

Result<ProxyHeader, ProxyError> parse_proxy_header(std::span<const uint8_t> data,
                                                   size_t maximum_size) {
  // The signature first, byte by byte: a short prefix of it is an incomplete header (TCP waits
  // for the rest), anything else is not a header at all.
  size_t sig = std::min(data.size(), kProxySignature.size());
  if (!std::equal(data.begin(), data.begin() + std::ptrdiff_t(sig), kProxySignature.begin()))
    return fail(ProxyError::NotProxy);
  if (data.size() < kProxyFixedSize) return fail(ProxyError::Incomplete);

  const uint8_t version = data[12] >> 4, command = data[12] & 0x0F;
  if (version != kVersion2) return fail(ProxyError::BadVersion);
  if (command != kCommandLocal && command != kCommandProxy) return fail(ProxyError::BadCommand);
  const size_t size = kProxyFixedSize + read16(&data[14]);
  // Before waiting for the bytes: a TCP peer must not make us buffer up to 64 KiB for a header.
  if (size > maximum_size) return fail(ProxyError::TooLarge);
  if (data.size() < size) return fail(ProxyError::Incomplete);

  ProxyHeader h;
  h.size = size;
  if (command == kCommandLocal) {
    // The spec: the receiver accepts a LOCAL header and ignores its address block and TLVs.
    h.local = true;
    return h;
  }

  const uint8_t family = data[13];
  const uint8_t* p = data.data() + kProxyFixedSize;
  const uint8_t* end = data.data() + size;
  size_t need = 0;
  switch (family) {
    case kTcp4:
    case kUdp4: need = kInet4Addresses; break;
    case kTcp6:
    case kUdp6: need = kInet6Addresses; break;
    // UNSPEC or UNIX under PROXY gives no client address the ACL could act on.
    default: return fail(ProxyError::BadFamily);
  }
  if (size_t(end - p) < need) return fail(ProxyError::BadAddresses);
  h.stream = family == kTcp4 || family == kTcp6;
  if (need == kInet4Addresses) {
    h.source = address_at<4>(p, p + 8);
    h.destination = address_at<4>(p + 4, p + 10);
  } else {
    h.source = address_at<16>(p, p + 32);
    h.destination = address_at<16>(p + 16, p + 34);
  }
  p += need;

  // TLVs (ALPN, authority, CRC32C, dnsdist's custom values): nothing here uses them, but each must
  // lie inside the declared length.
  while (p < end) {
    if (size_t(end - p) < kTlvHeader) return fail(ProxyError::BadTlv);
    size_t len = read16(p + 1);
    if (size_t(end - p) - kTlvHeader < len) return fail(ProxyError::BadTlv);
    p += kTlvHeader + len;
  }
  return h;
}

}  // namespace tern::server
