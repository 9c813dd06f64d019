#include "wa/iq/pair_code.h"

#include "wa/iq/iq.h"

namespace wa::iq {

namespace {
constexpr char kReg[] = "link_code_companion_reg";

Node TextNode(std::string tag, std::string text) {
  return Node(std::move(tag), {}, std::move(text));
}
}  // namespace

Node BuildCompanionHello(const CompanionHello& hello) {
  Node reg(kReg);
  reg.SetAttr("jid", hello.phone);
  reg.SetAttr("stage", "companion_hello");
  reg.SetAttr("should_show_push_notification", "true");
  reg.AddChild(
      BytesNode("link_code_pairing_wrapped_companion_ephemeral_pub", hello.wrapped_ephemeral));
  reg.AddChild(BytesNode("companion_server_auth_key_pub", hello.noise_public));
  // Strings, as Baileys sends them (§6.1); the server accepts both forms.
  reg.AddChild(TextNode("companion_platform_id", hello.platform_id));
  reg.AddChild(TextNode("companion_platform_display", hello.platform_display));
  reg.AddChild(TextNode("link_code_pairing_nonce", "0"));
  return NewIq("set", "md", {std::move(reg)});
}

base::Result<std::optional<std::string>> ParseCompanionHelloResult(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("companion_hello"));
  const Node* reg = reply.GetChild(kReg);
  if (reg == nullptr) return std::optional<std::string>();
  const Node* ref = reg->GetChild("link_code_pairing_ref");
  if (ref == nullptr) return std::optional<std::string>();
  return ContentText(*ref);
}

bool IsPrimaryHello(const Node& stanza) {
  if (stanza.tag != "notification" || stanza.GetAttrText("type") != kReg) return false;
  const Node* reg = stanza.GetChild(kReg);
  // Baileys ignores the stage; we accept a missing one but not another stage.
  return reg != nullptr && reg->GetAttrText("stage").value_or("primary_hello") == "primary_hello";
}

base::Result<PrimaryHello> ParsePrimaryHello(const Node& notification) {
  const Node* reg = notification.GetChild(kReg);
  if (reg == nullptr) return base::InvalidArgument("primary_hello: no <link_code_companion_reg>");
  auto bytes_of = [&](std::string_view tag) -> std::optional<std::string> {
    const Node* child = reg->GetChild(tag);
    return child == nullptr ? std::nullopt : ContentText(*child);
  };
  PrimaryHello out;
  std::optional<std::string> ref = bytes_of("link_code_pairing_ref");
  std::optional<std::string> identity = bytes_of("primary_identity_pub");
  std::optional<std::string> wrapped = bytes_of("link_code_pairing_wrapped_primary_ephemeral_pub");
  if (!identity || identity->size() != 32) {
    return base::InvalidArgument("primary_hello: <primary_identity_pub> is not 32 bytes");
  }
  if (!wrapped || wrapped->size() != 80) {
    return base::InvalidArgument(
        "primary_hello: <link_code_pairing_wrapped_primary_ephemeral_pub> is not 80 bytes");
  }
  out.ref = ref.value_or("");
  out.primary_identity = std::move(*identity);
  out.wrapped_primary_ephemeral = std::move(*wrapped);
  return out;
}

Node BuildCompanionFinish(const CompanionFinish& finish) {
  Node reg(kReg);
  reg.SetAttr("jid", finish.phone);
  reg.SetAttr("stage", "companion_finish");
  reg.AddChild(BytesNode("link_code_pairing_wrapped_key_bundle", finish.wrapped_key_bundle));
  reg.AddChild(BytesNode("companion_identity_public", finish.identity_public));
  reg.AddChild(BytesNode("link_code_pairing_ref", finish.ref));
  return NewIq("set", "md", {std::move(reg)});
}

}  // namespace wa::iq
