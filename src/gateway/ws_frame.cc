#include "gateway/ws_frame.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace gateway::ws {
namespace {

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kRsvBits = 0x70;
constexpr uint8_t kMaskBit = 0x80;

bool IsControl(Opcode opcode) { return static_cast<uint8_t>(opcode) >= 0x8; }

bool KnownOpcode(uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

// RFC 6455 section 7.4: codes a peer may send. 1004-1006 and 1015 are
// reserved (1005/1006 mean "none" and "abnormal" locally), 1016-2999 are
// unassigned, 3000-4999 belong to libraries and applications.
bool ValidCloseCode(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

}  // namespace

size_t EncodeHeader(Opcode opcode, uint64_t payload_size, uint8_t* out, const uint8_t* mask) {
  out[0] = kFin | static_cast<uint8_t>(opcode);
  const uint8_t mask_bit = mask != nullptr ? kMaskBit : 0;
  size_t n = 2;
  if (payload_size < 126) {
    out[1] = mask_bit | static_cast<uint8_t>(payload_size);
  } else if (payload_size <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<uint8_t>(payload_size >> 8);
    out[3] = static_cast<uint8_t>(payload_size);
    n = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_size >> (56 - 8 * i));
    n = 10;
  }
  if (mask != nullptr) {
    std::memcpy(out + n, mask, 4);
    n += 4;
  }
  return n;
}

void AppendFrame(std::string& out, Opcode opcode, std::string_view payload) {
  uint8_t header[kMaxHeaderSize];
  const size_t n = EncodeHeader(opcode, payload.size(), header);
  out.append(reinterpret_cast<const char*>(header), n);
  out.append(payload);
}

std::string EncodeFrame(Opcode opcode, std::string_view payload) {
  std::string out;
  out.reserve(kMaxHeaderSize + payload.size());
  AppendFrame(out, opcode, payload);
  return out;
}

std::string ClosePayload(CloseCode code, std::string_view reason) {
  const auto value = static_cast<uint16_t>(code);
  std::string out;
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value & 0xFF);
  // Cut on a character boundary so the reason stays valid UTF-8.
  size_t keep = std::min(reason.size(), kMaxControlPayload - 2);
  while (keep > 0 && keep < reason.size() && (static_cast<uint8_t>(reason[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  out.append(reason.substr(0, keep));
  return out;
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // ASCII runs are the common case: skip eight bytes at a time.
    if (end - p >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, C0/C1 (overlong), or F5+
    }
    if (static_cast<size_t>(end - p) < len) return false;
    for (size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // surrogates are not characters
    p += len;
  }
  return true;
}

FrameParser::FrameParser(size_t max_message, bool require_mask)
    : max_message_(max_message), require_mask_(require_mask) {}

FrameParser::Event FrameParser::Fail(CloseCode code, std::string reason) {
  state_ = State::kFailed;
  error_code_ = code;
  error_ = std::move(reason);
  return Event::kError;
}

void FrameParser::ShrinkTo(size_t keep) {
  if (message_.capacity() > keep && (message_ready_ || !in_message_)) {
    message_.clear();
    message_ready_ = false;
    message_.shrink_to_fit();
  }
}

FrameParser::Event FrameParser::Next(std::string_view& in) {
  if (state_ == State::kFailed) return Event::kError;
  if (message_ready_) {
    message_.clear();
    message_ready_ = false;
  }
  for (;;) {
    if (state_ == State::kHeader) {
      while (header_have_ < header_need_ && !in.empty()) {
        header_[header_have_++] = static_cast<uint8_t>(in.front());
        in.remove_prefix(1);
        if (header_have_ == 2) {
          // The second byte tells how long the header is.
          const uint8_t len7 = header_[1] & 0x7F;
          header_need_ = 2 +
                         (len7 == 126   ? 2
                          : len7 == 127 ? 8
                                        : 0) +
                         ((header_[1] & kMaskBit) != 0 ? 4 : 0);
        }
      }
      if (header_have_ < header_need_) return Event::kNeedMore;
      const Event event = StartPayload();
      if (event != Event::kNeedMore) return event;
      continue;
    }
    // kPayload
    if (in.empty()) return Event::kNeedMore;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
    std::string& dest = IsControl(opcode_) ? control_ : message_;
    const size_t old = dest.size();
    dest.append(in.data(), take);
    if (masked_) {
      char* p = dest.data() + old;
      for (size_t i = 0; i < take; ++i) p[i] ^= static_cast<char>(mask_[(mask_offset_ + i) & 3]);
    }
    mask_offset_ += take;
    remaining_ -= take;
    in.remove_prefix(take);
    if (remaining_ == 0) {
      const Event event = FinishFrame();
      if (event != Event::kNeedMore) return event;
    }
  }
}

FrameParser::Event FrameParser::StartPayload() {
  const uint8_t b0 = header_[0];
  const uint8_t b1 = header_[1];
  header_have_ = 0;
  header_need_ = 2;
  if ((b0 & kRsvBits) != 0) {
    return Fail(CloseCode::kProtocolError, "reserved bits set (no extension was negotiated)");
  }
  const uint8_t op = b0 & 0x0F;
  if (!KnownOpcode(op)) return Fail(CloseCode::kProtocolError, fmt::format("opcode {:#x}", op));
  fin_ = (b0 & kFin) != 0;
  opcode_ = static_cast<Opcode>(op);
  masked_ = (b1 & kMaskBit) != 0;
  if (require_mask_ && !masked_) return Fail(CloseCode::kProtocolError, "unmasked client frame");

  const uint8_t len7 = b1 & 0x7F;
  size_t pos = 2;
  uint64_t length = len7;
  if (len7 == 126) {
    length = (uint64_t{header_[2]} << 8) | header_[3];
    pos = 4;
    if (length < 126) return Fail(CloseCode::kProtocolError, "frame length not in minimal form");
  } else if (len7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
    pos = 10;
    if ((length >> 63) != 0) return Fail(CloseCode::kProtocolError, "frame length top bit set");
    if (length <= 0xFFFF)
      return Fail(CloseCode::kProtocolError, "frame length not in minimal form");
  }
  if (masked_) std::memcpy(mask_, header_ + pos, 4);

  if (IsControl(opcode_)) {
    if (!fin_) return Fail(CloseCode::kProtocolError, "fragmented control frame");
    if (length > kMaxControlPayload) {
      return Fail(CloseCode::kProtocolError, "control frame over 125 bytes");
    }
    control_.clear();
  } else {
    if (opcode_ == Opcode::kContinuation) {
      if (!in_message_) return Fail(CloseCode::kProtocolError, "continuation without a message");
    } else {
      if (in_message_) {
        return Fail(CloseCode::kProtocolError, "new message inside a fragmented message");
      }
      in_message_ = true;
      binary_ = opcode_ == Opcode::kBinary;
      message_.clear();
    }
    if (length > max_message_ - message_.size()) {
      return Fail(CloseCode::kTooBig, fmt::format("message over {} bytes", max_message_));
    }
    message_.reserve(message_.size() + static_cast<size_t>(length));
  }
  remaining_ = length;
  mask_offset_ = 0;
  state_ = State::kPayload;
  if (remaining_ == 0) return FinishFrame();
  return Event::kNeedMore;
}

FrameParser::Event FrameParser::FinishFrame() {
  state_ = State::kHeader;
  switch (opcode_) {
    case Opcode::kPing:
      return Event::kPing;
    case Opcode::kPong:
      return Event::kPong;
    case Opcode::kClose: {
      if (control_.empty()) {
        close_code_ = static_cast<uint16_t>(CloseCode::kNoStatus);
        return Event::kClose;
      }
      if (control_.size() == 1) return Fail(CloseCode::kProtocolError, "1-byte close payload");
      close_code_ = static_cast<uint16_t>((static_cast<uint8_t>(control_[0]) << 8) |
                                          static_cast<uint8_t>(control_[1]));
      if (!ValidCloseCode(close_code_)) {
        return Fail(CloseCode::kProtocolError, fmt::format("close code {}", close_code_));
      }
      control_.erase(0, 2);
      if (!IsValidUtf8(control_)) {
        return Fail(CloseCode::kInvalidPayload, "close reason is not UTF-8");
      }
      return Event::kClose;
    }
    default:
      break;
  }
  if (!fin_) return Event::kNeedMore;  // more fragments follow
  in_message_ = false;
  if (!binary_ && !IsValidUtf8(message_)) {
    return Fail(CloseCode::kInvalidPayload, "text message is not UTF-8");
  }
  message_ready_ = true;
  return Event::kMessage;
}

}  // namespace gateway::ws
