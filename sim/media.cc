#include "sim/media.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

base::Status WriteFile(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) return base::Unavailable("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return base::Unavailable("rename " + tmp);
  return base::Status::Ok();
}

std::string Bio(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

base::Result<MediaCert> Generate(const std::string& host) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  if (!key || !x509) return base::Internal("openssl: key/cert alloc");
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 10L * 365 * 86400);
  X509_set_pubkey(x509.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x509.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("wasim media"), -1, -1, 0);
  X509_set_issuer_name(x509.get(), name);
  std::string san = "IP:127.0.0.1,DNS:localhost";
  if (host != "127.0.0.1" && !host.empty()) {
    const bool ip = host.find_first_not_of("0123456789.:") == std::string::npos;
    san += (ip ? ",IP:" : ",DNS:") + host;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x509.get(), x509.get(), nullptr, nullptr, 0);
  const std::pair<int, std::string> exts[] = {
      {NID_subject_alt_name, san},
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"}};
  for (const auto& [nid, value] : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return base::Internal("openssl: extension");
    X509_add_ext(x509.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x509.get(), key.get(), EVP_sha256()) == 0) return base::Internal("openssl: sign");
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!PEM_write_bio_X509(cert_bio.get(), x509.get()) ||
      !PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    return base::Internal("openssl: PEM");
  }
  return MediaCert{Bio(cert_bio.get()), Bio(key_bio.get())};
}

}  // namespace

base::Result<MediaCert> LoadOrCreateMediaCert(const std::string& dir, const std::string& host) {
  if (!dir.empty()) {
    MediaCert cert{ReadFile(dir + "/media_cert.pem"), ReadFile(dir + "/media_key.pem")};
    if (!cert.cert_pem.empty() && !cert.key_pem.empty()) return cert;
  }
  WAGATE_ASSIGN_OR_RETURN(MediaCert cert, Generate(host));
  if (!dir.empty()) {
    WAGATE_RETURN_IF_ERROR(WriteFile(dir + "/media_key.pem", cert.key_pem));
    WAGATE_RETURN_IF_ERROR(WriteFile(dir + "/media_cert.pem", cert.cert_pem));
  }
  return cert;
}

class MediaHost::Impl : public std::enable_shared_from_this<MediaHost::Impl> {
 public:
  Impl(asio::io_context& io, BlobStore& blobs, const MediaCert& cert)
      : io_(io), blobs_(blobs), ssl_(asio::ssl::context::tls_server), acceptor_(io) {
    ssl_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    ssl_.use_certificate_chain(asio::buffer(cert.cert_pem));
    ssl_.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
  }

  base::Result<uint16_t> Listen(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return base::InvalidArgument("media host: bad address " + host);
    asio::ip::tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return base::Unavailable("media host: " + ec.message());
    asio::co_spawn(io_, Accept(shared_from_this()), asio::detached);
    return acceptor_.local_endpoint().port();
  }

  void Stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  static asio::awaitable<void> Accept(std::shared_ptr<Impl> self) {
    while (self->acceptor_.is_open()) {
      auto [ec, socket] =
          co_await self->acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      if (self->connections_ >= 64) continue;  // socket closes here
      asio::co_spawn(self->io_, Serve(self, std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self, asio::ip::tcp::socket socket) {
    ++self->connections_;
    struct Dec {
      Impl* impl;
      ~Dec() { --impl->connections_; }
    } dec{self.get()};
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), self->ssl_);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    auto [hs] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (hs) co_return;
    beast::flat_buffer buffer;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(self->blobs_.limits().max_blob);
    parser.header_limit(16 << 10);
    auto [rd, n] =
        co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)n;
    bhttp::response<bhttp::string_body> res;
    if (rd) {
      res = Respond(bhttp::status::bad_request, rd.message());
    } else {
      res = self->Handle(parser.get());
    }
    res.keep_alive(false);
    res.prepare_payload();
    co_await bhttp::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
  }

  static bhttp::response<bhttp::string_body> Respond(bhttp::status status, std::string message) {
    bhttp::response<bhttp::string_body> res{status, 11};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = boost::json::serialize(boost::json::object{
        {"statusCode", static_cast<int>(status)}, {"message", std::move(message)}});
    return res;
  }

  bhttp::response<bhttp::string_body> Handle(bhttp::request<bhttp::string_body>& req) {
    std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    spdlog::debug("wasim media: {} {} ({} bytes)", std::string(req.method_string()), target,
                  req.body().size());
    if (req.method() == bhttp::verb::post && path.starts_with("/mms/")) {
      // /mms/<type>/<token>
      const std::string rest = path.substr(5);
      const std::string type = rest.substr(0, rest.find('/'));
      auto stored = blobs_.Put(type, std::move(req.body()));
      if (!stored.ok()) return Respond(bhttp::status::payload_too_large, stored.status().message());
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "application/json");
      res.body() = boost::json::serialize(
          boost::json::object{{"url", blobs_.base_url() + *stored}, {"direct_path", *stored}});
      return res;
    }
    if ((req.method() == bhttp::verb::get || req.method() == bhttp::verb::head) &&
        path.starts_with("/v/")) {
      const std::string* blob = blobs_.Get(path);
      if (blob == nullptr) return Respond(bhttp::status::not_found, "no such media");
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "application/octet-stream");
      if (req.method() == bhttp::verb::get) res.body() = *blob;
      return res;
    }
    return Respond(bhttp::status::not_found, "not found");
  }

  asio::io_context& io_;
  BlobStore& blobs_;
  asio::ssl::context ssl_;
  asio::ip::tcp::acceptor acceptor_;
  size_t connections_ = 0;
};

MediaHost::MediaHost(asio::io_context& io, BlobStore& blobs, MediaCert cert)
    : impl_(std::make_shared<Impl>(io, blobs, cert)) {}
MediaHost::~MediaHost() { impl_->Stop(); }
base::Result<uint16_t> MediaHost::Listen(const std::string& host, uint16_t port) {
  return impl_->Listen(host, port);
}
void MediaHost::Stop() { impl_->Stop(); }

}  // namespace sim
