#include "resolver/net/tcp_frame_reader.h"

namespace tern::net {

void TcpFrameReader::feed(std::span<const uint8_t> bytes) {
  // Drop what was handed out already, so the buffer never holds more than one partial message
  // plus the new bytes.
  if (pos_ > 0) {
    buf_.erase(buf_.begin(), buf_.begin() + long(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

bool TcpFrameReader::has_message() const {
  if (buffered() < 2) return false;
  size_t len = size_t(buf_[pos_]) << 8 | buf_[pos_ + 1];
  return buffered() >= 2 + len;
}

void TcpFrameReader::shrink_if_empty(size_t keep) {
  if (buffered() != 0) return;
  buf_.clear();
  pos_ = 0;
  if (buf_.capacity() > keep) std::vector<uint8_t>().swap(buf_);
}

std::optional<std::span<const uint8_t>> TcpFrameReader::next() {
  if (buffered() < 2) return std::nullopt;
  size_t len = size_t(buf_[pos_]) << 8 | buf_[pos_ + 1];
  if (buffered() < 2 + len) return std::nullopt;
  std::span<const uint8_t> msg(buf_.data() + pos_ + 2, len);
  pos_ += 2 + len;
  return msg;
}

}  // namespace tern::net
