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
//   * A decoded tree lives in one arena (arena.h) owned by its root: nodes,
//     attribute and child lists, strings and bytes (Str, Seq, Bytes views),
//     so decoding costs one allocation and freeing the tree frees one block.
//     Everything else about a Node is a plain value: a copy is a deep copy
//     that owns its memory, and a node moved out of a tree (a child moved
//     elsewhere) takes copies of what it viewed in the arena. Moving the root
//     moves the arena with it and copies nothing. Changing a node of a
//     decoded tree works as on any node (a list in the arena becomes a vector).
//
// Thread safety: a value type; const methods are safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "wa/binary/arena.h"
#include "wa/binary/bytes.h"
#include "wa/binary/seq.h"
#include "wa/binary/str.h"
#include "wa/types/jid.h"

namespace wa::binary {

using AttrValue = std::variant<Str, Jid>;

struct Attr {
  Attr() noexcept {}
  Attr(Str k, AttrValue v) : key(std::move(k)), value(std::move(v)) {}

  Str key;
  AttrValue value;
  friend bool operator==(const Attr&, const Attr&) = default;
};

struct Node;
using AttrList = Seq<Attr>;
using NodeList = Seq<Node>;
// monostate: no content; Str: text; Bytes: raw bytes; Jid; children.
using Content = std::variant<std::monostate, Str, Bytes, Jid, NodeList>;

struct Node {
 private:
  // First, so that it is destroyed after everything that may live in it.
  std::unique_ptr<Arena> arena_;

 public:
  Str tag;
  AttrList attrs;
  Content content;

  Node() noexcept {}
  explicit Node(Str tag_name) : tag(std::move(tag_name)) {}
  Node(Str tag_name, AttrList attributes, Content body = {})
      : tag(std::move(tag_name)), attrs(std::move(attributes)), content(std::move(body)) {}
  Node(const Node& other) : tag(other.tag), attrs(other.attrs), content(other.content) {}
  // Allocation failure while copying arena views out terminates (see top).
  Node(Node&& other) noexcept;
  Node& operator=(const Node& other);
  Node& operator=(Node&& other) noexcept;
  ~Node() = default;

  // --- attributes ---
  // The value of attribute `key`, of either type; nullptr if absent.
  const AttrValue* FindAttr(std::string_view key) const;
  // A string-typed attribute; nullptr if absent or JID-typed.
  const Str* GetAttr(std::string_view key) const;
  // A JID-typed attribute; nullptr if absent or string-typed.
  const Jid* GetJidAttr(std::string_view key) const;
  // Either type, as text (JIDs in their text form).
  std::optional<std::string> GetAttrText(std::string_view key) const;
  // A JID-typed attribute, or a string attribute that parses as a JID.
  // NotFound if absent; InvalidArgument if it does not parse.
  base::Result<Jid> GetAttrAsJid(std::string_view key) const;
  bool HasAttr(std::string_view key) const { return FindAttr(key) != nullptr; }
  // Sets (replacing in place) or appends an attribute; returns *this to chain.
  Node& SetAttr(Str key, Str value);
  Node& SetAttr(Str key, Jid value);
  // Removes `key`; false if it was absent.
  bool RemoveAttr(std::string_view key);

  // --- content ---
  bool HasContent() const { return !std::holds_alternative<std::monostate>(content); }
  const Str* text() const { return std::get_if<Str>(&content); }
  const Bytes* bytes() const { return std::get_if<Bytes>(&content); }
  const Jid* jid() const { return std::get_if<Jid>(&content); }
  // True when the content is a list of children (possibly empty).
  bool HasChildren() const { return std::holds_alternative<NodeList>(content); }
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

  friend bool operator==(const Node& a, const Node& b) {
    return a.tag == b.tag && a.attrs == b.attrs && a.content == b.content;
  }

  // --- for the decoder ---
  // Gives this (root) node the arena its tree lives in. REQUIRES: no arena yet.
  void AdoptArena(std::unique_ptr<Arena> arena) { arena_ = std::move(arena); }
  Arena* arena() const { return arena_.get(); }

 private:
  // Moves everything from `other`, arena views included, and empties it.
  // REQUIRES: other owns its arena, or has no arena views outside its own.
  void StealFrom(Node& other) noexcept;
};

}  // namespace wa::binary
