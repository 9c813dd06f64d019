#include "gateway/socketio.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

#include "base/encoding.h"

namespace gateway::sio {
namespace {

constexpr size_t kMaxNamespace = 256;
// Ack ids are JavaScript numbers on the client; stay within 2^53.
constexpr uint64_t kMaxAckId = (uint64_t{1} << 53) - 1;

base::Status Bad(std::string_view why) {
  return base::InvalidArgument("socket.io: " + std::string(why));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsPlaceholder(const boost::json::object& o) {
  auto p = o.find("_placeholder");
  return o.size() == 2 && p != o.end() && p->value().is_bool() && p->value().as_bool() &&
         o.contains("num");
}

// Visits every placeholder; `visit` returns false to stop with an error.
template <typename F>
bool ForEachPlaceholder(boost::json::value& v, F&& visit, int depth = 0) {
  if (depth > 64) return false;
  if (v.is_array()) {
    for (auto& e : v.as_array()) {
      if (!ForEachPlaceholder(e, visit, depth + 1)) return false;
    }
  } else if (v.is_object()) {
    auto& o = v.as_object();
    if (IsPlaceholder(o)) return visit(v);
    for (auto& kv : o) {
      if (!ForEachPlaceholder(kv.value(), visit, depth + 1)) return false;
    }
  }
  return true;
}

// The placeholder's index when it is a valid one for `count` buffers.
std::optional<size_t> PlaceholderNum(const boost::json::value& v, size_t count) {
  const auto& num = v.as_object().at("num");
  if (!num.is_int64() && !num.is_uint64()) return std::nullopt;
  const int64_t n = num.is_int64() ? num.as_int64() : static_cast<int64_t>(num.as_uint64());
  if (n < 0 || static_cast<uint64_t>(n) >= count) return std::nullopt;
  return static_cast<size_t>(n);
}

bool IsBinary(PacketType t) { return t == PacketType::kBinaryEvent || t == PacketType::kBinaryAck; }

base::Status CheckData(const Packet& p) {
  const auto& d = p.data;
  switch (p.type) {
    case PacketType::kConnect:
      if (d && !d->is_object()) return Bad("CONNECT data must be an object");
      break;
    case PacketType::kDisconnect:
      if (d) return Bad("DISCONNECT has no data");
      break;
    case PacketType::kEvent:
    case PacketType::kBinaryEvent: {
      if (!d || !d->is_array() || d->as_array().empty()) {
        return Bad("EVENT data must be a non-empty array");
      }
      const auto& name = d->as_array().front();
      if (!name.is_string() && !name.is_number()) {
        return Bad("EVENT name must be a string or a number");
      }
      break;
    }
    case PacketType::kAck:
    case PacketType::kBinaryAck:
      if (!d || !d->is_array()) return Bad("ACK data must be an array");
      if (!p.id) return Bad("ACK without an id");
      break;
    case PacketType::kConnectError:
      if (!d || (!d->is_object() && !d->is_string())) {
        return Bad("CONNECT_ERROR data must be an object or a string");
      }
      break;
  }
  return base::Status::Ok();
}

}  // namespace

std::string Encode(const Packet& packet) {
  std::string out;
  out += static_cast<char>('0' + static_cast<int>(packet.type));
  if (IsBinary(packet.type)) {
    out += std::to_string(packet.attachments);
    out += '-';
  }
  if (!packet.nsp.empty() && packet.nsp != "/") {
    out += packet.nsp;
    out += ',';
  }
  if (packet.id) out += std::to_string(*packet.id);
  if (packet.data) out += boost::json::serialize(*packet.data);
  return out;
}

base::Result<Packet> Decode(std::string_view text) {
  if (text.empty()) return Bad("empty packet");
  Packet p;
  if (text[0] < '0' || text[0] > '6') return Bad("unknown packet type");
  p.type = static_cast<PacketType>(text[0] - '0');
  size_t i = 1;
  if (IsBinary(p.type)) {
    const size_t dash = text.find('-', i);
    if (dash == std::string_view::npos || dash == i) return Bad("missing attachment count");
    size_t n = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + dash, n);
    if (ec != std::errc() || end != text.data() + dash) return Bad("bad attachment count");
    if (n > kMaxAttachments) return Bad("too many attachments");
    p.attachments = n;
    i = dash + 1;
  }
  if (i < text.size() && text[i] == '/') {
    const size_t comma = text.find(',', i);
    const size_t end = comma == std::string_view::npos ? text.size() : comma;
    if (end - i > kMaxNamespace) return Bad("namespace too long");
    p.nsp = std::string(text.substr(i, end - i));
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }
  if (i < text.size() && IsDigit(text[i])) {
    size_t j = i;
    while (j < text.size() && IsDigit(text[j])) ++j;
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + j, id);
    if (ec != std::errc() || id > kMaxAckId) return Bad("bad ack id");
    p.id = id;
    i = j;
  }
  if (i < text.size()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text.substr(i), ec);
    if (ec) return Bad("invalid JSON data");
    p.data = std::move(v);
  }
  WAGATE_RETURN_IF_ERROR(CheckData(p));
  if (IsBinary(p.type)) {
    const size_t count = p.attachments;
    bool ok = ForEachPlaceholder(
        *p.data, [&](boost::json::value& v) { return PlaceholderNum(v, count).has_value(); });
    if (!ok) return Bad("placeholder out of range");
  }
  return p;
}

boost::json::value Placeholder(size_t num) {
  return boost::json::object{{"_placeholder", true}, {"num", num}};
}

base::Status FillPlaceholders(boost::json::value& data, const std::vector<std::string>& buffers) {
  bool ok = ForEachPlaceholder(data, [&](boost::json::value& v) {
    auto n = PlaceholderNum(v, buffers.size());
    if (!n) return false;
    v = boost::json::string(base::Base64Encode(buffers[*n]));
    return true;
  });
  return ok ? base::Status::Ok() : Bad("placeholder out of range");
}

void BinaryAssembler::Start(Packet packet) {
  buffers_.clear();
  buffers_.reserve(packet.attachments);
  pending_ = std::move(packet);
}

std::optional<BinaryAssembler::Complete> BinaryAssembler::Add(std::string buffer) {
  if (!pending_) return std::nullopt;
  buffers_.push_back(std::move(buffer));
  if (buffers_.size() < pending_->attachments) return std::nullopt;
  Complete done{std::move(*pending_), std::move(buffers_)};
  pending_.reset();
  buffers_ = {};
  return done;
}

}  // namespace gateway::sio
