#include <gtest/gtest.h>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/iq/account.h"
#include "wa/iq/iq.h"
#include "wa/iq/pair.h"
#include "wa/iq/pair_code.h"
#include "wa/iq/prekeys.h"

namespace wa::iq {
namespace {

// Every builder's output must survive the wire.
Node RoundTrip(const Node& node) {
  std::string bytes = binary::EncodeNode(node).value();
  return binary::DecodeNode(bytes).value();
}

Node Reply(std::string type, std::vector<Node> children = {}) {
  Node iq("iq");
  iq.SetAttr("from", ServerJid());
  iq.SetAttr("type", std::move(type));
  iq.SetAttr("id", "1");
  if (!children.empty()) iq.content = std::move(children);
  return iq;
}

TEST(Iq, EnvelopeAddressesTheServerAsJid) {
  Node ping = RoundTrip(BuildPing());
  EXPECT_EQ(ping.DebugString(), "<iq to='@s.whatsapp.net' type='get' xmlns='w:p'><ping/></iq>");
  ASSERT_NE(ping.GetJidAttr("to"), nullptr);
  EXPECT_TRUE(ping.GetJidAttr("to")->IsServer());
  EXPECT_EQ(RoundTrip(BuildPassiveActive()).DebugString(),
            "<iq to='@s.whatsapp.net' type='set' xmlns='passive'><active/></iq>");
}

TEST(Iq, ErrorRepliesBecomeStatuses) {
  EXPECT_TRUE(CheckIqResult(Reply("result")).ok());
  Node not_found = Reply("error", {Node("error", {{"code", "404"}, {"text", "item-not-found"}})});
  EXPECT_EQ(CheckIqResult(not_found).code(), base::Code::kNotFound);
  EXPECT_EQ(CheckIqResult(not_found).message(), "iq error 404: item-not-found");
  Node bad = Reply("error", {Node("error", {{"code", "400"}, {"text", "bad-request"}})});
  EXPECT_EQ(CheckIqResult(bad).code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(FindIqError(bad)->code, 400);
  EXPECT_EQ(CheckIqResult(Node("ack")).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(CheckIqResult(Reply("get")).code(), base::Code::kInvalidArgument);
}

TEST(Iq, PreKeyCount) {
  EXPECT_EQ(RoundTrip(BuildPreKeyCountQuery()).DebugString(),
            "<iq to='@s.whatsapp.net' type='get' xmlns='encrypt'><count/></iq>");
  EXPECT_EQ(ParsePreKeyCount(Reply("result", {Node("count", {{"value", "42"}})})).value(), 42);
  EXPECT_FALSE(ParsePreKeyCount(Reply("result")).ok());
  EXPECT_FALSE(ParsePreKeyCount(Reply("result", {Node("count", {{"value", "x"}})})).ok());
  EXPECT_FALSE(ParsePreKeyCount(Reply("result", {Node("count", {{"value", "-1"}})})).ok());
  EXPECT_FALSE(ParsePreKeyCount(Reply("error", {Node("error", {{"code", "500"}})})).ok());
}

TEST(Iq, PreKeyUploadShape) {
  PreKeyUpload upload{.registration_id = 0x1234,
                      .identity_public = std::string(32, 'i'),
                      .prekeys = {{1, std::string(32, 'a')}, {0x010203, std::string(32, 'b')}},
                      .signed_prekey = {1, std::string(32, 's'), std::string(64, 'g')}};
  Node node = RoundTrip(BuildPreKeyUpload(upload).value());
  EXPECT_EQ(node.GetAttrText("xmlns"), "encrypt");
  EXPECT_EQ(node.GetAttrText("type"), "set");
  EXPECT_EQ(node.GetChild("registration")->bytes()->view(), std::string_view("\0\0\x12\x34", 4));
  EXPECT_EQ(node.GetChild("type")->bytes()->view(), "\x05");
  EXPECT_EQ(node.GetChild("identity")->bytes()->size(), 32u);
  auto keys = node.GetChild("list")->GetChildren("key");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1]->GetChild("id")->bytes()->view(), "\x01\x02\x03");
  EXPECT_EQ(keys[1]->GetChild("value")->bytes()->view(), std::string(32, 'b'));
  const Node* skey = node.GetChild("skey");
  EXPECT_EQ(skey->GetChild("id")->bytes()->view(), std::string_view("\0\0\x01", 3));
  EXPECT_EQ(skey->GetChild("signature")->bytes()->size(), 64u);

  upload.prekeys[0].public_key = "short";
  EXPECT_EQ(BuildPreKeyUpload(upload).status().code(), base::Code::kInvalidArgument);
  upload.prekeys.clear();
  EXPECT_FALSE(BuildPreKeyUpload(upload).ok());
}

TEST(Iq, Digest) {
  EXPECT_EQ(BuildDigestQuery().DebugString(),
            "<iq to='@s.whatsapp.net' type='get' xmlns='encrypt'><digest/></iq>");
  EXPECT_TRUE(ParseDigest(Reply("result", {Node("digest")})).ok());
  EXPECT_FALSE(ParseDigest(Reply("result")).ok());
}

TEST(Iq, RemoveCompanionDevice) {
  Jid me = Jid::WithDevice("15550100001", "s.whatsapp.net", 7);
  Node node = RoundTrip(BuildRemoveCompanionDevice(me));
  EXPECT_EQ(node.DebugString(),
            "<iq to='@s.whatsapp.net' type='set' xmlns='md'><remove-companion-device "
            "jid='15550100001:7@s.whatsapp.net' reason='user_initiated'/></iq>");
}

TEST(Iq, IbStanzas) {
  // 2026-09-21T... : (t + 3 days) mod 1 week.
  int64_t now = 1'790'000'000'000;
  int64_t want = (now + 3 * 86'400'000) % (7 * 86'400'000);
  EXPECT_EQ(BuildUnifiedSession(now).DebugString(),
            "<ib><unified_session id='" + std::to_string(want) + "'/></ib>");
  EXPECT_EQ(BuildOfflineBatch().DebugString(), "<ib><offline_batch count='100'/></ib>");
}

TEST(Iq, ServerPingAndAck) {
  Node ping("iq", {{"type", "get"}, {"xmlns", "urn:xmpp:ping"}, {"id", "p1"}});
  EXPECT_TRUE(IsServerPing(ping));
  Node mirrored = BuildPing();
  EXPECT_FALSE(IsServerPing(mirrored));  // no id
  mirrored.SetAttr("id", "p2");
  EXPECT_TRUE(IsServerPing(mirrored));
  EXPECT_FALSE(IsServerPing(Node("iq", {{"type", "get"}, {"xmlns", "w:p"}, {"id", "p3"}})));
  EXPECT_EQ(ResultReply("p1").DebugString(), "<iq to='@s.whatsapp.net' type='result' id='p1'/>");

  Node notification("notification", {{"id", "n1"}, {"type", "encrypt"}});
  notification.SetAttr("from", ServerJid());
  EXPECT_EQ(BuildAck(notification)->DebugString(),
            "<ack id='n1' to='@s.whatsapp.net' class='notification' type='encrypt'/>");
  EXPECT_FALSE(BuildAck(Node("notification")).ok());
}

TEST(Iq, PairDevice) {
  Node iq = Reply("set", {Node("pair-device", {},
                               std::vector<Node>{Node("ref", {}, binary::Bytes("R1")),
                                                 Node("ref", {}, std::string("R2"))})});
  ASSERT_TRUE(IsPairDevice(iq));
  PairDevice parsed = ParsePairDevice(RoundTrip(iq)).value();
  EXPECT_EQ(parsed.id, "1");
  EXPECT_EQ(parsed.refs, (std::vector<std::string>{"R1", "R2"}));
  EXPECT_FALSE(ParsePairDevice(Reply("set", {Node("pair-device")})).ok());
  EXPECT_FALSE(IsPairDevice(Reply("result", {Node("pair-device")})));
}

TEST(Iq, PairSuccessAndSign) {
  Node device("device");
  device.SetAttr("jid", Jid::WithDevice("15550100001", "s.whatsapp.net", 7));
  device.SetAttr("lid", Jid::WithDevice("100000000000001", "lid", 7));
  Node iq = Reply("set", {Node("pair-success", {},
                               std::vector<Node>{Node("device-identity", {}, binary::Bytes("ID")),
                                                 Node("platform", {{"name", "android"}}), device,
                                                 Node("biz", {{"name", "Shop"}})})});
  ASSERT_TRUE(IsPairSuccess(iq));
  PairSuccess parsed = ParsePairSuccess(RoundTrip(iq)).value();
  EXPECT_EQ(parsed.device_identity, "ID");
  EXPECT_EQ(parsed.jid.ToString(), "15550100001:7@s.whatsapp.net");
  EXPECT_EQ(parsed.lid->ToString(), "100000000000001:7@lid");
  EXPECT_EQ(parsed.platform, "android");
  EXPECT_EQ(parsed.business_name, "Shop");
  Node missing = Reply("set", {Node("pair-success", {}, std::vector<Node>{device})});
  EXPECT_FALSE(ParsePairSuccess(missing).ok());

  Node sign = RoundTrip(BuildPairDeviceSign("1", 3, "SIGNED"));
  EXPECT_EQ(sign.DebugString(),
            "<iq to='@s.whatsapp.net' type='result' id='1'><pair-device-sign><device-identity "
            "key-index='3'>5349474e4544</device-identity></pair-device-sign></iq>");
  Node error = BuildErrorReply("1", 401, "hmac-mismatch");
  EXPECT_EQ(CheckIqResult(error).message(), "iq error 401: hmac-mismatch");
}

TEST(Iq, PairingCodeStanzas) {
  Jid phone("15550100001", "s.whatsapp.net");
  Node hello = RoundTrip(BuildCompanionHello({.phone = phone,
                                              .wrapped_ephemeral = std::string(80, 'w'),
                                              .noise_public = std::string(32, 'n'),
                                              .platform_id = "1",
                                              .platform_display = "Chrome (Mac OS)"}));
  const Node* reg = hello.GetChild("link_code_companion_reg");
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->GetAttrText("stage"), "companion_hello");
  EXPECT_EQ(reg->GetAttrText("jid"), "15550100001@s.whatsapp.net");
  EXPECT_EQ(ContentText(*reg->GetChild("companion_platform_display")), "Chrome (Mac OS)");
  EXPECT_EQ(ContentText(*reg->GetChild("link_code_pairing_nonce")), "0");

  Node result = Reply(
      "result", {Node("link_code_companion_reg", {},
                      std::vector<Node>{Node("link_code_pairing_ref", {}, binary::Bytes("REF"))})});
  EXPECT_EQ(ParseCompanionHelloResult(result).value(), "REF");
  EXPECT_EQ(ParseCompanionHelloResult(Reply("result")).value(), std::nullopt);

  Node notification(
      "notification", {{"type", "link_code_companion_reg"}, {"id", "n1"}},
      std::vector<Node>{Node(
          "link_code_companion_reg", {{"stage", "primary_hello"}},
          std::vector<Node>{Node("link_code_pairing_ref", {}, binary::Bytes("REF")),
                            Node("primary_identity_pub", {}, binary::Bytes(std::string(32, 'p'))),
                            Node("link_code_pairing_wrapped_primary_ephemeral_pub", {},
                                 binary::Bytes(std::string(80, 'e')))})});
  ASSERT_TRUE(IsPrimaryHello(notification));
  PrimaryHello parsed = ParsePrimaryHello(RoundTrip(notification)).value();
  EXPECT_EQ(parsed.ref, "REF");
  EXPECT_EQ(parsed.primary_identity, std::string(32, 'p'));
  notification.children()[0].children()[1].content = binary::Bytes("short");
  EXPECT_FALSE(ParsePrimaryHello(notification).ok());

  Node finish = RoundTrip(BuildCompanionFinish({.phone = phone,
                                                .wrapped_key_bundle = std::string(156, 'k'),
                                                .identity_public = std::string(32, 'i'),
                                                .ref = "REF"}));
  reg = finish.GetChild("link_code_companion_reg");
  EXPECT_EQ(reg->GetAttrText("stage"), "companion_finish");
  EXPECT_EQ(reg->GetChild("link_code_pairing_wrapped_key_bundle")->bytes()->size(), 156u);
  EXPECT_EQ(ContentText(*reg->GetChild("link_code_pairing_ref")), "REF");
}

TEST(Iq, BigEndian) {
  EXPECT_EQ(EncodeBigEndian(0x010203, 3), "\x01\x02\x03");
  EXPECT_EQ(DecodeBigEndian("\x01\x02\x03").value(), 0x010203u);
  EXPECT_FALSE(DecodeBigEndian("").ok());
  EXPECT_FALSE(DecodeBigEndian("12345").ok());
}

}  // namespace
}  // namespace wa::iq
