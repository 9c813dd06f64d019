#include "sim/phone.h"

#include "wa/proto/codec.h"

namespace sim {

base::Result<Node> BuildPairSuccess(const PairSuccessInput& in, base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(auto account_key, wa::crypto::KeyPair::FromPrivate(
                                                in.account.primary.account_key.private_key));
  wa::pair::DeviceIdentity identity{
      .raw_id = static_cast<uint32_t>(std::stoull(in.account.lid) % 0xFFFFFFFFu),
      .timestamp = static_cast<uint64_t>(in.now_s),
      .key_index = in.key_index};
  WAGATE_ASSIGN_OR_RETURN(std::string container, wa::pair::BuildDeviceIdentityHmac(
                                                     {.account = account_key,
                                                      .companion_identity = in.companion_identity,
                                                      .adv_secret = in.adv_secret,
                                                      .identity = identity},
                                                     random));
  Node success("pair-success");
  success.AddChild(BytesNode("device-identity", std::move(container)));
  success.AddChild(Node("platform", {{"name", std::string(kPhonePlatform)}}));
  Node device("device");
  device.SetAttr("jid",
                 wa::Jid::WithDevice(in.account.phone, std::string(wa::kUserServer), in.device_id));
  device.SetAttr("lid",
                 wa::Jid::WithDevice(in.account.lid, std::string(wa::kLidServer), in.device_id));
  success.AddChild(std::move(device));
  // Baileys stores this as creds.me.name; with a name it announces presence
  // as available at open [§7.2 step 6].
  if (!in.account.name.empty()) success.AddChild(Node("biz", {{"name", in.account.name}}));

  Node iq("iq");
  iq.SetAttr("from", ServerJid());
  iq.SetAttr("type", "set");
  iq.SetAttr("id", in.iq_id);
  iq.SetAttr("xmlns", "md");
  iq.SetAttr("t", std::to_string(in.now_s));
  iq.AddChild(std::move(success));
  return iq;
}

base::Result<wa::pair::DeviceIdentity> VerifyPairDeviceSign(
    const Node& iq, const Account& account, const wa::crypto::PublicKey& companion_identity) {
  const Node* sign = iq.GetChild("pair-device-sign");
  const Node* identity = sign ? sign->GetChild("device-identity") : nullptr;
  auto bytes = identity ? ContentBytes(*identity) : std::nullopt;
  if (!bytes) return base::InvalidArgument("pair-device-sign: no device-identity");
  WAGATE_ASSIGN_OR_RETURN(auto account_key,
                          wa::crypto::PublicKey::FromRaw(account.primary.account_key.public_key));
  WAGATE_ASSIGN_OR_RETURN(
      auto verified, wa::pair::VerifyDeviceIdentityReply(*bytes, account_key, companion_identity));
  // The key-index attribute is what Baileys read from our details [§5.4].
  if (identity->GetAttrText("key-index") != std::to_string(verified.key_index)) {
    return base::InvalidArgument("pair-device-sign: key-index attribute differs from the details");
  }
  return verified;
}

Node BuildPrimaryHelloNotification(const Account& account, std::string_view ref,
                                   std::string_view wrapped_primary_ephemeral, std::string id,
                                   int64_t now_s) {
  Node reg("link_code_companion_reg", {{"stage", "primary_hello"}});
  reg.AddChild(BytesNode("link_code_pairing_ref", std::string(ref)));
  reg.AddChild(BytesNode("primary_identity_pub", account.primary.account_key.public_key));
  reg.AddChild(BytesNode("link_code_pairing_wrapped_primary_ephemeral_pub",
                         std::string(wrapped_primary_ephemeral)));
  Node n("notification");
  n.SetAttr("from", ServerJid());
  n.SetAttr("type", "link_code_companion_reg");
  n.SetAttr("id", std::move(id));
  n.SetAttr("t", std::to_string(now_s));
  n.AddChild(std::move(reg));
  return n;
}

}  // namespace sim
