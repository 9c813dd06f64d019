// Incremental HTTP/1.1 response parser for http_load: fed the bytes of one
// connection as they arrive, it says when a whole response is in (status
// line, headers, then a Content-Length body, a chunked body with its
// trailers, or a body that ends when the server closes). It keeps no body
// bytes: a load generator only needs the status and the framing.
//
// Interim 1xx responses are skipped; HEAD answers and 204/304 have no body
// whatever their headers say (RFC 9112 section 6.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace http_load {

class ResponseParser {
 public:
  enum class Result { kNeedMore, kComplete, kError };

  // A new response is expected; `head_request` says the request was HEAD.
  void Reset(bool head_request) {
    phase_ = Phase::kHead;
    head_request_ = head_request;
    status_ = 0;
    remaining_ = 0;
    close_ = false;
  }

  // Consumes bytes from the front of `in` (what it cannot use yet stays).
  Result Feed(std::string& in);
  // The server closed the connection: a body read until close is complete.
  Result OnEof() const { return phase_ == Phase::kUntilClose ? Result::kComplete : Result::kError; }

  int Status() const { return status_; }
  // The server will close after this response (Connection: close, HTTP/1.0
  // without keep-alive, or a body delimited by the close).
  bool WillClose() const { return close_; }

 private:
  enum class Phase { kHead, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailer, kUntilClose };

  // Parses the status line and headers in `head` (without the blank line).
  Result OnHead(std::string_view head);

  Phase phase_ = Phase::kHead;
  bool head_request_ = false;
  int status_ = 0;
  uint64_t remaining_ = 0;  // body or chunk bytes still to come
  bool close_ = false;
};

}  // namespace http_load
