// DNSKEY key tag (RFC 4034 Appendix B).
#pragma once

#include <cstdint>
#include <span>

namespace tern::validator {

// The key tag of a DNSKEY RDATA; algorithm 1 (RSA/MD5) uses its own rule (Appendix B.1).
uint16_t key_tag(std::span<const uint8_t> dnskey_rdata);

}  // namespace tern::validator
