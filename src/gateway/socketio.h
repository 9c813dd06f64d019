// Socket.IO v5 packets (https://github.com/socketio/socket.io-protocol, v5):
// the sans-IO codec of the gateway's application layer. A Socket.IO packet
// travels in one Engine.IO message packet as
//
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]
//
// types: 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR,
// 5 BINARY_EVENT, 6 BINARY_ACK. A binary packet is followed by
// <attachments> binary Engine.IO messages; its data holds a placeholder
// {"_placeholder":true,"num":<i>} where each buffer goes.
//
// Thread safety: pure functions; a BinaryAssembler is used by one thread.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace gateway::sio {

enum class PacketType : int {
  kConnect = 0,
  kDisconnect = 1,
  kEvent = 2,
  kAck = 3,
  kConnectError = 4,
  kBinaryEvent = 5,
  kBinaryAck = 6,
};

// More attachments than this in one packet is refused (a DoS guard; the
// buffers themselves are bounded by the Engine.IO maxPayload).
inline constexpr size_t kMaxAttachments = 16;

struct Packet {
  PacketType type = PacketType::kEvent;
  std::string nsp = "/";
  std::optional<uint64_t> id;
  std::optional<boost::json::value> data;
  size_t attachments = 0;  // binary types only
};

// The text form. REQUIRES: `packet` is valid (as Decode would accept it).
std::string Encode(const Packet& packet);

// Parses and validates one text packet: the data shape each type allows
// (CONNECT: object or none; DISCONNECT: none; EVENT: array starting with a
// string event name or a number; ACK: array; CONNECT_ERROR: object or
// string), and for binary types that every placeholder refers to an
// attachment. kInvalidArgument with the reason otherwise.
base::Result<Packet> Decode(std::string_view text);

// {"_placeholder":true,"num":n}
boost::json::value Placeholder(size_t num);

// Replaces every placeholder in `data` with the base64 text of its buffer
// (JSON has no bytes). kInvalidArgument for a placeholder out of range.
base::Status FillPlaceholders(boost::json::value& data, const std::vector<std::string>& buffers);

// Collects a binary packet and the binary messages that follow it.
class BinaryAssembler {
 public:
  // A decoded packet with attachments > 0: its buffers come next.
  void Start(Packet packet);
  bool busy() const { return pending_.has_value(); }
  // Adds one buffer; returns the packet and its buffers when complete.
  struct Complete {
    Packet packet;
    std::vector<std::string> buffers;
  };
  std::optional<Complete> Add(std::string buffer);

 private:
  std::optional<Packet> pending_;
  std::vector<std::string> buffers_;
};

}  // namespace gateway::sio
