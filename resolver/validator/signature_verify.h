// One signature check: public key (DNSKEY wire format) + signed data + signature, through
// OpenSSL 3's EVP interface. No DNS logic here; see rrset_verify.h for that.
#pragma once

#include <cstdint>
#include <span>

namespace tern::validator {

enum class SignatureCheck : uint8_t {
  Valid,
  Invalid,               // the signature does not verify
  BadKey,                // the public key field is malformed for its algorithm
  UnsupportedAlgorithm,  // not one of 5 7 8 10 13 14 15 16
};

// RSA keys are RFC 3110 (exponent length, exponent, modulus); ECDSA keys are x|y and signatures
// r|s (RFC 6605 §4); EdDSA keys and signatures are raw (RFC 8080 §3, §4).
SignatureCheck verify_signature(uint8_t algorithm, std::span<const uint8_t> public_key,
                                std::span<const uint8_t> data, std::span<const uint8_t> signature);

}  // namespace tern::validator
