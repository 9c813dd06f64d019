// Noise frame codec [whatsapp-protocol.md §1.2]: every frame on the socket is
// u24be(length) ‖ payload, at most 2^24-1 payload bytes. The client puts an
// intro header in front of its first frame only: the 4-byte WA header
// 57 41 06 03 ('W' 'A', protocol magic 6, dictionary version 3), preceded,
// when the client has edge routing info, by the ED block
// 45 44 00 01 ‖ u24be(len) ‖ routing_info. Only the WA header enters the Noise
// prologue (§2.1); a server skips the ED block. The server sends no intro.
//
// Sans-IO: FrameWriter turns payloads into bytes to write, FrameReader turns
// received bytes (split or coalesced in any way) into payloads.
// Errors: kInvalidArgument "noise: intro: ..." for a bad intro header,
// kResourceExhausted "noise: frame: ..." for a frame or routing block above
// its bound. After an error a FrameReader stays failed (the stream cannot
// resynchronise); every later Feed returns the same error.
// Thread safety: FrameWriter and FrameReader are used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wa::noise {

// 'W' 'A' 6 3 [whatsapp-protocol.md §1.2; Baileys Defaults NOISE_WA_HEADER].
inline constexpr std::string_view kWaHeader{"WA\x06\x03", 4};
// 'E' 'D' 0 1, then u24be length and the routing info [§1.2].
inline constexpr std::string_view kEdMagic{"ED\x00\x01", 4};
inline constexpr size_t kFrameHeaderSize = 3;
inline constexpr size_t kMaxFrameSize = (size_t{1} << 24) - 1;
// Real routing info is a few dozen bytes; the bound keeps a hostile intro
// from making a server buffer 16 MiB before the first frame.
inline constexpr size_t kMaxRoutingInfoSize = 4096;

// The intro a client sends: [ED block ‖] WA header.
// REQUIRES: routing_info.size() <= kMaxFrameSize (else kInvalidArgument).
base::Result<std::string> EncodeIntro(std::string_view routing_info = {});

// u24be(payload.size()) ‖ payload. kInvalidArgument when above kMaxFrameSize.
base::Result<std::string> EncodeFrame(std::string_view payload);

struct Intro {
  size_t size = 0;           // bytes the intro occupies at the start of the stream
  std::string routing_info;  // empty when there was no ED block
};

// Server side: parses the intro at the start of `data`. nullopt when more
// bytes are needed; kInvalidArgument when the bytes are not an ED block and/or
// the WA header 57 41 06 03; kResourceExhausted when the routing info is
// longer than max_routing_info.
base::Result<std::optional<Intro>> ParseIntro(std::string_view data,
                                              size_t max_routing_info = kMaxRoutingInfoSize);

class FrameWriter {
 public:
  // Prepends the intro (with the ED block when routing_info is non-empty) to
  // the first frame.
  static FrameWriter Client(std::string routing_info = {});
  // Never writes an intro.
  static FrameWriter Server();

  base::Result<std::string> Write(std::string_view payload);

 private:
  FrameWriter(bool intro, std::string routing_info)
      : intro_pending_(intro), routing_info_(std::move(routing_info)) {}
  bool intro_pending_;
  std::string routing_info_;
};

struct FrameReaderLimits {
  size_t max_frame_size = kMaxFrameSize;  // REQUIRES: <= kMaxFrameSize
  size_t max_routing_info = kMaxRoutingInfoSize;
};

class FrameReader {
 public:
  // Reads what a server receives: the client's intro, then frames.
  static FrameReader Server(FrameReaderLimits limits = {});
  // Reads what a client receives: frames only.
  static FrameReader Client(FrameReaderLimits limits = {});

  // Appends `bytes` and returns every frame payload completed by them, in
  // order. Only an incomplete frame (at most 3 + max_frame_size bytes) or an
  // incomplete intro stays buffered between calls.
  base::Result<std::vector<std::string>> Feed(std::string_view bytes);

  // The routing info of the client's ED block, once the intro was read.
  const std::optional<Intro>& intro() const { return intro_; }
  size_t buffered() const { return buffer_.size(); }

 private:
  FrameReader(bool expect_intro, FrameReaderLimits limits)
      : expect_intro_(expect_intro), limits_(limits) {}
  bool expect_intro_;
  FrameReaderLimits limits_;
  std::optional<Intro> intro_;
  std::string buffer_;  // bytes of the incomplete intro or frame
  base::Status error_;
};

}  // namespace wa::noise
