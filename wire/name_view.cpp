#include "wire/name_view.h"

#include <bitset>

namespace tern::wire {
namespace {

// Walks a (possibly compressed) name, calling on_label(label_bytes_including_length_octet) for
// each label in order. Enforces every decompression limit. Returns the in-place length.
template <class OnLabel>
Result<size_t, WireError> walk(std::span<const uint8_t> pkt, size_t offset, OnLabel&& on_label,
                               size_t* hops_out = nullptr) {
  size_t pos = offset;
  size_t in_place = 0;  // set when the first pointer is followed
  bool jumped = false;
  size_t hops = 0;
  size_t total = 1;  // final root octet
  // A loop needs a pointer to revisit an offset; "strictly backward" already forbids that, but
  // the check below keeps the rule explicit and independent.
  size_t min_pointer_target = offset;
  while (true) {
    if (pos >= pkt.size()) return fail(WireError::Truncated);
    uint8_t len = pkt[pos];
    if (len == 0) {
      if (!jumped) in_place = pos + 1 - offset;
      if (hops_out) *hops_out = hops;
      return in_place;
    }
    uint8_t kind = len & 0xc0;
    if (kind == 0xc0) {
      if (pos + 1 >= pkt.size()) return fail(WireError::Truncated);
      size_t target = (size_t(len & 0x3f) << 8) | pkt[pos + 1];
      if (++hops > NameView::kMaxPointerHops) return fail(WireError::TooManyPointers);
      if (target >= pkt.size()) return fail(WireError::PointerOutOfRange);
      if (target == pos) return fail(WireError::PointerLoop);
      if (target > pos) return fail(WireError::PointerNotBackward);
      // Each pointer must land before every earlier position of this name; otherwise it could
      // revisit labels already read (a loop through backward pointers).
      if (target >= min_pointer_target) return fail(WireError::PointerLoop);
      min_pointer_target = target;
      if (!jumped) in_place = pos + 2 - offset;
      jumped = true;
      pos = target;
      continue;
    }
    if (kind != 0) return fail(WireError::BadLabelType);
    if (pos + 1 + len > pkt.size()) return fail(WireError::Truncated);
    total += 1 + size_t(len);
    if (total > Name::kMaxWireSize) return fail(WireError::NameTooLong);
    on_label(pkt.subspan(pos, 1 + size_t(len)));
    pos += 1 + size_t(len);
  }
}

}  // namespace

Result<size_t, WireError> NameView::validate(size_t* hops) const {
  return walk(packet_, offset_, [](std::span<const uint8_t>) {}, hops);
}

Result<Name, WireError> NameView::to_name() const {
  std::array<uint8_t, Name::kMaxWireSize> buf;
  size_t size = 0, labels = 0;
  auto r = walk(packet_, offset_, [&](std::span<const uint8_t> label) {
    std::copy(label.begin(), label.end(), buf.begin() + size);
    size += label.size();
    ++labels;
  });
  if (!r) return fail(r.error());
  buf[size++] = 0;
  return Name::from_wire_unchecked(std::span(buf.data(), size), labels);
}

bool NameView::equals(const Name& name) const {
  auto want = name.wire();
  size_t pos = 0;
  bool ok = true;
  auto r = walk(packet_, offset_, [&](std::span<const uint8_t> label) {
    if (!ok) return;
    if (pos + label.size() >= want.size()) {
      ok = false;
      return;
    }
    for (size_t i = 0; i < label.size(); ++i) {
      if (ascii_lower(label[i]) != ascii_lower(want[pos + i])) {
        ok = false;
        return;
      }
    }
    pos += label.size();
  });
  return r && ok && pos + 1 == want.size();
}

size_t NameView::wire_length_in_place() const {
  auto r = validate();
  return r ? *r : 0;
}

size_t NameView::hash() const {
  size_t h = kNameHashSeed;
  walk(packet_, offset_, [&](std::span<const uint8_t> label) {
    for (uint8_t c : label) h = name_hash_step(h, c);
  });
  return name_hash_step(h, 0);
}

}  // namespace tern::wire
