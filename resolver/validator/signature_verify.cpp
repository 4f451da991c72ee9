#include "resolver/validator/signature_verify.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <vector>

namespace tern::validator {
namespace {

// One owner per OpenSSL object: freed by these deleters whatever path returns.
struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct SigFree { void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// RSA exponent and modulus sizes DNSSEC uses (RFC 3110 §2: modulus 512 to 4096 bits).
constexpr size_t kMaxRsaModulusOctets = 4096 / 8;
constexpr size_t kMaxRsaExponentOctets = 16;

Pkey pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return nullptr;
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return Pkey(key);
}

Pkey rsa_key(std::span<const uint8_t> k) {
  if (k.empty()) return nullptr;
  size_t exp_len = k[0], at = 1;
  if (exp_len == 0) {  // RFC 3110 §2: a zero octet, then the length in two octets
    if (k.size() < 3) return nullptr;
    exp_len = size_t(k[1]) << 8 | k[2];
    at = 3;
  }
  if (exp_len == 0 || exp_len > kMaxRsaExponentOctets || at + exp_len >= k.size()) return nullptr;
  auto modulus = k.subspan(at + exp_len);
  if (modulus.size() > kMaxRsaModulusOctets || modulus[0] == 0) return nullptr;
  Bn e(BN_bin2bn(k.data() + at, int(exp_len), nullptr));
  Bn n(BN_bin2bn(modulus.data(), int(modulus.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  return pkey_from_params("RSA", bld.get());
}

Pkey ec_key(std::span<const uint8_t> k, const char* group, size_t coordinate_octets) {
  if (k.size() != 2 * coordinate_octets) return nullptr;
  std::vector<uint8_t> point;  // SEC 1 uncompressed point: 0x04 | x | y
  point.reserve(k.size() + 1);
  point.push_back(0x04);
  point.insert(point.end(), k.begin(), k.end());
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return pkey_from_params("EC", bld.get());
}

// r | s (each `coordinate_octets` long) to the DER SEQUENCE OpenSSL verifies.
std::vector<uint8_t> ecdsa_der(std::span<const uint8_t> sig, size_t coordinate_octets) {
  if (sig.size() != 2 * coordinate_octets) return {};
  std::unique_ptr<ECDSA_SIG, SigFree> s(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.data(), int(coordinate_octets), nullptr);
  BIGNUM* ss = BN_bin2bn(sig.data() + coordinate_octets, int(coordinate_octets), nullptr);
  if (!s || !r || !ss || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
    BN_free(r);
    BN_free(ss);
    return {};
  }
  int len = i2d_ECDSA_SIG(s.get(), nullptr);
  if (len <= 0) return {};
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(s.get(), &p) != len) return {};
  return der;
}

SignatureCheck digest_verify(EVP_PKEY* key, const EVP_MD* md, std::span<const uint8_t> data,
                             std::span<const uint8_t> sig) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    return SignatureCheck::BadKey;
  }
  // One-shot call: EdDSA accepts only this form, the others accept it too.
  int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size());
  return rc == 1 ? SignatureCheck::Valid : SignatureCheck::Invalid;
}

}  // namespace

SignatureCheck verify_signature(uint8_t algorithm, std::span<const uint8_t> public_key,
                                std::span<const uint8_t> data, std::span<const uint8_t> signature) {
  switch (algorithm) {
    case 5: case 7: case 8: case 10: {
      Pkey key = rsa_key(public_key);
      if (!key) return SignatureCheck::BadKey;
      const EVP_MD* md = algorithm == 8 ? EVP_sha256() : algorithm == 10 ? EVP_sha512() : EVP_sha1();
      return digest_verify(key.get(), md, data, signature);
    }
    case 13: case 14: {
      size_t n = algorithm == 13 ? 32 : 48;
      Pkey key = ec_key(public_key, algorithm == 13 ? "prime256v1" : "secp384r1", n);
      if (!key) return SignatureCheck::BadKey;
      auto der = ecdsa_der(signature, n);
      if (der.empty()) return SignatureCheck::Invalid;
      return digest_verify(key.get(), algorithm == 13 ? EVP_sha256() : EVP_sha384(), data, der);
    }
    case 15: case 16: {
      size_t n = algorithm == 15 ? 32 : 57;
      if (public_key.size() != n) return SignatureCheck::BadKey;
      Pkey key(EVP_PKEY_new_raw_public_key(algorithm == 15 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448,
                                           nullptr, public_key.data(), public_key.size()));
      if (!key) return SignatureCheck::BadKey;
      return digest_verify(key.get(), nullptr, data, signature);
    }
    default:
      return SignatureCheck::UnsupportedAlgorithm;
  }
}

}  // namespace tern::validator
