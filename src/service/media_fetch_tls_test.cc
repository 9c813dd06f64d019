// FetchToFile over https: a one-connection-at-a-time TLS server on loopback
// with a self-signed certificate for IP 127.0.0.1, trusted only through the
// CA file option.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/test_cert.h"
#include "service/media_fetch.h"

namespace service {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Serves `body` to each of `connections` clients in turn; a failed
// handshake (an untrusting client) just ends that connection.
asio::awaitable<void> Serve(tcp::acceptor& acceptor, asio::ssl::context& tls, std::string body,
                            int connections) {
  for (int i = 0; i < connections; ++i) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::ssl::stream<tcp::socket> stream(std::move(socket), tls);
    try {
      co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
      boost::beast::flat_buffer buffer;
      bhttp::request<bhttp::empty_body> req;
      co_await bhttp::async_read(stream, buffer, req, asio::use_awaitable);
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "application/pdf");
      res.body() = body;
      res.prepare_payload();
      co_await bhttp::async_write(stream, res, asio::use_awaitable);
      co_await stream.async_shutdown(asio::use_awaitable);
    } catch (const boost::system::system_error&) {
    }
  }
}

TEST(MediaFetchTls, TrustsTheCaFileAndChecksTheHost) {
  base::testing::SelfSignedCert cert("media fetch test");
  const std::string dir = ::testing::TempDir() + "wagate-fetch-tls-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string ca_file = dir + "/ca.pem";
  std::ofstream(ca_file) << cert.pem;

  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.use_certificate(asio::const_buffer(cert.pem.data(), cert.pem.size()),
                      asio::ssl::context::pem);
  SSL_CTX_use_PrivateKey(tls.native_handle(), cert.key);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string base = "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  const std::string body = "%PDF-1.7 " + std::string(100000, 'p');
  asio::co_spawn(io, Serve(acceptor, tls, body, 2), asio::detached);
  std::thread server([&] { io.run(); });

  FetchOptions options;
  options.allow_private = true;
  options.total_timeout = 5s;
  options.ca_file = ca_file;
  auto r = FetchToFile(base + "/doc", dir + "/out", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size, body.size());
  EXPECT_EQ(r->sniffed_mime, "application/pdf");
  EXPECT_EQ(r->final_url, base + "/doc");

  // Without the CA file the certificate is unknown: no download.
  options.ca_file.clear();
  auto untrusted = FetchToFile(base + "/doc", dir + "/out2", options);
  EXPECT_EQ(untrusted.status().code(), base::Code::kUnavailable) << untrusted.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir + "/out2"));

  server.join();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace service
