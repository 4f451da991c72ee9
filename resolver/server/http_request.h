// One HTTP/1.x request read from a byte stream with Node's http_parser (Debian libhttp-parser-dev):
// the glue that the metrics endpoint puts between its socket and the parser. It keeps the method
// and the path and nothing else (headers and bodies are parsed for framing and dropped), and it
// never holds more than `max_bytes` of input: a longer or malformed request is Bad.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace tern::server {

class HttpRequestReader {
 public:
  enum class State : uint8_t { NeedMore, Complete, Bad };

  explicit HttpRequestReader(size_t max_bytes);
  ~HttpRequestReader();
  HttpRequestReader(const HttpRequestReader&) = delete;
  HttpRequestReader& operator=(const HttpRequestReader&) = delete;

  // Feeds the next bytes of the connection. Once Complete or Bad, further input is ignored (the
  // endpoint answers one request per connection, then closes it).
  State feed(std::span<const uint8_t> bytes);
  // End of input from the peer: a request not complete by now is Bad.
  State finish();

  State state() const { return state_; }
  const std::string& method() const { return method_; }  // "GET", "HEAD", ...
  const std::string& path() const { return path_; }      // the URL's path, without ?query
  const std::string& error() const { return error_; }    // why Bad, for the 400 body

 private:
  struct Parser;
  friend struct Parser;
  void fail(std::string why);

  size_t max_bytes_;
  size_t seen_ = 0;
  State state_ = State::NeedMore;
  std::string url_, method_, path_, error_;
  std::unique_ptr<Parser> parser_;
};

}  // namespace tern::server
