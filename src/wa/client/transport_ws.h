// The socket under the client: one WebSocket (ws:// or wss://) carrying
// binary messages [whatsapp-protocol.md §1.1]. wss:// verifies the server's
// TLS certificate against the system CAs plus an optional extra PEM file and
// checks the host name. The request carries Origin: https://web.whatsapp.com.
//
// The only translation unit of wa/client that includes Beast.
// Thread safety: one coroutine reads and one writes at a time, on the
// executor the transport was made on; Cancel() on that executor too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/status.h"

namespace wa::client {

struct WsOptions {
  std::string url;                           // ws://host[:port]/path or wss://…
  std::string ca_file;                       // extra PEM CA, may be empty
  std::chrono::milliseconds timeout{20000};  // resolve + TCP + TLS + WebSocket
  size_t max_message = size_t{32} << 20;     // a WebSocket message, bytes
};

class WsTransport {
 public:
  virtual ~WsTransport() = default;
  // Sends one binary message. One Write at a time.
  virtual boost::asio::awaitable<base::Status> Write(std::string data) = 0;
  // The next message (kUnavailable when the socket ended, kResourceExhausted
  // above max_message). One Read at a time.
  virtual boost::asio::awaitable<base::Result<std::string>> Read() = 0;
  // Tears the socket down; pending and later operations fail. Idempotent.
  virtual void Cancel() = 0;
};

// kInvalidArgument for a bad URL, kUnavailable when the server cannot be
// reached or refuses, kDeadlineExceeded after `timeout`.
boost::asio::awaitable<base::Result<std::unique_ptr<WsTransport>>> ConnectWebSocket(
    boost::asio::any_io_executor executor, WsOptions options);

}  // namespace wa::client
