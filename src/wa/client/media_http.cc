// Media upload and download over HTTPS [whatsapp-protocol.md §10]: the
// media_conn hosts (cached for their ttl), streaming encryption into a
// temporary file that is POSTed with Beast's file body, and a streaming GET
// that decrypts chunk by chunk into a temporary file renamed into place only
// after the MAC and hashes checked out. File I/O runs on the blocking pool.
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "base/offload.h"
#include "base/tls_client.h"
#include "wa/client/messenger.h"
#include "wa/media/media_cipher.h"
#include "wa/media/media_keys.h"
#include "wa/media/media_type.h"

namespace wa::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr char kOrigin[] = "https://web.whatsapp.com";
constexpr size_t kChunk = 64 * 1024;
constexpr size_t kMaxUploadReply = 64 * 1024;

using SslStream = beast::ssl_stream<beast::tcp_stream>;

struct HttpsUrl {
  std::string host;
  std::string port;
  std::string target;
  std::string host_header;
};

base::Result<HttpsUrl> ParseHttpsUrl(const std::string& text) {
  boost::system::result<boost::urls::url_view> url = boost::urls::parse_uri(text);
  if (!url || url->scheme() != "https") return base::InvalidArgument("media: bad url " + text);
  HttpsUrl out;
  out.host = std::string(url->host());
  if (out.host.empty()) return base::InvalidArgument("media: url without host");
  out.port = url->has_port() ? std::string(url->port()) : "443";
  out.host_header = url->has_port() ? out.host + ":" + out.port : out.host;
  out.target = std::string(url->encoded_path());
  if (out.target.empty()) out.target = "/";
  if (url->has_query()) out.target += "?" + std::string(url->encoded_query());
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

base::Status NetError(std::string_view what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return base::DeadlineExceeded(std::string(what) + ": timeout");
  return base::Unavailable(std::string(what) + ": " + ec.message());
}

// TCP + TLS (system CAs plus the configured CA file, host name checked).
asio::awaitable<base::Result<std::unique_ptr<SslStream>>> ConnectHttps(
    asio::any_io_executor ex, asio::ssl::context& ctx, const HttpsUrl& url,
    std::chrono::milliseconds timeout) {
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, kTuple);
  if (rec) co_return NetError("media: resolve " + url.host, rec);
  auto stream = std::make_unique<SslStream>(ex, ctx);
  beast::get_lowest_layer(*stream).expires_after(timeout);
  auto [cec, endpoint] = co_await beast::get_lowest_layer(*stream).async_connect(endpoints, kTuple);
  (void)endpoint;
  if (cec) co_return NetError("media: connect " + url.host_header, cec);
  if (!SSL_set_tlsext_host_name(stream->native_handle(), url.host.c_str())) {
    co_return base::Internal("media: cannot set SNI");
  }
  stream->set_verify_callback(asio::ssl::host_name_verification(url.host));
  auto [tec] = co_await stream->async_handshake(asio::ssl::stream_base::client, kTuple);
  if (tec) co_return NetError("media: tls handshake with " + url.host, tec);
  co_return stream;
}

}  // namespace

// Parsing the system CA bundle costs milliseconds: once per connection, not
// per upload or download.
base::Result<std::shared_ptr<asio::ssl::context>> Messenger::TlsContext() {
  if (tls_) return tls_;
  base::Result<std::shared_ptr<asio::ssl::context>> made =
      base::NewTlsClientContext(config_.ca_file);
  if (!made.ok()) return made.status();
  tls_ = std::move(*made);
  return tls_;
}

namespace {

std::string TempPath(base::Random& random, const std::string& prefix) {
  return (std::filesystem::temp_directory_path() /
          (prefix + base::Base64UrlEncode(std::to_string(random.Uint64()))))
      .string();
}

struct Encrypted {
  media::MediaDigest digest;
  uint64_t size = 0;
};

// Reads `path` in chunks and writes the encrypted file to `out_path`.
base::Result<Encrypted> EncryptFile(const std::string& path, const std::string& out_path,
                                    const media::MediaKeys& keys) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::NotFound("media: cannot open " + path);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return base::Internal("media: cannot create " + out_path);
  WAGATE_ASSIGN_OR_RETURN(media::MediaEncryptor encryptor, media::MediaEncryptor::Create(keys));
  std::string buffer(kChunk, '\0');
  std::string sealed;
  Encrypted result;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    sealed.clear();
    WAGATE_RETURN_IF_ERROR(encryptor.Update(std::string_view(buffer.data(), size_t(n)), &sealed));
    out.write(sealed.data(), static_cast<std::streamsize>(sealed.size()));
    result.size += sealed.size();
  }
  if (in.bad()) return base::Internal("media: read error on " + path);
  sealed.clear();
  WAGATE_ASSIGN_OR_RETURN(result.digest, encryptor.Finish(&sealed));
  out.write(sealed.data(), static_cast<std::streamsize>(sealed.size()));
  result.size += sealed.size();
  out.close();
  if (!out) return base::Internal("media: write error on " + out_path);
  return result;
}

}  // namespace

asio::awaitable<base::Result<iq::MediaConn>> Messenger::GetMediaConn(bool force) {
  if (!force && media_conn_ && clock_.NowMs() < media_conn_expires_ms_) co_return *media_conn_;
  base::Result<binary::Node> reply = co_await link_.LinkQuery(iq::BuildMediaConnQuery());
  if (!reply.ok()) co_return reply.status().WithContext("media_conn");
  base::Result<iq::MediaConn> conn = iq::ParseMediaConn(*reply);
  if (!conn.ok()) co_return conn.status();
  media_conn_ = *conn;
  media_conn_expires_ms_ = clock_.NowMs() + std::max<int64_t>(conn->ttl_s, 1) * 1000;
  co_return *conn;
}

asio::awaitable<base::Result<UploadedMedia>> Messenger::UploadMedia(std::string media_type,
                                                                    std::string path) {
  if (!link_.LinkOpen()) co_return base::Unavailable("not connected");
  base::Result<media::MediaType> type = media::ParseMediaType(media_type);
  if (!type.ok()) co_return type.status();
  std::string upload_path(media::UploadPath(*type));
  if (upload_path.empty())
    co_return base::InvalidArgument("media: no upload path for " + media_type);
  UploadedMedia uploaded;
  uploaded.media_key = media::GenerateMediaKey(random_);
  base::Result<media::MediaKeys> keys = media::MediaKeys::Derive(uploaded.media_key, *type);
  if (!keys.ok()) co_return keys.status();
  std::string temp = TempPath(random_, "wagate-upload-");
  struct Remove {
    std::string path;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove{temp};
  base::Result<Encrypted> encrypted =
      co_await base::Offload(blocking_, [&] { return EncryptFile(path, temp, *keys); });
  if (!encrypted.ok()) co_return encrypted.status();
  uploaded.file_sha256 = encrypted->digest.file_sha256;
  uploaded.file_enc_sha256 = encrypted->digest.file_enc_sha256;
  uploaded.file_length = encrypted->digest.file_length;

  base::Result<iq::MediaConn> conn = co_await GetMediaConn(false);
  if (!conn.ok()) co_return conn.status();
  base::Result<std::shared_ptr<asio::ssl::context>> ctx = TlsContext();
  if (!ctx.ok()) co_return ctx.status();
  std::string token = base::Base64UrlEncode(uploaded.file_enc_sha256);
  base::Status last = base::Unavailable("media: no upload host");
  for (const iq::MediaHost& host : conn->hosts) {
    if (host.max_content_length > 0 &&
        encrypted->size > static_cast<uint64_t>(host.max_content_length)) {
      last = base::ResourceExhausted("media: file above the host's limit");
      continue;
    }
    base::Result<HttpsUrl> url =
        ParseHttpsUrl("https://" + host.hostname + upload_path + "/" + token +
                      "?auth=" + UrlEncode(conn->auth) + "&token=" + token);
    if (!url.ok()) {
      last = url.status();
      continue;
    }
    base::Result<std::unique_ptr<SslStream>> stream =
        co_await ConnectHttps(ex_, **ctx, *url, config_.query_timeout);
    if (!stream.ok()) {
      last = stream.status();
      continue;
    }
    http::request<http::file_body> request{http::verb::post, url->target, 11};
    request.set(http::field::host, url->host_header);
    request.set(http::field::origin, kOrigin);
    request.set(http::field::content_type, "application/octet-stream");
    beast::error_code ec;
    request.body().open(temp.c_str(), beast::file_mode::scan, ec);
    if (ec) co_return base::Internal("media: reopen " + temp + ": " + ec.message());
    request.prepare_payload();
    // Generous for the size: the timeout restarts per operation.
    beast::get_lowest_layer(**stream).expires_after(config_.query_timeout * 5);
    auto [wec, written] = co_await http::async_write(**stream, request, kTuple);
    (void)written;
    if (wec) {
      last = NetError("media: upload", wec);
      continue;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxUploadReply);
    beast::get_lowest_layer(**stream).expires_after(config_.query_timeout);
    auto [rec, read] = co_await http::async_read(**stream, buffer, parser, kTuple);
    (void)read;
    if (rec) {
      last = NetError("media: upload reply", rec);
      continue;
    }
    const auto& response = parser.get();
    if (response.result_int() / 100 != 2) {
      last = base::Unavailable("media: upload HTTP " + std::to_string(response.result_int()));
      continue;
    }
    boost::system::error_code jec;
    boost::json::value json = boost::json::parse(response.body(), jec);
    if (jec || !json.is_object()) {
      last = base::Unavailable("media: upload reply is no JSON object");
      continue;
    }
    const boost::json::object& object = json.as_object();
    if (const auto* u = object.if_contains("url"); u && u->is_string()) {
      uploaded.url = std::string(u->as_string());
    }
    if (const auto* p = object.if_contains("direct_path"); p && p->is_string()) {
      uploaded.direct_path = std::string(p->as_string());
    }
    if (uploaded.url.empty() && uploaded.direct_path.empty()) {
      last = base::Unavailable("media: upload reply without url or direct_path");
      continue;
    }
    beast::get_lowest_layer(**stream).close();
    co_return uploaded;
  }
  co_return last;
}

asio::awaitable<base::Status> Messenger::DownloadMedia(MediaRef ref, std::string dest_path,
                                                       uint64_t max_bytes) {
  base::Result<media::MediaType> type = media::ParseMediaType(ref.media_type);
  if (!type.ok()) co_return type.status();
  if (ref.file_length > max_bytes) {
    co_return base::ResourceExhausted("media: file of " + std::to_string(ref.file_length) +
                                      " bytes above the limit");
  }
  base::Result<media::MediaKeys> keys = media::MediaKeys::Derive(ref.media_key, *type);
  if (!keys.ok()) co_return keys.status();
  std::string url_text = ref.url;
  if (url_text.empty()) {
    if (ref.direct_path.empty()) co_return base::InvalidArgument("media: no url or direct_path");
    base::Result<iq::MediaConn> conn = co_await GetMediaConn(false);
    if (!conn.ok()) co_return conn.status();
    if (conn->hosts.empty()) co_return base::Unavailable("media: no host");
    url_text = "https://" + conn->hosts.front().hostname + ref.direct_path;
  }
  base::Result<HttpsUrl> url = ParseHttpsUrl(url_text);
  if (!url.ok()) co_return url.status();
  media::MediaExpectations expect;
  if (!ref.file_sha256.empty()) expect.file_sha256 = ref.file_sha256;
  if (!ref.file_enc_sha256.empty()) expect.file_enc_sha256 = ref.file_enc_sha256;
  if (ref.file_length > 0) expect.file_length = ref.file_length;
  base::Result<media::MediaDecryptor> decryptor = media::MediaDecryptor::Create(*keys, expect);
  if (!decryptor.ok()) co_return decryptor.status();

  base::Result<std::shared_ptr<asio::ssl::context>> ctx = TlsContext();
  if (!ctx.ok()) co_return ctx.status();
  base::Result<std::unique_ptr<SslStream>> stream =
      co_await ConnectHttps(ex_, **ctx, *url, config_.query_timeout);
  if (!stream.ok()) co_return stream.status();
  http::request<http::empty_body> request{http::verb::get, url->target, 11};
  request.set(http::field::host, url->host_header);
  request.set(http::field::origin, kOrigin);
  beast::get_lowest_layer(**stream).expires_after(config_.query_timeout);
  auto [wec, written] = co_await http::async_write(**stream, request, kTuple);
  (void)written;
  if (wec) co_return NetError("media: download request", wec);

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  // Ciphertext = plaintext padded to 16 bytes + the 10-byte MAC.
  parser.body_limit(max_bytes + 16 + media::kMediaMacSize);
  auto [hec, header_bytes] = co_await http::async_read_header(**stream, buffer, parser, kTuple);
  (void)header_bytes;
  if (hec) co_return NetError("media: download", hec);
  int status = parser.get().result_int();
  if (status == 404 || status == 410)
    co_return base::NotFound("media: HTTP " + std::to_string(status));
  if (status / 100 != 2) co_return base::Unavailable("media: HTTP " + std::to_string(status));

  std::string temp = dest_path + ".part";
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) co_return base::Internal("media: cannot create " + temp);
  auto fail = [&](base::Status status) {
    out.close();
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    return status;
  };
  std::string chunk(kChunk, '\0');
  std::string plain;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    beast::get_lowest_layer(**stream).expires_after(config_.query_timeout);
    auto [rec, n] = co_await http::async_read_some(**stream, buffer, parser, kTuple);
    (void)n;
    if (rec == http::error::need_buffer) rec = {};
    if (rec == http::error::body_limit) {
      co_return fail(base::ResourceExhausted("media: download above the limit"));
    }
    if (rec) co_return fail(NetError("media: download", rec));
    size_t got = chunk.size() - parser.get().body().size;
    if (got == 0) continue;
    std::string_view data(chunk.data(), got);
    base::Status step = co_await base::Offload(blocking_, [&]() -> base::Status {
      plain.clear();
      WAGATE_RETURN_IF_ERROR(decryptor->Update(data, &plain));
      out.write(plain.data(), static_cast<std::streamsize>(plain.size()));
      return out ? base::Status::Ok() : base::Internal("media: write error on " + temp);
    });
    if (!step.ok()) co_return fail(step);
  }
  base::Status finished = co_await base::Offload(blocking_, [&]() -> base::Status {
    plain.clear();
    base::Result<media::MediaDigest> digest = decryptor->Finish(&plain);
    if (!digest.ok()) return digest.status();
    out.write(plain.data(), static_cast<std::streamsize>(plain.size()));
    out.close();
    if (!out) return base::Internal("media: write error on " + temp);
    std::error_code ec;
    std::filesystem::rename(temp, dest_path, ec);
    if (ec) return base::Internal("media: rename to " + dest_path + ": " + ec.message());
    return base::Status::Ok();
  });
  if (!finished.ok()) co_return fail(finished);
  beast::get_lowest_layer(**stream).close();
  co_return base::Status::Ok();
}

}  // namespace wa::client
