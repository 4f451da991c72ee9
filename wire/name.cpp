#include "wire/name.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace tern::wire {
namespace {

// Characters BIND and dig escape with a backslash in presentation names.
bool needs_backslash(uint8_t c) {
  switch (c) {
    case '.': case '\\': case '"': case '(': case ')': case ';': case '@': case '$':
      return true;
    default:
      return false;
  }
}

bool ends_with_unescaped_dot(std::string_view text) {
  if (text.empty() || text.back() != '.') return false;
  size_t backslashes = 0;
  for (size_t i = text.size() - 1; i > 0 && text[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

// Parses presentation labels into `out` (no final root octet). Returns bytes written.
Result<size_t, WireError> parse_labels(std::string_view text, uint8_t* out, size_t cap,
                                       size_t& labels) {
  size_t pos = 0;  // write position in out
  size_t i = 0;
  labels = 0;
  while (i < text.size()) {
    size_t len_at = pos++;
    if (pos > cap) return fail(WireError::NameTooLong);
    size_t len = 0;
    while (i < text.size() && text[i] != '.') {
      uint8_t c = uint8_t(text[i++]);
      if (c == '\\') {
        if (i >= text.size()) return fail(WireError::BadEscape);
        if (text[i] >= '0' && text[i] <= '9') {
          if (i + 3 > text.size()) return fail(WireError::BadEscape);
          unsigned v = 0;
          for (int k = 0; k < 3; ++k) {
            char d = text[i + k];
            if (d < '0' || d > '9') return fail(WireError::BadEscape);
            v = v * 10 + unsigned(d - '0');
          }
          if (v > 255) return fail(WireError::BadEscape);
          c = uint8_t(v);
          i += 3;
        } else {
          c = uint8_t(text[i++]);
        }
      }
      if (++len > Name::kMaxLabelSize) return fail(WireError::LabelTooLong);
      if (pos >= cap) return fail(WireError::NameTooLong);
      out[pos++] = c;
    }
    if (len == 0) return fail(WireError::EmptyLabel);
    out[len_at] = uint8_t(len);
    ++labels;
    if (i < text.size()) ++i;  // skip the dot; a final dot ends the loop
  }
  return pos;
}

}  // namespace

Name::Name() { buf_[0] = 0; }

Name Name::from_wire_unchecked(std::span<const uint8_t> wire, size_t labels) {
  assert(wire.size() >= 1 && wire.size() <= kMaxWireSize);
  Name n;
  std::memcpy(n.buf_.data(), wire.data(), wire.size());
  n.size_ = uint8_t(wire.size());
  n.labels_ = uint8_t(labels);
  return n;
}

Result<Name, WireError> Name::from_text(std::string_view text) {
  if (text.empty()) return fail(WireError::BadText);
  if (text == ".") return Name();
  Name n;
  size_t labels = 0;
  auto r = parse_labels(text, n.buf_.data(), kMaxWireSize - 1, labels);
  if (!r) return fail(r.error());
  n.buf_[*r] = 0;
  n.size_ = uint8_t(*r + 1);
  n.labels_ = uint8_t(labels);
  return n;
}

Result<Name, WireError> Name::from_text(std::string_view text, const Name& origin) {
  if (text == "@") return origin;
  if (text.empty()) return fail(WireError::BadText);
  if (text == "." || ends_with_unescaped_dot(text)) return from_text(text);
  auto rel = from_text(text);
  if (!rel) return rel;
  return rel->concat(origin);
}

Result<Name, WireError> Name::from_wire(std::span<const uint8_t> wire) {
  size_t pos = 0, labels = 0;
  while (true) {
    if (pos >= wire.size()) return fail(WireError::Truncated);
    uint8_t len = wire[pos];
    if (len == 0) break;
    if ((len & 0xc0) == 0xc0) return fail(WireError::BadLabelType);  // pointers not allowed here
    if (len & 0xc0) return fail(WireError::BadLabelType);
    pos += 1 + len;
    ++labels;
    if (pos + 1 > kMaxWireSize) return fail(WireError::NameTooLong);
  }
  if (pos + 1 != wire.size()) return fail(WireError::TrailingGarbage);
  return from_wire_unchecked(wire, labels);
}

std::string Name::to_text() const {
  if (labels_ == 0) return ".";
  std::string out;
  out.reserve(size_ + 4);
  size_t pos = 0;
  while (buf_[pos] != 0) {
    size_t len = buf_[pos];
    for (size_t k = 1; k <= len; ++k) {
      uint8_t c = buf_[pos + k];
      if (needs_backslash(c)) {
        out += '\\';
        out += char(c);
      } else if (c <= 0x20 || c >= 0x7f) {
        char esc[5] = {'\\', char('0' + c / 100), char('0' + c / 10 % 10), char('0' + c % 10), 0};
        out += esc;
      } else {
        out += char(c);
      }
    }
    out += '.';
    pos += len + 1;
  }
  return out;
}

size_t Name::label_offset(size_t i) const {
  size_t pos = 0;
  for (size_t k = 0; k < i; ++k) pos += size_t(buf_[pos]) + 1;
  return pos;
}

std::string_view Name::label(size_t i) const {
  assert(i < labels_);
  size_t pos = label_offset(i);
  return {reinterpret_cast<const char*>(&buf_[pos + 1]), buf_[pos]};
}

Name Name::suffix(size_t labels) const {
  if (labels >= labels_) return *this;
  size_t pos = label_offset(labels_ - labels);
  return from_wire_unchecked(std::span(buf_.data() + pos, size_ - pos), labels);
}

Name Name::parent() const { return labels_ == 0 ? *this : suffix(labels_ - 1u); }

Result<Name, WireError> Name::prepend(std::string_view label) const {
  if (label.empty()) return fail(WireError::EmptyLabel);
  if (label.size() > kMaxLabelSize) return fail(WireError::LabelTooLong);
  if (size_ + 1 + label.size() > kMaxWireSize) return fail(WireError::NameTooLong);
  Name n;
  n.buf_[0] = uint8_t(label.size());
  std::memcpy(&n.buf_[1], label.data(), label.size());
  std::memcpy(&n.buf_[1 + label.size()], buf_.data(), size_);
  n.size_ = uint8_t(size_ + 1 + label.size());
  n.labels_ = uint8_t(labels_ + 1);
  return n;
}

Result<Name, WireError> Name::concat(const Name& origin) const {
  size_t total = size_ - 1 + origin.size_;
  if (total > kMaxWireSize) return fail(WireError::NameTooLong);
  Name n;
  std::memcpy(n.buf_.data(), buf_.data(), size_ - 1u);
  std::memcpy(n.buf_.data() + size_ - 1, origin.buf_.data(), origin.size_);
  n.size_ = uint8_t(total);
  n.labels_ = uint8_t(labels_ + origin.labels_);
  return n;
}

namespace {
bool bytes_iequal(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}
}  // namespace

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.labels_ > labels_) return false;
  // Uncompressed wire: the ancestor is exactly our last ancestor.size_ bytes when it is a suffix,
  // and those bytes start on a label boundary.
  size_t pos = label_offset(labels_ - ancestor.labels_);
  if (size_ - pos != ancestor.size_) return false;
  return bytes_iequal(buf_.data() + pos, ancestor.buf_.data(), ancestor.size_);
}

Name Name::common_ancestor(const Name& other) const {
  size_t n = std::min(labels_, other.labels_);
  while (n > 0) {
    Name s = suffix(n);
    if (other.is_subdomain_of(s)) return s;
    --n;
  }
  return Name();
}

Name Name::lowercased() const {
  Name n = *this;
  for (size_t i = 0; i < size_; ++i) n.buf_[i] = ascii_lower(n.buf_[i]);
  return n;
}

bool operator==(const Name& a, const Name& b) {
  return a.size_ == b.size_ && a.labels_ == b.labels_ &&
         bytes_iequal(a.buf_.data(), b.buf_.data(), a.size_);
}

int Name::canonical_compare(const Name& other) const {
  // Compare label by label from the rightmost (RFC 4034 §6.1), each label as lowercase octets.
  std::array<uint8_t, 128> mine{}, theirs{};
  size_t pos = 0;
  for (size_t i = 0; i < labels_; ++i) {
    mine[i] = uint8_t(pos);
    pos += size_t(buf_[pos]) + 1;
  }
  pos = 0;
  for (size_t i = 0; i < other.labels_; ++i) {
    theirs[i] = uint8_t(pos);
    pos += size_t(other.buf_[pos]) + 1;
  }
  size_t a = labels_, b = other.labels_;
  while (a > 0 && b > 0) {
    --a;
    --b;
    const uint8_t* la = &buf_[mine[a]];
    const uint8_t* lb = &other.buf_[theirs[b]];
    size_t n = std::min(la[0], lb[0]);
    for (size_t k = 1; k <= n; ++k) {
      uint8_t x = ascii_lower(la[k]), y = ascii_lower(lb[k]);
      if (x != y) return x < y ? -1 : 1;
    }
    if (la[0] != lb[0]) return la[0] < lb[0] ? -1 : 1;
  }
  if (a == b) return 0;
  return a < b ? -1 : 1;
}

size_t Name::hash() const {
  size_t h = kNameHashSeed;
  for (size_t i = 0; i < size_; ++i) h = name_hash_step(h, buf_[i]);
  return h;
}

}  // namespace tern::wire
