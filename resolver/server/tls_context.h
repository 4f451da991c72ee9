// The server side of TLS for DNS over TLS (RFC 7858) and, later, DNS over HTTPS: one OpenSSL 3
// SSL_CTX built from the configured PEM certificate chain and key, TLS 1.2 and 1.3 only, ALPN
// from a list the listener serves ("dot"), session resumption through tickets whose keys rotate
// (TicketKeys). A TlsContext is immutable once built and shared by every worker; a reload
// (SIGHUP) builds a new one from the files (a renewed certificate) with the same TicketKeys, and
// connections already open keep the context they started with.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace tern::server {

// A ticket key encrypts new tickets for this long, then only decrypts (accepted, and the client
// gets a fresh ticket) for kTlsTicketKeysKept - 1 more periods. nginx and Unbound leave rotation
// to the operator; RFC 8446 §4.6.1 caps a ticket's life at 7 days. Tickets are issued with a
// lifetime hint of the decrypting period, so a client never holds one we can no longer read.
constexpr uint32_t kTlsTicketKeyRotationS = 3600;
constexpr size_t kTlsTicketKeysKept = 3;
// A client that has not finished its handshake within this is closed (Knot Resolver: 6 s).
constexpr uint32_t kTlsHandshakeTimeoutMs = 5000;
// TLS handshakes in progress per worker; past it new TLS connections are closed at once. Each
// waiting handshake holds an SSL object (tens of KiB): slow handshakes cannot take much memory.
constexpr uint32_t kTlsMaxHandshakes = 256;

struct TicketKey {
  std::array<uint8_t, 16> name{};
  std::array<uint8_t, 32> aes{};
  std::array<uint8_t, 32> hmac{};
  int64_t created_s = 0;  // monotonic seconds
};

// The session-ticket keys, shared by every worker's SSL_CTX (a ticket made by one worker is read
// by another: SO_REUSEPORT hands a returning client to any of them) and kept across reloads.
// Thread-safe. Time is passed in (monotonic seconds), so rotation is tested without waiting.
class TicketKeys {
 public:
  explicit TicketKeys(uint32_t rotation_s = kTlsTicketKeyRotationS) : rotation_s_(rotation_s) {}
  // The key new tickets are encrypted with at `now_s` (a new one every rotation period).
  TicketKey current(int64_t now_s);
  // The key named `name` if still kept; `renew` says a newer key exists (issue a new ticket).
  bool find(const uint8_t* name, int64_t now_s, TicketKey& out, bool& renew);
  uint32_t rotation_s() const { return rotation_s_; }
  size_t size() const;

 private:
  void rotate_locked(int64_t now_s);
  uint32_t rotation_s_;
  mutable std::mutex mu_;
  std::deque<TicketKey> keys_;  // newest first
};

struct TlsSettings {
  std::string certificate;  // PEM: the server's certificate, then its chain
  std::string key;          // PEM private key
  std::vector<std::string> alpn{"dot"};  // protocols served, in preference order
};

class TlsContext {
 public:
  struct Built;
  // Reads the files; the error names the file and OpenSSL's reason.
  static Built build(const TlsSettings& settings, std::shared_ptr<TicketKeys> keys);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL* new_ssl() const;  // nullptr when OpenSSL is out of memory
  const std::vector<std::string>& alpn() const { return alpn_; }
  TicketKeys& keys() const { return *keys_; }

 private:
  TlsContext() = default;
  SSL_CTX* ctx_ = nullptr;
  std::vector<std::string> alpn_;
  std::vector<uint8_t> alpn_wire_;  // alpn_ as length-prefixed strings (RFC 7301)
  std::shared_ptr<TicketKeys> keys_;
  friend int select_alpn(SSL*, const unsigned char**, unsigned char*, const unsigned char*,
                         unsigned int, void*);
};

struct TlsContext::Built {
  std::shared_ptr<const TlsContext> context;
  std::string error;
};

}  // namespace tern::server
