#include "resolver/validator/ds_digest.h"

#include <openssl/evp.h>

#include <algorithm>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/key_tag.h"

namespace tern::validator {
namespace {

const EVP_MD* digest_md(uint8_t digest_type) {
  switch (digest_type) {
    case 1: return EVP_sha1();
    case 2: return EVP_sha256();
    case 4: return EVP_sha384();
    default: return nullptr;
  }
}

}  // namespace

std::optional<std::vector<uint8_t>> ds_digest(const wire::Name& owner,
                                              std::span<const uint8_t> dnskey_rdata,
                                              uint8_t digest_type) {
  const EVP_MD* md = digest_md(digest_type);
  if (!md) return std::nullopt;
  wire::Name lower = owner.lowercased();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return std::nullopt;
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, lower.wire().data(), lower.wire_size()) == 1 &&
            EVP_DigestUpdate(ctx, dnskey_rdata.data(), dnskey_rdata.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  out.resize(len);
  return out;
}

DsMatch ds_matches(const wire::Name& owner, std::span<const uint8_t> dnskey_rdata,
                   std::span<const uint8_t> ds_rdata) {
  auto ds = parse_ds(ds_rdata);
  auto key = parse_dnskey(dnskey_rdata);
  if (!ds || !key) return DsMatch::Mismatch;
  if (ds->algorithm != key->algorithm || ds->key_tag != key_tag(dnskey_rdata)) {
    return DsMatch::Mismatch;
  }
  if (!digest_supported(ds->digest_type)) return DsMatch::UnsupportedDigest;
  if (!algorithm_supported(ds->algorithm)) return DsMatch::UnsupportedAlgorithm;
  auto digest = ds_digest(owner, dnskey_rdata, ds->digest_type);
  if (!digest || digest->size() != ds->digest.size()) return DsMatch::Mismatch;
  return std::equal(digest->begin(), digest->end(), ds->digest.begin()) ? DsMatch::Match
                                                                       : DsMatch::Mismatch;
}

}  // namespace tern::validator
