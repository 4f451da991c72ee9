#include "resolver/validator/nsec3_hash.h"

#include <openssl/evp.h>

#include <memory>

#include "resolver/validator/dnssec_rdata.h"

namespace tern::validator {
namespace {

struct MdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };

bool sha1(EVP_MD_CTX* ctx, std::span<const uint8_t> a, std::span<const uint8_t> salt,
          Nsec3Hash& out) {
  unsigned int len = 0;
  return EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
         EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 &&
         EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
}

}  // namespace

std::optional<Nsec3Hash> nsec3_hash(const wire::Name& name, uint8_t algorithm, uint16_t iterations,
                                    std::span<const uint8_t> salt, ValidationBudget& budget) {
  if (algorithm != kNsec3HashSha1) return std::nullopt;
  if (!budget.take_nsec3_hash()) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return std::nullopt;
  wire::Name lower = name.lowercased();
  Nsec3Hash h{};
  if (!sha1(ctx.get(), lower.wire(), salt, h)) return std::nullopt;
  for (uint16_t i = 0; i < iterations; ++i) {
    Nsec3Hash prev = h;
    if (!sha1(ctx.get(), prev, salt, h)) return std::nullopt;
  }
  return h;
}

}  // namespace tern::validator
