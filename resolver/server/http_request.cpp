#include "resolver/server/http_request.h"

#include <http_parser.h>

namespace tern::server {

struct HttpRequestReader::Parser {
  http_parser parser{};
  http_parser_settings settings{};

  static HttpRequestReader* self(http_parser* p) { return static_cast<HttpRequestReader*>(p->data); }
};

HttpRequestReader::HttpRequestReader(size_t max_bytes)
    : max_bytes_(max_bytes), parser_(std::make_unique<Parser>()) {
  http_parser_init(&parser_->parser, HTTP_REQUEST);
  parser_->parser.data = this;
  http_parser_settings_init(&parser_->settings);
  parser_->settings.on_url = [](http_parser* p, const char* at, size_t len) {
    // Bounded by max_bytes_: the URL is part of the input counted in feed().
    Parser::self(p)->url_.append(at, len);
    return 0;
  };
  parser_->settings.on_message_complete = [](http_parser* p) {
    auto* r = Parser::self(p);
    r->state_ = State::Complete;
    // Stop here: anything after the first request (pipelined requests) is not read.
    http_parser_pause(p, 1);
    return 0;
  };
}

HttpRequestReader::~HttpRequestReader() = default;

void HttpRequestReader::fail(std::string why) {
  state_ = State::Bad;
  error_ = std::move(why);
}

HttpRequestReader::State HttpRequestReader::feed(std::span<const uint8_t> bytes) {
  if (state_ != State::NeedMore) return state_;
  // Only the bytes within the limit are parsed: a request complete within them is served
  // whatever follows it, however the input was split into reads; one that is not is too large.
  bool over = bytes.size() > max_bytes_ - seen_;
  if (over) bytes = bytes.first(max_bytes_ - seen_);
  seen_ += bytes.size();
  http_parser* p = &parser_->parser;
  http_parser_execute(p, &parser_->settings, reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto err = HTTP_PARSER_ERRNO(p);
  if (state_ == State::Complete) {
    if (err != HPE_OK && err != HPE_PAUSED) {
      fail(std::string("malformed request: ") + http_errno_description(err));
      return state_;
    }
    method_ = http_method_str(static_cast<http_method>(p->method));
    http_parser_url u;
    http_parser_url_init(&u);
    if (url_.empty() || http_parser_parse_url(url_.data(), url_.size(), 0, &u) != 0 ||
        !(u.field_set & (1 << UF_PATH))) {
      fail("malformed request target");
      return state_;
    }
    path_ = url_.substr(u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    // http_parser also takes the asterisk form ("OPTIONS *") and paths like "*x": nothing this
    // endpoint serves, so a target that is not an absolute path is a bad request.
    if (path_.empty() || path_[0] != '/') {
      path_.clear();
      fail("request target is not an absolute path");
    }
    return state_;
  }
  if (err != HPE_OK) fail(std::string("malformed request: ") + http_errno_description(err));
  else if (over) fail("request larger than " + std::to_string(max_bytes_) + " bytes");
  return state_;
}

HttpRequestReader::State HttpRequestReader::finish() {
  if (state_ == State::NeedMore) fail("connection closed before the request was complete");
  return state_;
}

}  // namespace tern::server
