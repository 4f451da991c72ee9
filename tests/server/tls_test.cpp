// TicketKeys rotation (time passed in) and TlsContext's loading of the certificate and key
// (resolver/server/tls_context.h). The handshake itself is exercised against real clients in
// tests/e2e/e2e_tls.py.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "resolver/server/tls_context.h"

using namespace tern::server;

TEST_CASE("ticket keys: one key per rotation period, older ones accepted with a renewal, then gone") {
  TicketKeys keys(3600);
  TicketKey k0 = keys.current(1000);
  CHECK(keys.current(1000 + 3599).name == k0.name);  // same period
  TicketKey k1 = keys.current(1000 + 3600);
  CHECK(k1.name != k0.name);
  TicketKey found;
  bool renew = true;
  REQUIRE(keys.find(k1.name.data(), 1000 + 3600, found, renew));
  CHECK_FALSE(renew);
  CHECK(found.aes == k1.aes);
  REQUIRE(keys.find(k0.name.data(), 1000 + 3600, found, renew));
  CHECK(renew);  // an older key still decrypts, and the client gets a fresh ticket
  CHECK(found.hmac == k0.hmac);
  keys.current(1000 + 2 * 3600);
  CHECK(keys.find(k0.name.data(), 1000 + 2 * 3600, found, renew));
  keys.current(1000 + 3 * 3600);  // k0 is now the fourth: dropped
  CHECK(keys.size() == kTlsTicketKeysKept);
  CHECK_FALSE(keys.find(k0.name.data(), 1000 + 3 * 3600, found, renew));
  uint8_t unknown[16] = {};
  CHECK_FALSE(keys.find(unknown, 1000 + 3 * 3600, found, renew));
}

TEST_CASE("ticket keys: without traffic the ring does not rotate, but an old key expires by age") {
  TicketKeys keys(60);
  TicketKey k0 = keys.current(0);
  TicketKey found;
  bool renew = false;
  // Found at 179 s (within three periods) ...
  CHECK(keys.find(k0.name.data(), 179, found, renew));
  // ... and a ticket under it is not accepted past them, even if no rotation ran in between.
  TicketKeys quiet(60);
  TicketKey q0 = quiet.current(0);
  CHECK_FALSE(quiet.find(q0.name.data(), 60 * 3, found, renew));
}

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/tern-tls-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A self-signed P-256 certificate and its key, written as PEM (through OpenSSL, for the test).
void write_pair(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("dot.test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  REQUIRE(X509_sign(x, key, EVP_sha256()) > 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

}  // namespace

TEST_CASE("tls context: loads a certificate and its key; names the file that does not load") {
  TempDir dir;
  std::string cert = dir.path / "a.pem", key = dir.path / "a.key";
  std::string cert2 = dir.path / "b.pem", key2 = dir.path / "b.key";
  write_pair(cert, key);
  write_pair(cert2, key2);
  auto keys = std::make_shared<TicketKeys>();

  TlsSettings ok{cert, key};
  auto built = TlsContext::build(ok, keys);
  REQUIRE(built.context);
  CHECK(built.error.empty());
  CHECK(built.context->alpn() == std::vector<std::string>{"dot"});
  SSL* ssl = built.context->new_ssl();
  CHECK(ssl != nullptr);
  SSL_free(ssl);

  auto missing = TlsContext::build(TlsSettings{(dir.path / "none.pem").string(), key}, keys);
  CHECK_FALSE(missing.context);
  CHECK(missing.error.find("tls-certificate") != std::string::npos);
  CHECK(missing.error.find("none.pem") != std::string::npos);

  auto bad_key = TlsContext::build(TlsSettings{cert, cert}, keys);
  CHECK_FALSE(bad_key.context);
  CHECK(bad_key.error.find("tls-key") != std::string::npos);

  auto mismatch = TlsContext::build(TlsSettings{cert, key2}, keys);
  CHECK_FALSE(mismatch.context);
  // OpenSSL compares the key with the certificate as it loads it ("key values mismatch").
  CHECK(mismatch.error.find("tls-key " + key2) != std::string::npos);
  CHECK(mismatch.error.find("mismatch") != std::string::npos);
}
