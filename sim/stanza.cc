#include "sim/stanza.h"

namespace sim {

Node ResultFor(const Node& iq) {
  Node out("iq");
  out.SetAttr("from", ServerJid());
  out.SetAttr("type", "result");
  out.SetAttr("id", iq.GetAttrText("id").value_or(""));
  return out;
}

Node ErrorFor(const Node& iq, int code, std::string_view text) {
  Node out = ResultFor(iq);
  out.SetAttr("type", "error");
  out.AddChild(Node("error", {{"code", std::to_string(code)}, {"text", std::string(text)}}));
  return out;
}

std::optional<std::string> ContentBytes(const Node& node) {
  if (const auto* b = node.bytes()) return b->str();
  if (const auto* t = node.text()) return *t;
  return std::nullopt;
}

std::optional<std::string> ChildBytes(const Node& node, std::string_view tag) {
  const Node* child = node.GetChild(tag);
  if (child == nullptr) return std::nullopt;
  return ContentBytes(*child);
}

std::string BigEndian(uint32_t value, size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[size - 1 - i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  }
  return out;
}

std::optional<uint32_t> ParseBigEndian(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > 4) return std::nullopt;
  uint32_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace sim
