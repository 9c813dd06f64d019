#include "wa/binary/frame.h"

#include <zlib.h>

#include <algorithm>

#include "wa/binary/encoder.h"

namespace wa::binary {
namespace {

base::Status FrameError(const std::string& what) {
  return base::InvalidArgument("decode frame: " + what);
}

// RFC 1950 stream → bytes, at most `max_size` of them. The whole input must
// be one complete stream.
base::Result<std::string> Inflate(std::string_view compressed, size_t max_size) {
  constexpr size_t kMaxChunk = size_t{1} << 30;  // fits zlib's uInt
  if (compressed.size() > kMaxChunk) return FrameError("compressed body too large");
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return base::Internal("decode frame: inflateInit failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  out.resize(std::min(max_size, std::max<size_t>(compressed.size() * 4, 4096)));
  size_t produced = 0;
  int rc = Z_OK;
  bool too_large = false;
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= max_size) {
        // Full: one more byte of output means the body is over the limit.
        char probe;
        stream.next_out = reinterpret_cast<Bytef*>(&probe);
        stream.avail_out = 1;
        rc = inflate(&stream, Z_NO_FLUSH);
        too_large = stream.avail_out == 0;
        break;
      }
      out.resize(std::min(max_size, out.size() * 2));
    }
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream.avail_out = static_cast<uInt>(std::min(out.size() - produced, kMaxChunk));
    uInt before = stream.avail_out;
    rc = inflate(&stream, Z_NO_FLUSH);
    produced += before - stream.avail_out;
    if (rc != Z_OK) break;  // Z_STREAM_END, or an error, or no progress possible
  }
  std::string zlib_message = stream.msg ? stream.msg : "";
  size_t trailing = stream.avail_in;
  inflateEnd(&stream);
  if (too_large) {
    return FrameError("inflated body exceeds the limit of " + std::to_string(max_size) + " bytes");
  }
  if (rc == Z_BUF_ERROR) return FrameError("truncated zlib stream");
  if (rc != Z_STREAM_END) {
    return FrameError("bad zlib stream" + (zlib_message.empty() ? "" : " (" + zlib_message + ")"));
  }
  if (trailing != 0) return FrameError(std::to_string(trailing) + " bytes after the zlib stream");
  out.resize(produced);
  return out;
}

base::Result<std::string> Deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                     Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) return base::Internal("encode frame: zlib compress failed");
  out.resize(size);
  return out;
}

}  // namespace

base::Result<std::string> EncodeFrame(const Node& node, FrameCompression compression) {
  if (compression == FrameCompression::kNone) {
    std::string out(1, '\0');
    out.reserve(256);
    WAGATE_RETURN_IF_ERROR(EncodeNodeTo(node, &out));
    return out;
  }
  WAGATE_ASSIGN_OR_RETURN(std::string body, EncodeNode(node));
  WAGATE_ASSIGN_OR_RETURN(std::string compressed, Deflate(body));
  std::string out(1, static_cast<char>(kFrameFlagCompressed));
  out += compressed;
  return out;
}

base::Result<std::string> FrameBody(std::string_view payload, const DecodeLimits& limits) {
  if (payload.empty()) return FrameError("empty payload");
  uint8_t flags = static_cast<uint8_t>(payload[0]);
  std::string_view body = payload.substr(1);
  if (flags & kFrameFlagCompressed) return Inflate(body, limits.max_body_size);
  return std::string(body);
}

namespace {

base::Result<Node> DecodeCompressed(std::string_view payload, const DecodeLimits& limits) {
  WAGATE_ASSIGN_OR_RETURN(std::string body, Inflate(payload.substr(1), limits.max_body_size));
  return DecodeNodeShared(std::make_shared<const std::string>(std::move(body)), limits);
}

bool IsCompressed(std::string_view payload) {
  return static_cast<uint8_t>(payload[0]) & kFrameFlagCompressed;
}

}  // namespace

base::Result<Node> DecodeFrame(std::string_view payload, const DecodeLimits& limits) {
  if (payload.empty()) return FrameError("empty payload");
  if (IsCompressed(payload)) return DecodeCompressed(payload, limits);
  return DecodeNode(payload.substr(1), limits);
}

base::Result<Node> DecodeFrameShared(std::shared_ptr<const std::string> payload,
                                     const DecodeLimits& limits) {
  std::string_view view(*payload);
  if (view.empty()) return FrameError("empty payload");
  if (IsCompressed(view)) return DecodeCompressed(view, limits);
  return DecodeNodeShared(payload, view.substr(1), limits);
}

}  // namespace wa::binary
