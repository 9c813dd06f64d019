#include "wa/iq/pair.h"

#include "wa/iq/iq.h"

namespace wa::iq {

namespace {

bool IsSetWithFirstChild(const Node& stanza, std::string_view child) {
  if (stanza.tag != "iq" || stanza.GetAttrText("type") != "set") return false;
  std::span<const Node> children = stanza.children();
  return !children.empty() && children.front().tag == child;
}

base::Result<std::string> RequireId(const Node& iq, std::string_view what) {
  std::optional<std::string> id = iq.GetAttrText("id");
  if (!id || id->empty()) return base::InvalidArgument(std::string(what) + ": iq without id");
  return *id;
}

}  // namespace

bool IsPairDevice(const Node& stanza) { return IsSetWithFirstChild(stanza, "pair-device"); }
bool IsPairSuccess(const Node& stanza) { return IsSetWithFirstChild(stanza, "pair-success"); }

base::Result<PairDevice> ParsePairDevice(const Node& iq) {
  PairDevice out;
  WAGATE_ASSIGN_OR_RETURN(out.id, RequireId(iq, "pair-device"));
  const Node* pair = iq.GetChild("pair-device");
  if (pair == nullptr) return base::InvalidArgument("pair-device: no <pair-device>");
  for (const Node* ref : pair->GetChildren("ref")) {
    std::optional<std::string> text = ContentText(*ref);
    if (!text || text->empty()) return base::InvalidArgument("pair-device: empty <ref>");
    out.refs.push_back(std::move(*text));
  }
  if (out.refs.empty()) return base::InvalidArgument("pair-device: no <ref>");
  return out;
}

base::Result<PairSuccess> ParsePairSuccess(const Node& iq) {
  PairSuccess out;
  WAGATE_ASSIGN_OR_RETURN(out.id, RequireId(iq, "pair-success"));
  const Node* success = iq.GetChild("pair-success");
  if (success == nullptr) return base::InvalidArgument("pair-success: no <pair-success>");
  const Node* identity = success->GetChild("device-identity");
  std::optional<std::string> identity_bytes;
  if (identity != nullptr) identity_bytes = ContentText(*identity);
  if (!identity_bytes || identity_bytes->empty()) {
    return base::InvalidArgument("pair-success: no <device-identity> bytes");
  }
  out.device_identity = std::move(*identity_bytes);
  const Node* device = success->GetChild("device");
  if (device == nullptr) return base::InvalidArgument("pair-success: no <device>");
  base::Result<Jid> jid = device->GetAttrAsJid("jid");
  if (!jid.ok())
    return base::InvalidArgument("pair-success: <device jid>: " + jid.status().message());
  out.jid = std::move(*jid);
  if (device->HasAttr("lid")) {
    base::Result<Jid> lid = device->GetAttrAsJid("lid");
    if (!lid.ok())
      return base::InvalidArgument("pair-success: <device lid>: " + lid.status().message());
    out.lid = std::move(*lid);
  }
  if (const Node* platform = success->GetChild("platform")) {
    out.platform = platform->GetAttrText("name").value_or("");
  }
  if (const Node* biz = success->GetChild("biz")) {
    out.business_name = biz->GetAttrText("name").value_or("");
  }
  return out;
}

Node BuildPairDeviceSign(std::string_view id, uint32_t key_index,
                         std::string_view signed_identity) {
  Node identity("device-identity");
  identity.SetAttr("key-index", std::to_string(key_index));
  identity.content = binary::Bytes(std::string(signed_identity));
  Node sign("pair-device-sign");
  sign.AddChild(std::move(identity));
  Node reply = ResultReply(id);
  reply.AddChild(std::move(sign));
  return reply;
}

Node BuildErrorReply(std::string_view id, int code, std::string_view text) {
  Node error("error");
  error.SetAttr("code", std::to_string(code));
  error.SetAttr("text", std::string(text));
  Node reply = ResultReply(id);
  reply.SetAttr("type", "error");
  reply.AddChild(std::move(error));
  return reply;
}

}  // namespace wa::iq
