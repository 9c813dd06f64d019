// Frame payloads after the Noise handshake [whatsapp-protocol.md §1.3]: one
// flags byte, then one node body, zlib-compressed (RFC 1950) when
// flags & 0x02. (The 3-byte length framing and AES-GCM belong to wa/noise.)
//
// Decoding inflates at most DecodeLimits::max_body_size bytes, so a small
// compressed frame cannot expand into gigabytes. Errors are InvalidArgument
// "decode frame: ..." for the payload and the zlib stream, and the node
// decoder's "decode node: ... at byte N" (N counted in the body) for the node.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/binary/decoder.h"
#include "wa/binary/node.h"

namespace wa::binary {

inline constexpr uint8_t kFrameFlagCompressed = 0x02;

enum class FrameCompression { kNone, kZlib };

// flags ‖ body. Baileys always sends flags 0 [§1.3]; kZlib (flags 2) is for
// large server stanzas and for tests.
base::Result<std::string> EncodeFrame(const Node& node,
                                      FrameCompression compression = FrameCompression::kNone);

// The node body of a frame payload: the bytes after the flags byte, inflated
// when compressed. Other flag bits are ignored, as Baileys does.
base::Result<std::string> FrameBody(std::string_view payload, const DecodeLimits& limits = {});

// FrameBody + DecodeNode. Large byte content of a compressed frame shares the
// inflated buffer; that of an uncompressed frame is copied out of `payload`.
base::Result<Node> DecodeFrame(std::string_view payload, const DecodeLimits& limits = {});

// Zero-copy DecodeFrame: large byte content of an uncompressed frame is a
// slice of *payload (see DecodeNodeShared). REQUIRES: payload != nullptr.
base::Result<Node> DecodeFrameShared(std::shared_ptr<const std::string> payload,
                                     const DecodeLimits& limits = {});

}  // namespace wa::binary
