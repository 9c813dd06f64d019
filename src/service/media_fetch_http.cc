// FetchToFile: GET over Beast (TCP, or TLS with the system CAs plus the
// configured CA file), one connection per hop. Per hop: parse the URL,
// resolve the host, run every resolved address past the guard, connect only
// to those checked addresses, send the request, read the header; follow a
// redirect by resolving Location against the current URL, or stream the body
// into the file under the size limit. A private io_context on the calling
// (blocking-pool) thread drives it, so DNS and slow servers never stall the
// event loop.
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "base/tls_client.h"
#include "service/media_fetch.h"

namespace service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kChunk = 64 * 1024;
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr size_t kSniffBytes = 64;
// The resolver has no timeout of its own; the loop gets this long past the
// deadline before it gives up on a stuck lookup.
constexpr auto kResolveGrace = std::chrono::milliseconds(500);

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Where one hop goes.
struct Target {
  bool tls = false;
  std::string host;  // a name, or a numeric address without brackets
  bool host_is_name = false;
  uint16_t port = 0;
  std::string host_header;  // as written in the URL (port included when given)
  std::string path;         // path and query
};

// The state of one fetch across its hops.
struct Fetch {
  const FetchOptions& options;
  SteadyClock::time_point deadline;
  std::FILE* file = nullptr;
  uint64_t written = 0;
  std::string head;  // the first bytes, for sniffing
  std::string header_mime;
  std::shared_ptr<asio::ssl::context> tls;  // made by the first https hop
};

base::Result<Target> ParseTarget(const boost::urls::url_view& url, bool redirected) {
  Target t;
  if (url.scheme_id() == boost::urls::scheme::https) {
    t.tls = true;
  } else if (url.scheme_id() != boost::urls::scheme::http) {
    return base::InvalidArgument(redirected ? "mediaUrl redirects to a scheme other than http(s)"
                                            : "mediaUrl must be an http:// or https:// URL");
  }
  switch (url.host_type()) {
    case boost::urls::host_type::name:
      t.host = url.host_name();
      t.host_is_name = true;
      break;
    case boost::urls::host_type::ipv4:
      t.host = url.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      t.host = url.host_ipv6_address().to_string();
      break;
    default:
      break;
  }
  if (t.host.empty()) return base::InvalidArgument("mediaUrl has no usable host");
  t.port = t.tls ? 443 : 80;
  if (url.has_port() && !url.port().empty()) {
    if (url.port_number() == 0) return base::InvalidArgument("mediaUrl has a bad port");
    t.port = url.port_number();
  }
  t.host_header = std::string(url.encoded_host_and_port());
  t.path = std::string(url.encoded_path());
  if (t.path.empty()) t.path = "/";
  if (url.has_query()) t.path += "?" + std::string(url.encoded_query());
  return t;
}

bool Refused(const FetchOptions& options, const std::string& ip) {
  if (options.refuse_address) return options.refuse_address(ip);
  return !options.allow_private && IsPrivateAddress(ip);
}

base::Status NetError(const Fetch& f, const std::string& what,
                      const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || SteadyClock::now() >= f.deadline) {
    return base::DeadlineExceeded("mediaUrl did not answer in time (" + what + ")");
  }
  return base::Unavailable("mediaUrl could not be fetched: " + what + ": " + ec.message());
}

// One request and its answer on a connected stream: the Location of a
// redirect, or nullopt once the body is in the file.
template <class Stream>
asio::awaitable<base::Result<std::optional<std::string>>> Exchange(Fetch& f, const Target& t,
                                                                   Stream& stream) {
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, t.path, 11};
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::user_agent, "wagate");
  req.set(bhttp::field::accept, "*/*");
  req.set(bhttp::field::connection, "close");
  auto [wec, sent] = co_await bhttp::async_write(stream, req, kTuple);
  (void)sent;
  if (wec) co_return NetError(f, "request to " + t.host_header, wec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.header_limit(kHeaderLimit);
  // Refuses a Content-Length over the limit at the header, and counts a
  // chunked body as it comes.
  parser.body_limit(f.options.max_bytes);
  auto too_big = [&] {
    return base::ResourceExhausted("mediaUrl is larger than the limit of " +
                                   std::to_string(f.options.max_bytes) + " bytes");
  };
  auto [hec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
  (void)header_bytes;
  if (hec == bhttp::error::body_limit) co_return too_big();
  if (hec) co_return NetError(f, "answer from " + t.host_header, hec);
  const auto& res = parser.get();
  switch (res.result()) {
    case bhttp::status::moved_permanently:
    case bhttp::status::found:
    case bhttp::status::see_other:
    case bhttp::status::temporary_redirect:
    case bhttp::status::permanent_redirect: {
      std::string location(res[bhttp::field::location]);
      if (location.empty()) co_return base::Unavailable("mediaUrl redirects without a Location");
      co_return std::optional<std::string>(std::move(location));
    }
    default:
      break;
  }
  if (res.result_int() / 100 != 2) {
    co_return base::Unavailable("mediaUrl could not be fetched: HTTP " +
                                std::to_string(res.result_int()));
  }
  std::string type(res[bhttp::field::content_type]);
  if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  f.header_mime = std::move(type);

  std::vector<char> chunk(kChunk);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    auto [rec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
    (void)n;
    if (rec == bhttp::error::need_buffer) rec = {};  // the chunk is full; not an error
    if (rec == bhttp::error::body_limit) co_return too_big();
    if (rec) co_return NetError(f, "body from " + t.host_header, rec);
    const size_t got = chunk.size() - parser.get().body().size;
    if (f.written + got > f.options.max_bytes) co_return too_big();
    if (f.head.size() < kSniffBytes) {
      f.head.append(chunk.data(), std::min(got, kSniffBytes - f.head.size()));
    }
    if (got > 0 && std::fwrite(chunk.data(), 1, got, f.file) != got) {
      co_return base::Internal("media fetch: write error");
    }
    f.written += got;
  }
  co_return std::nullopt;
}

// Resolve, guard, connect (TLS when https), exchange.
asio::awaitable<base::Result<std::optional<std::string>>> Hop(Fetch& f, const Target& t) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(t.host, std::to_string(t.port),
                                                        tcp::resolver::numeric_service, kTuple);
  if (rec) co_return NetError(f, "resolve " + t.host, rec);
  // Every address is checked before any connect, and the connect goes only
  // to the checked ones: a name answering both a public and a private
  // address is refused rather than raced.
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) {
    std::string ip = entry.endpoint().address().to_string();
    if (Refused(f.options, ip)) {
      co_return base::InvalidArgument("mediaUrl resolves to " + ip +
                                      ", a private or local address; refused");
    }
    endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) co_return base::Unavailable("mediaUrl host " + t.host + " has no address");

  beast::tcp_stream tcp_stream(ex);
  tcp_stream.expires_at(std::min(f.deadline, SteadyClock::now() + f.options.connect_timeout));
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
  (void)endpoint;
  if (cec) co_return NetError(f, "connect to " + t.host_header, cec);
  tcp_stream.expires_at(f.deadline);
  if (!t.tls) co_return co_await Exchange(f, t, tcp_stream);

  if (!f.tls) {
    base::Result<std::shared_ptr<asio::ssl::context>> ctx =
        base::NewTlsClientContext(f.options.ca_file);
    if (!ctx.ok()) {
      // The server's own CA file is broken: not the caller's fault.
      const base::Code code = ctx.status().code() == base::Code::kInvalidArgument
                                  ? base::Code::kInternal
                                  : ctx.status().code();
      co_return base::Status(code, "media fetch: " + ctx.status().message());
    }
    f.tls = std::move(*ctx);
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *f.tls);
  beast::get_lowest_layer(stream).expires_at(f.deadline);
  // SNI carries names only (RFC 6066 §3); the certificate check covers both.
  if (t.host_is_name && !SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
    co_return base::Internal("media fetch: cannot set SNI");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(t.host));
  auto [tec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (tec) co_return NetError(f, "TLS with " + t.host_header, tec);
  co_return co_await Exchange(f, t, stream);
}

asio::awaitable<void> Run(Fetch& f, std::string url,
                          std::optional<base::Result<FetchResult>>& out) {
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    out = base::InvalidArgument("mediaUrl is not a valid URL");
    co_return;
  }
  boost::urls::url current(*parsed);
  current.remove_fragment();
  for (int hop = 0;; ++hop) {
    base::Result<Target> target = ParseTarget(current, hop > 0);
    if (!target.ok()) {
      out = target.status();
      co_return;
    }
    base::Result<std::optional<std::string>> next = co_await Hop(f, *target);
    if (!next.ok()) {
      out = next.status();
      co_return;
    }
    if (!next->has_value()) {
      FetchResult r;
      r.size = f.written;
      r.sniffed_mime = SniffMime(f.head);
      if (r.sniffed_mime.empty()) r.sniffed_mime = "application/octet-stream";
      r.header_mime = f.header_mime;
      r.final_url = std::string(current.buffer());
      out = std::move(r);
      co_return;
    }
    if (hop >= f.options.max_redirects) {
      out = base::InvalidArgument("mediaUrl redirects more than " +
                                  std::to_string(f.options.max_redirects) + " times");
      co_return;
    }
    boost::system::result<boost::urls::url_view> ref = boost::urls::parse_uri_reference(**next);
    boost::urls::url resolved;
    if (!ref || !boost::urls::resolve(current, *ref, resolved)) {
      out = base::Unavailable("mediaUrl redirects to a bad Location");
      co_return;
    }
    resolved.remove_fragment();
    current = std::move(resolved);
  }
}

}  // namespace

base::Result<FetchResult> FetchToFile(const std::string& url, const std::string& dest_path,
                                      const FetchOptions& options) {
  if (!(url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)) {
    return base::InvalidArgument("mediaUrl must be an http:// or https:// URL");
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(dest_path.c_str(), "wb"));
  if (!file) return base::Internal("media fetch: cannot write " + dest_path);
  Fetch f{.options = options, .deadline = SteadyClock::now() + options.total_timeout};
  f.file = file.get();
  std::optional<base::Result<FetchResult>> out;
  {
    asio::io_context io(1);
    asio::co_spawn(io, Run(f, url, out), [&](std::exception_ptr e) {
      if (e && !out) out = base::Internal("media fetch: unexpected exception");
    });
    io.run_until(f.deadline + kResolveGrace);
    // Leaving the scope destroys a coroutine still waiting (a stuck DNS
    // lookup): the resolver's thread is joined once getaddrinfo returns.
  }
  if (!out) out = base::DeadlineExceeded("mediaUrl did not answer in time");
  const bool flushed = std::fclose(file.release()) == 0;
  if (out->ok() && !flushed) out = base::Internal("media fetch: write error");
  if (!out->ok()) {
    std::error_code ec;
    std::filesystem::remove(dest_path, ec);
  }
  return std::move(*out);
}

}  // namespace service
