// wa::binary::Node — one element of the WhatsApp binary XML ("WABinary"):
// a tag, ordered attributes and optional content [whatsapp-protocol.md §4.1].
//
//   * Attribute values are strings or JIDs, and a Node remembers which: a
//     JID-typed value is encoded as JID_PAIR / AD_JID / FB_JID / INTEROP_JID, a
//     string never is (§4.5: "encode every JID-valued attribute as JID"). Unlike
//     Baileys, which turns any string containing '@' into a JID, we never guess.
//   * Content is nothing, a text string (tokens / packed / raw on the wire),
//     raw bytes (BINARY_8/20/32, what Baileys reads as a Buffer; see bytes.h), a JID, or a
//     list of child nodes (possibly empty: `<x></x>` differs from `<x/>`).
//   * Attribute order is insertion order; keys are unique in decoded nodes
//     (a repeated key on the wire keeps its first position and its last value,
//     as Baileys' object assignment does).
//   * Strings in decoded nodes are valid UTF-8 (raw strings are decoded the way
//     Node's Buffer.toString('utf8') does, with U+FFFD for bad sequences); bytes
//     content is kept verbatim.
//
// Thread safety: a value type; const methods are safe to call concurrently.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "wa/binary/bytes.h"
#include "wa/types/jid.h"

namespace wa::binary {

using AttrValue = std::variant<std::string, Jid>;

struct Attr {
  // User-provided, so that emplace_back() does not zero the object first.
  Attr() {}
  Attr(std::string k, AttrValue v) : key(std::move(k)), value(std::move(v)) {}

  std::string key;
  AttrValue value;
  friend bool operator==(const Attr&, const Attr&) = default;
};

struct Node;
// monostate: no content; std::string: text; Bytes: raw bytes; Jid; children.
using Content = std::variant<std::monostate, std::string, Bytes, Jid, std::vector<Node>>;

struct Node {
  std::string tag;
  std::vector<Attr> attrs;
  Content content;

  Node() {}  // user-provided, so that emplace_back() does not zero the object first
  explicit Node(std::string tag_name) : tag(std::move(tag_name)) {}
  Node(std::string tag_name, std::vector<Attr> attributes, Content body = {})
      : tag(std::move(tag_name)), attrs(std::move(attributes)), content(std::move(body)) {}

  // --- attributes ---
  // The value of attribute `key`, of either type; nullptr if absent.
  const AttrValue* FindAttr(std::string_view key) const;
  // A string-typed attribute; nullptr if absent or JID-typed.
  const std::string* GetAttr(std::string_view key) const;
  // A JID-typed attribute; nullptr if absent or string-typed.
  const Jid* GetJidAttr(std::string_view key) const;
  // Either type, as text (JIDs in their text form).
  std::optional<std::string> GetAttrText(std::string_view key) const;
  // A JID-typed attribute, or a string attribute that parses as a JID.
  // NotFound if absent; InvalidArgument if it does not parse.
  base::Result<Jid> GetAttrAsJid(std::string_view key) const;
  bool HasAttr(std::string_view key) const { return FindAttr(key) != nullptr; }
  // Sets (replacing in place) or appends an attribute; returns *this to chain.
  Node& SetAttr(std::string key, std::string value);
  Node& SetAttr(std::string key, Jid value);
  // Removes `key`; false if it was absent.
  bool RemoveAttr(std::string_view key);

  // --- content ---
  bool HasContent() const { return !std::holds_alternative<std::monostate>(content); }
  const std::string* text() const { return std::get_if<std::string>(&content); }
  const Bytes* bytes() const { return std::get_if<Bytes>(&content); }
  const Jid* jid() const { return std::get_if<Jid>(&content); }
  // True when the content is a list of children (possibly empty).
  bool HasChildren() const { return std::holds_alternative<std::vector<Node>>(content); }
  // The children; empty unless the content is a list.
  std::span<const Node> children() const;
  std::span<Node> children();
  // The first child with tag `tag`, or nullptr.
  const Node* GetChild(std::string_view child_tag) const;
  Node* GetChild(std::string_view child_tag);
  // Every child with tag `tag`, in order.
  std::vector<const Node*> GetChildren(std::string_view child_tag) const;
  // Appends a child and returns it (the reference lasts until the next
  // AddChild on this node). Content that is not a list is replaced by a list
  // (text, bytes or JID content is dropped).
  Node& AddChild(Node child);

  // XML-like rendering for logs and test failures, e.g.
  // <iq id='1' to='@s.whatsapp.net'><ping/></iq>. Bytes show as hex, long
  // byte content is cut after 64 bytes with the total size noted.
  std::string DebugString() const;

  friend bool operator==(const Node&, const Node&) = default;
};

}  // namespace wa::binary
