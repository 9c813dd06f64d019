#include "gateway/engineio.h"

#include "base/encoding.h"

namespace gateway::eio {

void AppendPacket(std::string& out, const Packet& packet) {
  if (packet.binary) {
    out += 'b';
    out += base::Base64Encode(packet.data);
    return;
  }
  out += static_cast<char>(packet.type);
  out += packet.data;
}

std::string EncodePacket(const Packet& packet) {
  std::string out;
  out.reserve(packet.data.size() + 1);
  AppendPacket(out, packet);
  return out;
}

base::Result<Packet> DecodePacket(std::string_view text) {
  if (text.empty()) return base::InvalidArgument("engine.io: empty packet");
  if (text.front() == 'b') {
    auto bytes = base::Base64Decode(text.substr(1));
    if (!bytes.ok()) return base::InvalidArgument("engine.io: bad base64 in binary packet");
    return Packet{PacketType::kMessage, std::move(bytes).value(), true};
  }
  const char type = text.front();
  if (type < '0' || type > '6') {
    return base::InvalidArgument("engine.io: unknown packet type");
  }
  return Packet{static_cast<PacketType>(type), std::string(text.substr(1)), false};
}

Packet BinaryMessage(std::string_view bytes) {
  return Packet{PacketType::kMessage, std::string(bytes), true};
}

std::string EncodePayload(const std::vector<Packet>& packets) {
  std::string out;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) out += kRecordSeparator;
    AppendPacket(out, packets[i]);
  }
  return out;
}

base::Result<std::vector<Packet>> DecodePayload(std::string_view body, size_t max_packets) {
  std::vector<Packet> packets;
  size_t start = 0;
  for (;;) {
    const size_t end = body.find(kRecordSeparator, start);
    const std::string_view part =
        body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (packets.size() >= max_packets) {
      return base::InvalidArgument("engine.io: too many packets in one payload");
    }
    auto packet = DecodePacket(part);
    if (!packet.ok()) return packet.status();
    packets.push_back(std::move(packet).value());
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

std::string_view ErrorMessage(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknownTransport:
      return "Transport unknown";
    case ErrorCode::kUnknownSid:
      return "Session ID unknown";
    case ErrorCode::kBadHandshakeMethod:
      return "Bad handshake method";
    case ErrorCode::kBadRequest:
      return "Bad request";
    case ErrorCode::kForbidden:
      return "Forbidden";
    case ErrorCode::kUnsupportedProtocolVersion:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

std::string ErrorJson(ErrorCode code) {
  std::string out = "{\"code\":";
  out += std::to_string(static_cast<int>(code));
  out += ",\"message\":\"";
  out += ErrorMessage(code);
  out += "\"}";
  return out;
}

}  // namespace gateway::eio
