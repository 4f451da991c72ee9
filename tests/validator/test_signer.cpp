#include "test_signer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "resolver/validator/canonical.h"
#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/key_tag.h"

namespace tern::validator::test {
namespace {

void need(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

std::vector<uint8_t> bn_param(EVP_PKEY* k, const char* param) {
  BIGNUM* bn = nullptr;
  need(EVP_PKEY_get_bn_param(k, param, &bn) == 1, "get bn param");
  std::vector<uint8_t> out(size_t(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

const EVP_MD* md_for(uint8_t alg) {
  switch (alg) {
    case 5: case 7: return EVP_sha1();
    case 8: case 13: return EVP_sha256();
    case 10: return EVP_sha512();
    case 14: return EVP_sha384();
    default: return nullptr;  // EdDSA
  }
}

}  // namespace

TestKey::TestKey(uint8_t algorithm, uint16_t flags) : algorithm_(algorithm) {
  switch (algorithm) {
    case 5: case 7: case 8: case 10:
      pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(1024));
      break;
    case 13: pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case 14: pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case 15: pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case 16: pkey_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"); break;
    default: throw std::runtime_error("no test key for this algorithm");
  }
  need(pkey_ != nullptr, "keygen");
  dnskey_ = {uint8_t(flags >> 8), uint8_t(flags), 3, algorithm};
  if (algorithm <= 10) {
    auto e = bn_param(pkey_, OSSL_PKEY_PARAM_RSA_E);
    auto n = bn_param(pkey_, OSSL_PKEY_PARAM_RSA_N);
    dnskey_.push_back(uint8_t(e.size()));  // RFC 3110 §2
    dnskey_.insert(dnskey_.end(), e.begin(), e.end());
    dnskey_.insert(dnskey_.end(), n.begin(), n.end());
  } else if (algorithm <= 14) {
    uint8_t point[200];
    size_t len = 0;
    need(EVP_PKEY_get_octet_string_param(pkey_, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                         &len) == 1 && len > 1 && point[0] == 4,
         "ec public key");
    dnskey_.insert(dnskey_.end(), point + 1, point + len);  // x | y without the 0x04
  } else {
    uint8_t raw[64];
    size_t len = sizeof raw;
    need(EVP_PKEY_get_raw_public_key(pkey_, raw, &len) == 1, "raw public key");
    dnskey_.insert(dnskey_.end(), raw, raw + len);
  }
}

TestKey::~TestKey() { EVP_PKEY_free(pkey_); }
TestKey::TestKey(TestKey&& o) noexcept
    : algorithm_(o.algorithm_), pkey_(o.pkey_), dnskey_(std::move(o.dnskey_)) {
  o.pkey_ = nullptr;
}
TestKey& TestKey::operator=(TestKey&& o) noexcept {
  std::swap(algorithm_, o.algorithm_);
  std::swap(pkey_, o.pkey_);
  std::swap(dnskey_, o.dnskey_);
  return *this;
}

uint16_t TestKey::tag() const { return key_tag(dnskey_); }

std::vector<uint8_t> TestKey::sign(std::span<const uint8_t> data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  need(ctx && EVP_DigestSignInit(ctx, nullptr, md_for(algorithm_), nullptr, pkey_) == 1, "sign init");
  size_t len = 0;
  need(EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) == 1, "sign size");
  std::vector<uint8_t> sig(len);
  need(EVP_DigestSign(ctx, sig.data(), &len, data.data(), data.size()) == 1, "sign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (algorithm_ != 13 && algorithm_ != 14) return sig;
  // DER SEQUENCE { r, s } to r | s of fixed width (RFC 6605 §4).
  const unsigned char* p = sig.data();
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
  need(es != nullptr, "ecdsa der");
  int n = algorithm_ == 13 ? 32 : 48;
  std::vector<uint8_t> raw(size_t(2 * n));
  BN_bn2binpad(ECDSA_SIG_get0_r(es), raw.data(), n);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), raw.data() + n, n);
  ECDSA_SIG_free(es);
  return raw;
}

std::vector<uint8_t> make_rrsig(const wire::RRset& rrset, const TestKey& key,
                                const wire::Name& signer, SigTimes times, int labels) {
  size_t count = rrset.owner.label_count();
  if (count > 0 && rrset.owner.label(0) == "*") --count;
  uint8_t l = labels < 0 ? uint8_t(count) : uint8_t(labels);
  uint16_t type = uint16_t(rrset.type), tag = key.tag();
  std::vector<uint8_t> rd = {uint8_t(type >> 8), uint8_t(type), key.algorithm(), l};
  auto put32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) rd.push_back(uint8_t(v >> s));
  };
  put32(rrset.ttl);
  put32(times.expiration);
  put32(times.inception);
  rd.push_back(uint8_t(tag >> 8));
  rd.push_back(uint8_t(tag));
  rd.insert(rd.end(), signer.wire().begin(), signer.wire().end());
  std::vector<uint8_t> with_placeholder = rd;
  with_placeholder.push_back(0);
  auto parsed = parse_rrsig(with_placeholder);
  need(parsed.has_value(), "rrsig parse");
  auto data = signed_data(rrset, *parsed);
  need(data.has_value(), "signed data");
  auto sig = key.sign(*data);
  rd.insert(rd.end(), sig.begin(), sig.end());
  return rd;
}

wire::RRset rrsig_set(const wire::Name& owner, std::initializer_list<std::vector<uint8_t>> sigs) {
  wire::RRset out(owner, wire::RRType::RRSIG, wire::RRClass::IN, 3600);
  for (const auto& s : sigs) out.add(s);
  return out;
}

wire::RRset dnskey_set(const wire::Name& owner, std::initializer_list<const TestKey*> keys) {
  wire::RRset out(owner, wire::RRType::DNSKEY, wire::RRClass::IN, 3600);
  for (const auto* k : keys) out.add(k->dnskey());
  return out;
}

}  // namespace tern::validator::test
