// Small builders and readers for the stanzas the simulator exchanges, so the
// handlers read like the protocol document. The server JID is always typed
// (`@s.whatsapp.net` as JID_PAIR with empty user, fa 00 03): Baileys compares
// `from` with that string [whatsapp-protocol.md §4.5, §14.1 item 1].
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace sim {

using wa::binary::Node;

inline wa::Jid ServerJid() { return wa::Jid("", std::string(wa::kUserServer)); }

// A node with byte content.
inline Node BytesNode(std::string tag, std::string bytes) {
  return Node(std::move(tag), {}, wa::binary::Bytes(std::move(bytes)));
}

// <iq from='@s.whatsapp.net' type='result' id='<iq id>'/>.
Node ResultFor(const Node& iq);
// <iq from type='error' id><error code text/></iq> [§7.2].
Node ErrorFor(const Node& iq, int code, std::string_view text);

// Text or byte content as bytes (a peer may send either: e.g. the pairing
// nonce is the token '0' from Baileys and a byte 00 from whatsmeow, §6.1).
std::optional<std::string> ContentBytes(const Node& node);
// ContentBytes of the child `tag`.
std::optional<std::string> ChildBytes(const Node& node, std::string_view tag);

// Big-endian unsigned integers of 1..4 bytes (<registration> is 4, ids 3).
std::string BigEndian(uint32_t value, size_t size);
std::optional<uint32_t> ParseBigEndian(std::string_view bytes);

}  // namespace sim
