// Engine.IO v4 packets (https://github.com/socketio/engine.io-protocol, v4):
// the sans-IO codec of the gateway's transport layer.
//
//   packet   = type digit + data:  0 open, 1 close, 2 ping, 3 pong,
//              4 message, 5 upgrade, 6 noop
//   payload  = packets joined by the record separator 0x1e (HTTP long-polling)
//   binary   = a WebSocket binary frame is a message packet without a type
//              byte; inside a polling payload it is "b" + base64.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace gateway::eio {

enum class PacketType : char {
  kOpen = '0',
  kClose = '1',
  kPing = '2',
  kPong = '3',
  kMessage = '4',
  kUpgrade = '5',
  kNoop = '6',
};

struct Packet {
  PacketType type = PacketType::kMessage;
  std::string data;     // text, or raw bytes when `binary`
  bool binary = false;  // only for kMessage

  friend bool operator==(const Packet&, const Packet&) = default;
};

inline constexpr char kRecordSeparator = '\x1e';

// One packet as text: "4hello", "2", or "b<base64>" for binary data (the
// polling form; a WebSocket sends binary data as a binary frame instead).
std::string EncodePacket(const Packet& packet);
void AppendPacket(std::string& out, const Packet& packet);

// A text packet ("4hello", "2probe", "bAQID"). kInvalidArgument for an empty
// text, an unknown type, or bad base64.
base::Result<Packet> DecodePacket(std::string_view text);

// A WebSocket binary frame: a message packet with raw bytes.
Packet BinaryMessage(std::string_view bytes);

// Packets joined by 0x1e.
std::string EncodePayload(const std::vector<Packet>& packets);

// A polling request body. kInvalidArgument when any packet is malformed or
// there are more than `max_packets` of them; the session is then closed.
base::Result<std::vector<Packet>> DecodePayload(std::string_view body, size_t max_packets);

// The error codes and messages of engine.io's HTTP errors (server.ts).
enum class ErrorCode : int {
  kUnknownTransport = 0,
  kUnknownSid = 1,
  kBadHandshakeMethod = 2,
  kBadRequest = 3,
  kForbidden = 4,
  kUnsupportedProtocolVersion = 5,
};
std::string_view ErrorMessage(ErrorCode code);
// {"code":N,"message":"..."}
std::string ErrorJson(ErrorCode code);

}  // namespace gateway::eio
