#include "http/test_client.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace http::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

TestClient::TestClient(std::chrono::milliseconds timeout) : timeout_(timeout), stream_(io_) {}

template <typename Start>
error_code TestClient::Run(Start start) {
  error_code result = asio::error::timed_out;
  stream_.expires_after(timeout_);
  start([&result](error_code ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run();  // returns when the operation completes or the deadline closes the stream
  return result;
}

error_code TestClient::Connect(uint16_t port) {
  const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  return Run([&](auto handler) { stream_.async_connect(ep, std::move(handler)); });
}

error_code TestClient::WriteRaw(std::string_view bytes) {
  return Run([&](auto handler) {
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
}

error_code TestClient::Write(Request req) {
  req.prepare_payload();
  return Run([&](auto handler) { bhttp::async_write(stream_, req, std::move(handler)); });
}

error_code TestClient::Read(Response& res, bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(head);
  parser.body_limit(64 << 20);
  const error_code ec =
      Run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, std::move(handler)); });
  if (!ec) res = parser.release();
  return ec;
}

error_code TestClient::ReadRaw(size_t n, std::string& out) {
  error_code ec;
  while (buffer_.size() < n && !ec) {
    ec = Run([&](auto handler) {
      stream_.async_read_some(
          buffer_.prepare(n - buffer_.size()),
          [this, handler = std::move(handler)](error_code e, size_t got) mutable {
            buffer_.commit(got);
            handler(e, got);
          });
    });
  }
  if (buffer_.size() < n) return ec;
  out.assign(static_cast<const char*>(buffer_.data().data()), n);
  buffer_.consume(n);
  return {};
}

error_code TestClient::ReadUntilClose(std::string& out) {
  error_code ec;
  while (!ec) {
    ec = Run([&](auto handler) {
      stream_.async_read_some(buffer_.prepare(4096), [this, handler = std::move(handler)](
                                                         error_code e, size_t got) mutable {
        buffer_.commit(got);
        handler(e, got);
      });
    });
  }
  out.assign(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  return ec;
}

bool TestClient::WaitForClose(std::chrono::milliseconds deadline) {
  const auto saved = timeout_;
  timeout_ = deadline;
  size_t received = 0;
  const error_code ec = Run([&](auto handler) {
    stream_.async_read_some(buffer_.prepare(4096), [&received, handler = std::move(handler)](
                                                       error_code e, size_t got) mutable {
      received = got;
      handler(e, got);
    });
  });
  timeout_ = saved;
  return received == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
}

Request MakeRequest(bhttp::verb method, std::string_view target) {
  Request req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  return req;
}

}  // namespace http::testing
