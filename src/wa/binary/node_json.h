// The JSON form of a Node (docs/node-json.md), for wa-tool, the interop peer
// and test vectors:
//
//   {"tag": "iq",
//    "attrs": {"id": "1", "to": {"jid": "@s.whatsapp.net"}},
//    "content": null | "text" | {"hex": "0a0b"} | {"jid": "1555...@s.whatsapp.net"}
//               | [ <node>, ... ]}
//
// Attribute values are JSON strings (string-typed) or {"jid": text}
// (JID-typed); attribute order is kept. NodeToJson always writes all three
// keys; NodeFromJson requires "tag" and treats missing "attrs"/"content" as
// empty/none, and rejects anything else (unknown keys, a {"jid"} that does not
// parse, bad hex) with InvalidArgument "node json: <path>: <what>".
//
// Strings that are not valid UTF-8 (possible only in nodes built by hand, never
// in decoded ones) are written with U+FFFD replacements.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::binary {

boost::json::value NodeToJson(const Node& node);
base::Result<Node> NodeFromJson(const boost::json::value& json);

// Compact JSON text.
std::string NodeToJsonText(const Node& node);
// Parses JSON text (nesting up to kMaxJsonDepth) and then NodeFromJson.
base::Result<Node> NodeFromJsonText(std::string_view text);

// Deep enough for nodes nested DecodeLimits::max_depth (64) levels: each
// level costs two JSON levels (the node object and its content array).
inline constexpr int kMaxJsonDepth = 256;

}  // namespace wa::binary
