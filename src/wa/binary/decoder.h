// Decoder: WABinary bytes → Node [whatsapp-protocol.md §4.1–4.5].
//
// Accepts everything Baileys 7 `decodeDecompressedBinaryNode` accepts and
// produces the same tree, with these differences:
//   * JIDs become typed Jid values when their parts fit the JID grammar
//     (Jid::IsValidUser, a non-empty server without '@'; FB_JID only on `msgr`,
//     INTEROP_JID only on `interop`); other JIDs — which only a peer writing
//     strings with several '@' or ':' produces — decode as the string Baileys
//     shows. In tag and attribute-key positions JIDs are always that string.
//     Typed JIDs print like Baileys' strings except `:0` for an AD_JID with
//     device 0 and `_<agent>` for an unknown AD_JID domain byte (see jid.h).
//   * Stricter, where Baileys reads garbage: trailing bytes after the node, a
//     JID nested inside a JID, and INTEROP_JID without its server are errors.
//   * Limits below bound depth, size and memory.
// Every malformed or over-limit input is InvalidArgument
// "decode node: <what> at byte <offset>"; no input can crash the decoder or
// make it allocate more than a small multiple of the limits.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::binary {

struct DecodeLimits {
  // Nesting of nodes; the root is level 1.
  uint32_t max_depth = 64;
  // Attributes of one node (real stanzas have < 20).
  uint32_t max_attrs = 256;
  // Children of one node (LIST_16 caps it at 65535 anyway).
  uint32_t max_children = 65535;
  // Nodes plus attributes in one tree: bounds memory, since a node costs ~3
  // bytes on the wire but ~160 bytes decoded (an attribute ~2 and ~110).
  uint32_t max_elements = 1u << 18;
  // Size of a node body, for frames after inflating: a frame is < 2^24 bytes
  // [§1.2]; a compressed one may not inflate past this either (zip bombs).
  size_t max_body_size = size_t{1} << 24;
};

// Decodes exactly one node filling all of `body` (no flags byte). The node
// owns copies of everything, in the one arena its root owns (node.h).
base::Result<Node> DecodeNode(std::string_view body, const DecodeLimits& limits = {});

// Byte content at least this long is shared rather than copied by the
// *Shared decoders; shorter content is cheaper to copy than to share.
inline constexpr size_t kMinSharedBytes = 128;

// Zero-copy decoding of `body`, a part of *owner (all of it in the first
// form): byte content of kMinSharedBytes or more becomes a Bytes slice of
// *owner, which the node then keeps alive (bytes.h).
// REQUIRES: owner != nullptr; `body` lies inside *owner.
base::Result<Node> DecodeNodeShared(std::shared_ptr<const std::string> owner,
                                    const DecodeLimits& limits = {});
base::Result<Node> DecodeNodeShared(const std::shared_ptr<const std::string>& owner,
                                    std::string_view body, const DecodeLimits& limits = {});

}  // namespace wa::binary
