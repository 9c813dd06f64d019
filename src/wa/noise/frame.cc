#include "wa/noise/frame.h"

#include "base/encoding.h"

namespace wa::noise {
namespace {

void AppendU24(std::string& out, size_t n) {
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
}

size_t ReadU24(std::string_view b) {
  return (size_t{static_cast<uint8_t>(b[0])} << 16) | (size_t{static_cast<uint8_t>(b[1])} << 8) |
         size_t{static_cast<uint8_t>(b[2])};
}

constexpr size_t kEdBlockHeaderSize = 4 + 3;  // magic + u24be length

}  // namespace

base::Result<std::string> EncodeIntro(std::string_view routing_info) {
  std::string out;
  if (!routing_info.empty()) {
    if (routing_info.size() > kMaxFrameSize) {
      return base::InvalidArgument("noise: intro: routing info of " +
                                   std::to_string(routing_info.size()) + " bytes is too long");
    }
    out.reserve(kEdBlockHeaderSize + routing_info.size() + kWaHeader.size());
    out.append(kEdMagic);
    AppendU24(out, routing_info.size());
    out.append(routing_info);
  }
  out.append(kWaHeader);
  return out;
}

base::Result<std::string> EncodeFrame(std::string_view payload) {
  if (payload.size() > kMaxFrameSize) {
    return base::InvalidArgument("noise: frame: payload of " + std::to_string(payload.size()) +
                                 " bytes exceeds the 2^24-1 limit");
  }
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  AppendU24(out, payload.size());
  out.append(payload);
  return out;
}

base::Result<std::optional<Intro>> ParseIntro(std::string_view data, size_t max_routing_info) {
  Intro intro;
  size_t pos = 0;
  // Decide on the first bytes available so that garbage fails early.
  auto prefix_matches = [&](std::string_view magic) {
    std::string_view have = data.substr(pos, magic.size());
    return magic.substr(0, have.size()) == have;
  };
  if (data.size() >= 1 && data[0] == kEdMagic[0]) {
    if (!prefix_matches(kEdMagic)) {
      return base::InvalidArgument("noise: intro: bad ED routing block magic " +
                                   base::HexEncode(data.substr(0, kEdMagic.size())));
    }
    if (data.size() < kEdBlockHeaderSize) return std::optional<Intro>();
    size_t len = ReadU24(data.substr(kEdMagic.size()));
    if (len > max_routing_info) {
      return base::ResourceExhausted("noise: intro: routing info of " + std::to_string(len) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(max_routing_info));
    }
    if (data.size() < kEdBlockHeaderSize + len) return std::optional<Intro>();
    intro.routing_info = std::string(data.substr(kEdBlockHeaderSize, len));
    pos = kEdBlockHeaderSize + len;
  }
  if (!prefix_matches(kWaHeader)) {
    return base::InvalidArgument("noise: intro: expected WA header 57410603, got " +
                                 base::HexEncode(data.substr(pos, kWaHeader.size())));
  }
  if (data.size() < pos + kWaHeader.size()) return std::optional<Intro>();
  intro.size = pos + kWaHeader.size();
  return std::optional<Intro>(std::move(intro));
}

FrameWriter FrameWriter::Client(std::string routing_info) {
  return FrameWriter(true, std::move(routing_info));
}

FrameWriter FrameWriter::Server() { return FrameWriter(false, {}); }

base::Result<std::string> FrameWriter::Write(std::string_view payload) {
  WAGATE_ASSIGN_OR_RETURN(std::string frame, EncodeFrame(payload));
  if (!intro_pending_) return frame;
  WAGATE_ASSIGN_OR_RETURN(std::string out, EncodeIntro(routing_info_));
  out.append(frame);
  intro_pending_ = false;
  return out;
}

FrameReader FrameReader::Server(FrameReaderLimits limits) { return FrameReader(true, limits); }

FrameReader FrameReader::Client(FrameReaderLimits limits) { return FrameReader(false, limits); }

base::Result<std::vector<std::string>> FrameReader::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  buffer_.append(bytes);
  std::vector<std::string> frames;
  size_t consumed = 0;
  auto fail = [&](base::Status status) {
    error_ = std::move(status);
    buffer_.clear();
    buffer_.shrink_to_fit();
    return error_;
  };

  if (expect_intro_ && !intro_) {
    auto parsed = ParseIntro(buffer_, limits_.max_routing_info);
    if (!parsed.ok()) return fail(parsed.status());
    if (!parsed->has_value()) return frames;
    intro_ = std::move(**parsed);
    consumed = intro_->size;
  }

  std::string_view rest = std::string_view(buffer_).substr(consumed);
  while (rest.size() >= kFrameHeaderSize) {
    size_t len = ReadU24(rest);
    if (len > limits_.max_frame_size) {
      return fail(base::ResourceExhausted("noise: frame: length " + std::to_string(len) +
                                          " exceeds the limit of " +
                                          std::to_string(limits_.max_frame_size)));
    }
    if (rest.size() < kFrameHeaderSize + len) break;
    frames.emplace_back(rest.substr(kFrameHeaderSize, len));
    rest.remove_prefix(kFrameHeaderSize + len);
    consumed += kFrameHeaderSize + len;
  }
  buffer_.erase(0, consumed);
  return frames;
}

}  // namespace wa::noise
