#include "resolver/server/tls_context.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

namespace tern::server {
namespace {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

int64_t mono_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// OpenSSL asks for a key to encrypt a new ticket (enc = 1) or for the key a presented ticket names
// (enc = 0). Returns 1 (go on), 2 (accepted, but issue a new ticket: the key is no longer the
// current one), 0 (unknown key: full handshake), -1 (error).
int ticket_key_callback(SSL* ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) {
  auto* tls = static_cast<const TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (!tls) return -1;
  TicketKey key;
  int result = 1;
  if (enc == 1) {
    key = tls->keys().current(mono_seconds());
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
  } else {
    bool renew = false;
    if (!tls->keys().find(key_name, mono_seconds(), key, renew)) return 0;
    result = renew ? 2 : 1;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  int ok = enc == 1 ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv)
                    : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv);
  return ok == 1 ? result : -1;
}

}  // namespace

// --- TicketKeys ----------------------------------------------------------------------------------

void TicketKeys::rotate_locked(int64_t now_s) {
  if (!keys_.empty() && now_s - keys_.front().created_s < int64_t(rotation_s_)) return;
  TicketKey k;
  k.created_s = now_s;
  // RAND_bytes failing leaves no usable key; OpenSSL's own DRBG does not fail once seeded.
  RAND_bytes(k.name.data(), int(k.name.size()));
  RAND_bytes(k.aes.data(), int(k.aes.size()));
  RAND_bytes(k.hmac.data(), int(k.hmac.size()));
  keys_.push_front(k);
  while (keys_.size() > kTlsTicketKeysKept) keys_.pop_back();
}

TicketKey TicketKeys::current(int64_t now_s) {
  std::lock_guard lock(mu_);
  rotate_locked(now_s);
  return keys_.front();
}

bool TicketKeys::find(const uint8_t* name, int64_t now_s, TicketKey& out, bool& renew) {
  std::lock_guard lock(mu_);
  rotate_locked(now_s);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (std::memcmp(keys_[i].name.data(), name, keys_[i].name.size()) != 0) continue;
    // Kept keys expire by age as well as by count, so a ring that rotated rarely (no traffic)
    // does not accept a ticket older than its decrypting period.
    if (now_s - keys_[i].created_s >= int64_t(rotation_s_) * int64_t(kTlsTicketKeysKept)) return false;
    out = keys_[i];
    renew = i > 0;
    return true;
  }
  return false;
}

size_t TicketKeys::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

// --- TlsContext ----------------------------------------------------------------------------------

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  auto* tls = static_cast<const TlsContext*>(arg);
  unsigned char* selected = nullptr;
  // Our preference order; a client that offers none of ours still gets DNS over TLS (RFC 7858
  // does not require ALPN), so no fatal alert.
  if (SSL_select_next_proto(&selected, outlen, tls->alpn_wire_.data(), unsigned(tls->alpn_wire_.size()),
                            in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

TlsContext::~TlsContext() {
  if (ctx_) SSL_CTX_free(ctx_);
}

TlsContext::Built TlsContext::build(const TlsSettings& settings, std::shared_ptr<TicketKeys> keys) {
  Built b;
  std::shared_ptr<TlsContext> c(new TlsContext);
  c->keys_ = std::move(keys);
  c->alpn_ = settings.alpn;
  for (const auto& p : settings.alpn) {
    if (p.empty() || p.size() > 255) continue;
    c->alpn_wire_.push_back(uint8_t(p.size()));
    c->alpn_wire_.insert(c->alpn_wire_.end(), p.begin(), p.end());
  }
  ERR_clear_error();
  c->ctx_ = SSL_CTX_new(TLS_server_method());
  if (!c->ctx_) {
    b.error = "tls: " + openssl_reason();
    return b;
  }
  SSL_CTX* ctx = c->ctx_;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  // Renegotiation is refused (a TLS 1.2 client that asks is also closed: tls_transport.cpp);
  // our cipher order, not the client's.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_COMPRESSION);
  // Idle connections give their record buffers back (1,000 idle DoT clients).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Stateless resumption only: tickets, no server-side session cache to bound.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  static const unsigned char sid_ctx[] = "tern";
  SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
  SSL_CTX_set_timeout(ctx, long(c->keys_->rotation_s()) * long(kTlsTicketKeysKept - 1));
  SSL_CTX_set_app_data(ctx, c.get());
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, c.get());
  if (SSL_CTX_use_certificate_chain_file(ctx, settings.certificate.c_str()) != 1) {
    b.error = "tls-certificate " + settings.certificate + ": " + openssl_reason();
    return b;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, settings.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    b.error = "tls-key " + settings.key + ": " + openssl_reason();
    return b;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    b.error = "tls-key " + settings.key + " does not match tls-certificate " + settings.certificate +
              ": " + openssl_reason();
    return b;
  }
  b.context = std::move(c);
  return b;
}

SSL* TlsContext::new_ssl() const { return SSL_new(ctx_); }

}  // namespace tern::server
