// PROXY protocol version 2 (HAProxy's proxy-protocol.txt, section 2.2): the binary header a load
// balancer such as dnsdist (`useProxyProtocol`) or HAProxy puts in front of what it forwards, so
// the server learns the real client's address. Over UDP it leads every datagram; over TCP it comes
// once, at the start of the connection, before the first 2-byte length.
//
// A pure parser: bytes in, a value out, no I/O. Who may send a header and what becomes of a
// message without one is proxy_policy.h's business.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "resolver/config/address.h"
#include "wire/result.h"

namespace tern::server {

// The 12-byte signature, then version/command, family/protocol and a 2-byte length.
inline constexpr std::array<uint8_t, 12> kProxySignature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                            0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
inline constexpr size_t kProxyFixedSize = 16;
// Largest whole header (fixed part, addresses and TLVs) accepted by default: PowerDNS Recursor's
// proxy-protocol-maximum-size. dnsdist's headers are 28 (IPv4) or 52 (IPv6) bytes plus any TLVs
// the operator adds. Configurable as server.proxy-protocol-maximum-size.
inline constexpr size_t kProxyProtocolMaximumSize = 512;

enum class ProxyError : uint8_t {
  NotProxy,     // the bytes do not start with the signature
  Incomplete,   // a prefix of a header: over TCP, wait for more bytes; over UDP, malformed
  BadVersion,   // not version 2 (version 1, the text form, is not accepted)
  BadCommand,   // neither LOCAL (0) nor PROXY (1)
  BadFamily,    // PROXY with a family or protocol other than TCP/UDP over IPv4/IPv6
  TooLarge,     // the declared size is over the maximum (checked before waiting for the bytes)
  BadAddresses, // the length is shorter than the family's addresses and ports
  BadTlv,       // a TLV runs past the end of the header
};
std::string_view to_string(ProxyError e);

struct ProxyHeader {
  // LOCAL: the balancer speaks for itself (health checks): the connection's own addresses apply,
  // and source/destination are unset.
  bool local = false;
  bool stream = false;                // the client came over TCP (protocol STREAM), else UDP
  config::SocketAddress source;       // the client, as the balancer saw it
  config::SocketAddress destination;  // the address the client sent to
  size_t size = 0;                    // bytes of the header: the DNS data starts here
};

// Parses the header at the start of `data`. `maximum_size` bounds the whole header (16 fixed bytes
// included); TLVs are checked to lie inside the header and otherwise skipped.
Result<ProxyHeader, ProxyError> parse_proxy_header(std::span<const uint8_t> data,
                                                   size_t maximum_size = kProxyProtocolMaximumSize);

}  // namespace tern::server
