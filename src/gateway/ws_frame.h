// WebSocket framing (RFC 6455 section 5) for the server side of the
// gateway's WebSocket transport, sans-IO: headers are encoded into caller
// memory and client frames are parsed incrementally from whatever bytes the
// socket returned. websocket.cc does the I/O.
//
// Why our own framing after Beast's handshake: Beast's websocket::stream
// writes one message per call (one send per message per client); fan-out
// needs every queued frame of a connection in one gathered write, and a
// broadcast event framed once for all clients (server frames are unmasked
// and permessage-deflate is off, so the bytes are the same for everyone).
//
// No extension is negotiated: any RSV bit is a protocol error.
//
// Thread safety: functions are pure; a FrameParser is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gateway::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close status codes (RFC 6455 section 7.4.1) the server sends.
enum class CloseCode : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kNoStatus = 1005,  // never sent: "the close frame had no code"
  kInvalidPayload = 1007,
  kTooBig = 1009,
  kTryAgainLater = 1013,
};

// 2 bytes, + 2 or 8 of extended length, + 4 of mask.
inline constexpr size_t kMaxHeaderSize = 14;
// Control frames carry at most this much (RFC 6455 section 5.5).
inline constexpr size_t kMaxControlPayload = 125;

// Writes the header of one final (FIN) frame into `out` (kMaxHeaderSize
// bytes) and returns its size. With `mask` (4 bytes) the MASK bit and key
// are written (a client's frame); the caller masks the payload itself.
size_t EncodeHeader(Opcode opcode, uint64_t payload_size, uint8_t* out,
                    const uint8_t* mask = nullptr);

// A whole unmasked frame: header + payload.
std::string EncodeFrame(Opcode opcode, std::string_view payload);
void AppendFrame(std::string& out, Opcode opcode, std::string_view payload);

// The payload of a close frame: the code (big-endian) and a reason cut to
// fit a control frame.
std::string ClosePayload(CloseCode code, std::string_view reason = {});

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF). Text messages must be.
bool IsValidUtf8(std::string_view text);

// Incremental parser of the frames a client sends. Feed it what the socket
// returned, in order; it returns one event at a time.
//
//   FrameParser parser(max_message);
//   std::string_view in = bytes_read;
//   for (;;) {
//     auto event = parser.Next(in);
//     if (event == FrameParser::Event::kNeedMore) break;
//     ... handle it; on kError / kClose stop reading
//   }
//
// Enforced: client frames are masked; control frames are final and <= 125
// bytes; continuations only inside a fragmented message and data frames
// only outside one; lengths in minimal form with the top bit clear; a
// message (all its fragments) <= max_message bytes, checked from the
// headers before the payload is buffered; text messages are valid UTF-8;
// close frames carry no code, or a valid code and a UTF-8 reason.
// After kError the parser stays failed.
class FrameParser {
 public:
  enum class Event {
    kNeedMore,  // every byte of `in` was consumed
    kMessage,   // a complete text or binary message: binary(), message()
    kPing,      // control(): the payload to echo in a pong
    kPong,
    kClose,  // close_code() (kNoStatus when absent), control() holds the reason
    kError,  // error(), error_code(): fail the connection
  };

  // `require_mask`: false only to parse a server's frames (tests, clients).
  explicit FrameParser(size_t max_message, bool require_mask = true);

  // Consumes bytes from the front of `in` up to the end of one event.
  Event Next(std::string_view& in);

  bool binary() const { return binary_; }
  // The message of the last kMessage, valid until the next call to Next.
  const std::string& message() const { return message_; }
  const std::string& control() const { return control_; }
  uint16_t close_code() const { return close_code_; }
  CloseCode error_code() const { return error_code_; }
  const std::string& error() const { return error_; }

  // Gives back buffer capacity above `keep` bytes (after a large message),
  // so an idle connection holds little memory.
  void ShrinkTo(size_t keep);

 private:
  enum class State { kHeader, kPayload, kFailed };

  Event Fail(CloseCode code, std::string reason);
  // The header in header_ is complete: validate it and start the payload.
  Event StartPayload();
  Event FinishFrame();

  const size_t max_message_;
  const bool require_mask_;
  State state_ = State::kHeader;

  // The frame being read.
  uint8_t header_[kMaxHeaderSize] = {};
  uint8_t header_have_ = 0;
  uint8_t header_need_ = 2;
  bool fin_ = false;
  Opcode opcode_ = Opcode::kContinuation;
  uint8_t mask_[4] = {};
  bool masked_ = false;
  uint64_t remaining_ = 0;    // payload bytes still to read
  uint64_t mask_offset_ = 0;  // payload bytes already read (mask phase)

  // The message being assembled across fragments.
  bool in_message_ = false;
  bool binary_ = false;
  std::string message_;
  bool message_ready_ = false;  // message_ holds the last delivered message

  std::string control_;
  uint16_t close_code_ = 0;
  CloseCode error_code_ = CloseCode::kProtocolError;
  std::string error_;
};

}  // namespace gateway::ws
