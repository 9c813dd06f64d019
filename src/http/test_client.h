// TestClient: a small HTTP/1.1 client for the server tests. Every operation
// runs on the client's own io_context under a deadline (the stream's
// expires_after), so a test can never hang on a socket. Not thread-safe; one
// per test thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/handler.h"

namespace http::testing {

class TestClient {
 public:
  explicit TestClient(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  boost::system::error_code Connect(uint16_t port);
  boost::system::error_code WriteRaw(std::string_view bytes);
  boost::system::error_code Write(Request req);
  // Reads one response. `head` tells the parser the request was HEAD (no body follows).
  boost::system::error_code Read(Response& res, bool head = false);
  // Exactly `n` bytes (e.g. an interim "100 Continue" line).
  boost::system::error_code ReadRaw(size_t n, std::string& out);
  // Everything until the server closes; the error is eof when it did.
  boost::system::error_code ReadUntilClose(std::string& out);
  // True when the server closes the connection (EOF or reset) before the
  // deadline, without sending anything first.
  bool WaitForClose(std::chrono::milliseconds deadline);

  boost::beast::tcp_stream& stream() { return stream_; }

 private:
  template <typename Start>
  boost::system::error_code Run(Start start);

  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

// A GET (or other) request for `target` with Host set, HTTP/1.1.
Request MakeRequest(boost::beast::http::verb method, std::string_view target);

}  // namespace http::testing
