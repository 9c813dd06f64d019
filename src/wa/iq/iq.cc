#include "wa/iq/iq.h"

#include <charconv>

#include "wa/types/jid.h"

namespace wa::iq {

Node NewIq(std::string_view type, std::string_view xmlns, std::vector<Node> children) {
  Node iq("iq");
  iq.SetAttr("to", ServerJid());
  iq.SetAttr("type", std::string(type));
  iq.SetAttr("xmlns", std::string(xmlns));
  if (!children.empty()) iq.content = std::move(children);
  return iq;
}

Node BytesNode(std::string tag, std::string bytes) {
  return Node(std::move(tag), {}, binary::Bytes(std::move(bytes)));
}

Node ResultReply(std::string_view id) {
  Node iq("iq");
  iq.SetAttr("to", ServerJid());
  iq.SetAttr("type", "result");
  iq.SetAttr("id", std::string(id));
  return iq;
}

base::Result<Node> BuildAck(const Node& stanza) {
  std::optional<std::string> id = stanza.GetAttrText("id");
  if (!id || id->empty()) return base::InvalidArgument("ack: stanza without id");
  Node ack("ack");
  ack.SetAttr("id", *id);
  if (const Jid* from = stanza.GetJidAttr("from")) {
    ack.SetAttr("to", *from);
  } else if (std::optional<std::string> text = stanza.GetAttrText("from")) {
    base::Result<Jid> jid = Jid::Parse(*text);
    if (jid.ok()) {
      ack.SetAttr("to", *jid);
    } else {
      ack.SetAttr("to", *text);
    }
  } else {
    ack.SetAttr("to", ServerJid());
  }
  ack.SetAttr("class", stanza.tag);
  if (std::optional<std::string> type = stanza.GetAttrText("type")) ack.SetAttr("type", *type);
  return ack;
}

std::optional<IqError> FindIqError(const Node& reply) {
  const Node* error = reply.GetChild("error");
  if (error == nullptr) return std::nullopt;
  IqError out;
  if (std::optional<std::string> code = error->GetAttrText("code")) {
    int value = 0;
    auto [end, ec] = std::from_chars(code->data(), code->data() + code->size(), value);
    if (ec == std::errc() && end == code->data() + code->size()) out.code = value;
  }
  out.text = error->GetAttrText("text").value_or("");
  return out;
}

base::Status CheckIqResult(const Node& reply) {
  if (reply.tag != "iq")
    return base::InvalidArgument("iq reply: not an iq but <" + reply.tag + ">");
  if (std::optional<IqError> error = FindIqError(reply)) {
    std::string message = "iq error " + std::to_string(error->code) + ": " + error->text;
    if (error->code == 404) return base::NotFound(std::move(message));
    return base::FailedPrecondition(std::move(message));
  }
  std::optional<std::string> type = reply.GetAttrText("type");
  if (type != "result") {
    return base::InvalidArgument("iq reply: type '" + type.value_or("") + "', want 'result'");
  }
  return base::Status::Ok();
}

std::string EncodeBigEndian(uint32_t value, int width) {
  std::string out(static_cast<size_t>(width), '\0');
  for (int i = width - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return out;
}

base::Result<uint32_t> DecodeBigEndian(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > 4) {
    return base::InvalidArgument("big-endian integer of " + std::to_string(bytes.size()) +
                                 " bytes");
  }
  uint32_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

std::optional<std::string> ContentText(const Node& node) {
  if (const binary::Str* text = node.text()) return text->str();
  if (const binary::Bytes* bytes = node.bytes()) return bytes->str();
  return std::nullopt;
}

}  // namespace wa::iq
