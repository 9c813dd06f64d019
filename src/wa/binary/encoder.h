// Encoder: Node → WABinary bytes [whatsapp-protocol.md §4.1–4.5].
//
// The output is byte-identical to Baileys 7 `encodeBinaryNode` (minus its
// leading flags byte) for the same node, given that Baileys sees JID-typed
// values as their text form and we see them typed, with these deliberate
// differences (all cases where Baileys' output is lossy or wrong):
//   * we never turn a string containing '@' into a JID (Baileys does, §4.3);
//   * `user:device@msgr` → FB_JID and `integrator-user:device@interop` →
//     INTEROP_JID, as whatsmeow does (Baileys writes AD_JID and loses the server);
//   * strings named like Object.prototype members ("constructor", "toString",
//     "__proto__", ...) are written as themselves; Baileys' TOKEN_MAP lookup
//     finds the prototype member and writes a lone 00 byte.
// String order (§4.3): "" → BINARY_8 len 0; token (single, then double);
// 1..127 chars of [0-9.-] → NIBBLE_8; 1..127 chars of [0-9A-F] → HEX_8; else raw
// BINARY_8 (< 256 bytes), BINARY_20 (< 2^20), BINARY_32.
//
// Errors (InvalidArgument "encode node: ..."): empty tag, more than 65535 list
// items (attributes count twice), an invalid Jid (Jid::IsValid), byte content
// or strings of 2^32 bytes or more.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::binary {

// Appends the encoding of `node` to *out. On error *out is left unchanged.
base::Status EncodeNodeTo(const Node& node, std::string* out);

// The encoding of `node` (no flags byte; see frame.h for frame payloads).
base::Result<std::string> EncodeNode(const Node& node);

}  // namespace wa::binary
