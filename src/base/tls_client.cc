#include "base/tls_client.h"

#include <boost/asio/ssl/context.hpp>

namespace base {

Result<std::shared_ptr<boost::asio::ssl::context>> NewTlsClientContext(const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return Unavailable("tls: system CAs: " + ec.message());
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) return InvalidArgument("tls: ca file " + ca_file + ": " + ec.message());
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace base
