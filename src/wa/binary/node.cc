#include "wa/binary/node.h"

#include "base/encoding.h"

namespace wa::binary {
namespace {

constexpr size_t kDebugBytesShown = 64;

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\'':
        *out += "&apos;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '&':
        *out += "&amp;";
        break;
      default:
        *out += c;
    }
  }
}

void AppendDebug(const Node& node, std::string* out) {
  *out += '<';
  AppendEscaped(node.tag, out);
  for (const Attr& attr : node.attrs) {
    *out += ' ';
    AppendEscaped(attr.key, out);
    *out += "='";
    if (const auto* s = std::get_if<Str>(&attr.value)) {
      AppendEscaped(*s, out);
    } else {
      AppendEscaped(std::get<Jid>(attr.value).ToString(), out);
    }
    *out += '\'';
  }
  if (!node.HasContent()) {
    *out += "/>";
    return;
  }
  *out += '>';
  if (const auto* text = node.text()) {
    AppendEscaped(*text, out);
  } else if (const auto* bytes = node.bytes()) {
    std::string_view shown = bytes->view();
    *out += base::HexEncode(shown.substr(0, kDebugBytesShown));
    if (shown.size() > kDebugBytesShown) {
      *out += "...(" + std::to_string(shown.size()) + " bytes)";
    }
  } else if (const auto* jid = node.jid()) {
    AppendEscaped(jid->ToString(), out);
  } else {
    for (const Node& child : node.children()) AppendDebug(child, out);
  }
  *out += "</";
  AppendEscaped(node.tag, out);
  *out += '>';
}

}  // namespace

Node::Node(Node&& other) noexcept {
  if (other.arena_) {
    StealFrom(other);
  } else {
    // Str, Seq and Bytes moves copy whatever other views in an arena it
    // does not own (it is a node inside a decoded tree).
    tag = std::move(other.tag);
    attrs = std::move(other.attrs);
    content = std::move(other.content);
  }
}

Node& Node::operator=(const Node& other) {
  if (this != &other) *this = Node(other);
  return *this;
}

Node& Node::operator=(Node&& other) noexcept {
  if (this == &other) return *this;
  Node moved(std::move(other));  // first: `other` may live inside *this
  content = std::monostate();
  attrs.clear();
  tag = Str();
  arena_.reset();
  StealFrom(moved);
  return *this;
}

void Node::StealFrom(Node& other) noexcept {
  arena_ = std::move(other.arena_);
  tag.StealFrom(other.tag);
  attrs.StealFrom(other.attrs);
  switch (other.content.index()) {
    case 0:
      content = std::monostate();
      break;
    case 1:
      content.emplace<Str>().StealFrom(std::get<Str>(other.content));
      break;
    case 2:
      content.emplace<Bytes>().StealFrom(std::get<Bytes>(other.content));
      break;
    case 3:
      content = std::move(std::get<Jid>(other.content));
      break;
    default:
      content.emplace<NodeList>().StealFrom(std::get<NodeList>(other.content));
  }
  other.content = std::monostate();
}

const AttrValue* Node::FindAttr(std::string_view key) const {
  for (const Attr& attr : attrs) {
    if (attr.key == key) return &attr.value;
  }
  return nullptr;
}

const Str* Node::GetAttr(std::string_view key) const {
  const AttrValue* value = FindAttr(key);
  return value ? std::get_if<Str>(value) : nullptr;
}

const Jid* Node::GetJidAttr(std::string_view key) const {
  const AttrValue* value = FindAttr(key);
  return value ? std::get_if<Jid>(value) : nullptr;
}

std::optional<std::string> Node::GetAttrText(std::string_view key) const {
  const AttrValue* value = FindAttr(key);
  if (!value) return std::nullopt;
  if (const auto* s = std::get_if<Str>(value)) return s->str();
  return std::get<Jid>(*value).ToString();
}

base::Result<Jid> Node::GetAttrAsJid(std::string_view key) const {
  const AttrValue* value = FindAttr(key);
  if (!value) {
    return base::NotFound("node <" + tag + ">: no attribute '" + std::string(key) + "'");
  }
  if (const auto* jid = std::get_if<Jid>(value)) return *jid;
  auto parsed = Jid::Parse(std::get<Str>(*value));
  if (!parsed.ok()) {
    return parsed.status().WithContext("node <" + tag + "> attribute '" + std::string(key) + "'");
  }
  return parsed;
}

Node& Node::SetAttr(Str key, Str value) {
  for (Attr& attr : attrs) {
    if (attr.key == key) {
      attr.value = std::move(value);
      return *this;
    }
  }
  attrs.emplace_back(std::move(key), std::move(value));
  return *this;
}

Node& Node::SetAttr(Str key, Jid value) {
  for (Attr& attr : attrs) {
    if (attr.key == key) {
      attr.value = std::move(value);
      return *this;
    }
  }
  attrs.emplace_back(std::move(key), std::move(value));
  return *this;
}

bool Node::RemoveAttr(std::string_view key) {
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (it->key == key) {
      attrs.erase(it);
      return true;
    }
  }
  return false;
}

std::span<const Node> Node::children() const {
  if (const auto* list = std::get_if<NodeList>(&content)) return *list;
  return {};
}

std::span<Node> Node::children() {
  if (auto* list = std::get_if<NodeList>(&content)) return *list;
  return {};
}

const Node* Node::GetChild(std::string_view child_tag) const {
  for (const Node& child : children()) {
    if (child.tag == child_tag) return &child;
  }
  return nullptr;
}

Node* Node::GetChild(std::string_view child_tag) {
  for (Node& child : children()) {
    if (child.tag == child_tag) return &child;
  }
  return nullptr;
}

std::vector<const Node*> Node::GetChildren(std::string_view child_tag) const {
  std::vector<const Node*> out;
  for (const Node& child : children()) {
    if (child.tag == child_tag) out.push_back(&child);
  }
  return out;
}

Node& Node::AddChild(Node child) {
  if (!HasChildren()) content = NodeList();
  auto& list = std::get<NodeList>(content);
  list.push_back(std::move(child));
  return list.back();
}

std::string Node::DebugString() const {
  std::string out;
  AppendDebug(*this, &out);
  return out;
}

}  // namespace wa::binary
