// DS digests of DNSKEYs (RFC 4034 §5.1.4, RFC 4509 SHA-256, RFC 6605 SHA-384), through OpenSSL.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/name.h"

namespace tern::validator {

// digest = H(canonical owner name | DNSKEY RDATA); nullopt for an unsupported digest type.
std::optional<std::vector<uint8_t>> ds_digest(const wire::Name& owner,
                                              std::span<const uint8_t> dnskey_rdata,
                                              uint8_t digest_type);

enum class DsMatch : uint8_t { Match, Mismatch, UnsupportedDigest, UnsupportedAlgorithm };

// Does the DS RDATA describe this DNSKEY (key tag, algorithm and digest)? Unsupported digest or
// algorithm are reported as such (the caller may treat a zone with only those as insecure).
DsMatch ds_matches(const wire::Name& owner, std::span<const uint8_t> dnskey_rdata,
                   std::span<const uint8_t> ds_rdata);

}  // namespace tern::validator
