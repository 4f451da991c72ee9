// Name: an owning domain name in uncompressed wire form, stored inline (no heap), original case
// preserved. Equality, hashing and ordering ignore ASCII case (RFC 4343).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "wire/result.h"
#include "wire/wire_error.h"

namespace tern::wire {

class Name {
 public:
  static constexpr size_t kMaxWireSize = 255;
  static constexpr size_t kMaxLabelSize = 63;

  Name();  // the root "."
  // Copies only the name's octets: the buffer past size_ is never read, and copying all 255
  // (as the implicit copy did, after zero-filling them in every constructor) was ~10% of a
  // cache hit's user time, where a query's name is built and copied a few times.
  Name(const Name& other) noexcept : size_(other.size_), labels_(other.labels_) {
    std::memcpy(buf_.data(), other.buf_.data(), other.size_);
  }
  Name& operator=(const Name& other) noexcept {
    if (this != &other) {
      size_ = other.size_;
      labels_ = other.labels_;
      std::memcpy(buf_.data(), other.buf_.data(), other.size_);
    }
    return *this;
  }

  // Absolute presentation name: "Example.COM", "example.com.", "\065\.x.", ".". A missing final
  // dot is accepted (the name is taken as absolute).
  static Result<Name, WireError> from_text(std::string_view text);
  // Zone-file style: "@" is the origin, a name without a final dot is relative to origin.
  static Result<Name, WireError> from_text(std::string_view text, const Name& origin);
  // Uncompressed wire form, validated; the span must hold exactly one name.
  static Result<Name, WireError> from_wire(std::span<const uint8_t> wire);

  std::string to_text() const;  // "example.com." with \. \\ \DDD escapes
  std::span<const uint8_t> wire() const { return {buf_.data(), size_}; }
  size_t wire_size() const { return size_; }
  size_t label_count() const { return labels_; }  // root = 0
  bool is_root() const { return labels_ == 0; }
  std::string_view label(size_t i) const;  // i = 0 is the leftmost label
  Name parent() const;                     // root's parent is root
  Name suffix(size_t labels) const;        // the rightmost `labels` labels
  Result<Name, WireError> prepend(std::string_view label) const;
  Result<Name, WireError> concat(const Name& origin) const;  // this (as relative) + origin
  bool is_subdomain_of(const Name& ancestor) const;          // true when equal too
  Name common_ancestor(const Name& other) const;
  Name lowercased() const;

  friend bool operator==(const Name& a, const Name& b);  // case-insensitive
  int canonical_compare(const Name& other) const;       // RFC 4034 §6.1; <0, 0, >0
  size_t hash() const;                                  // case-insensitive

  // For bytes already validated (by NameView or from another Name): no checks beyond asserts.
  static Name from_wire_unchecked(std::span<const uint8_t> wire, size_t labels);

 private:
  // Offset of label i's length octet.
  size_t label_offset(size_t i) const;

  std::array<uint8_t, kMaxWireSize> buf_;  // only the first size_ octets are ever set or read
  uint8_t size_ = 1;
  uint8_t labels_ = 0;
};

struct NameHash {
  size_t operator()(const Name& n) const { return n.hash(); }
};

struct NameCanonicalLess {
  bool operator()(const Name& a, const Name& b) const { return a.canonical_compare(b) < 0; }
};

// ASCII lowercase of one octet; DNS case folding touches only A-Z (RFC 4343).
constexpr uint8_t ascii_lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? uint8_t(c + 32) : c; }

// Case-insensitive hash step shared by Name and NameView so both hash the same name equally.
constexpr size_t name_hash_step(size_t h, uint8_t c) {
  return (h ^ ascii_lower(c)) * 0x100000001b3ull;
}
constexpr size_t kNameHashSeed = 0xcbf29ce484222325ull;

}  // namespace tern::wire
