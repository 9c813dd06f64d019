// wa::iq — builders and parsers for the IQ stanzas the connection lifecycle
// needs [whatsapp-protocol.md §5–7]. Every request builder returns the <iq>
// without an id (the client assigns ids when it sends); every parser takes
// the reply (or the server's request) as decoded and never trusts it: a
// missing or malformed part is kInvalidArgument naming it.
//
// This header: what every IQ shares — the envelope, the result reply to a
// server request, the <ack> of a notification, and the error reply parser.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::iq {

using binary::Node;

// <iq to='@s.whatsapp.net' type=TYPE xmlns=XMLNS>children</iq>; the server
// JID is JID-typed so it is encoded as JID_PAIR [§14.1 item 1].
Node NewIq(std::string_view type, std::string_view xmlns, std::vector<Node> children = {});

// A child with byte content, e.g. <registration>u32be</registration>.
Node BytesNode(std::string tag, std::string bytes);

// <iq to='@s.whatsapp.net' type='result' id=ID/>, the reply to a server iq.
Node ResultReply(std::string_view id);

// <ack id to class [type]/> for a server notification [§7.5, stanza-ack].
// kInvalidArgument when the stanza has no id.
base::Result<Node> BuildAck(const Node& stanza);

struct IqError {
  int code = 0;  // 0 when the reply had no numeric code
  std::string text;
};

// The <error code text> of a reply, when it has one (Baileys treats any
// <error> child as failure, §7.2).
std::optional<IqError> FindIqError(const Node& reply);

// OK for a type='result' reply without <error>. An error reply gives
// kNotFound (code 404) or kFailedPrecondition (any other code), with
// "iq error CODE: TEXT"; a reply that is no iq, or of another type, is
// kInvalidArgument.
base::Status CheckIqResult(const Node& reply);

// Big-endian fixed-width integers as WhatsApp puts them in byte nodes
// (u32be registration id, u24be key ids, §3.2, §7.2).
std::string EncodeBigEndian(uint32_t value, int width);
// REQUIRES nothing: kInvalidArgument unless bytes is 1..4 bytes long.
base::Result<uint32_t> DecodeBigEndian(std::string_view bytes);

// The text of a node's content whether the encoder stored it as a string or
// as bytes (the wire form depends on the value, §4.3); nullopt when it has
// neither.
std::optional<std::string> ContentText(const Node& node);

}  // namespace wa::iq
