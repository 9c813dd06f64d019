// The types a route handler sees: Request, Response, Context, Handler, and the
// UpgradeHandler seam that takes over a connection (WebSocket, Engine.IO).
//
// Ownership: the Server builds one Context per request on the connection's
// coroutine frame and passes it by reference; `req`, `path` and `route` stay
// valid until the handler's awaitable completes and no longer. Copy what must
// outlive the request.
//
// Threading: a handler runs on its connection's strand. Handlers of different
// connections run concurrently when the io_context has several threads, so
// anything they share must be thread-safe. A handler must not block: move
// blocking work (SQLite, libmongoc, files) to a pool with http::Offload.
//
// Errors: a handler answers expected failures with a Response (see
// http/responses.h). An exception escaping a handler is a bug: the Server
// logs it and answers 500.
//
// Naming note: this module is namespace ::http, so do not write
// `namespace http = boost::beast::http;` at global scope; `bhttp` is the
// alias used here.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "http/url.h"

namespace http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Context {
  const Request& req;
  // The percent-decoded path, without the query string.
  std::string_view path;
  // The ":name" segments of the matched route, percent-decoded.
  Params params;
  // The parsed query string, percent-decoded ('+' as space).
  Query query;
  // The matched route pattern, e.g. "/whatsapp/messages/:jid" (a metrics label).
  std::string_view route;
  // Echoed from the client's x-request-id when sane, else generated; the
  // Server puts it on the response and in the request log line.
  std::string request_id;
  // The connection's strand; co_await on it, or bind handlers to it.
  boost::asio::any_io_executor executor;
  // The peer, "127.0.0.1:54321" or "[::1]:54321".
  std::string remote;
};

using Handler = std::function<boost::asio::awaitable<Response>(Context&)>;

// Takes over a connection: it owns the stream from then on and answers the
// request itself (e.g. "101 Switching Protocols" for a WebSocket upgrade, or an
// Engine.IO polling response). `buffer` holds bytes the client sent after the
// request (e.g. the first WebSocket frame). The connection ends when the
// returned awaitable completes. During server shutdown it gets
// ServerOptions::shutdown_grace, then terminal cancellation.
using UpgradeHandler = std::function<boost::asio::awaitable<void>(
    boost::beast::tcp_stream stream, Request req, boost::beast::flat_buffer buffer)>;

}  // namespace http
