// The phone's pair-success is what the companion side (wa::pair, the
// functions our client uses) accepts, and its reply verifies.
#include "sim/phone.h"

#include <gtest/gtest.h>

#include "wa/pair/pair_code.h"

namespace sim {
namespace {

TEST(Phone, PairSuccessIsAcceptedByTheCompanionAndItsReplyVerifies) {
  base::SeededRandom random(11);
  AccountStore store("", random);
  Account* account = *store.CreateAccount("15550100001", "Alice");
  auto companion = wa::crypto::KeyPair::Generate(random).value();
  const std::string adv_secret = random.Bytes(32);
  auto iq = BuildPairSuccess({.account = *account,
                              .device_id = 4,
                              .key_index = 2,
                              .companion_identity = companion.public_key,
                              .adv_secret = adv_secret,
                              .iq_id = "srv-9",
                              .now_s = 1'790'000'000},
                             random);
  ASSERT_TRUE(iq.ok()) << iq.status().ToString();
  EXPECT_EQ(iq->GetAttrText("xmlns"), "md");
  EXPECT_EQ(iq->GetAttrText("t"), "1790000000");
  const Node* success = iq->GetChild("pair-success");
  ASSERT_NE(success, nullptr);
  EXPECT_EQ(success->GetChild("device")->GetAttrText("jid"), "15550100001:4@s.whatsapp.net");
  EXPECT_EQ(success->GetChild("device")->GetAttrText("lid"), "100000000000001:4@lid");
  EXPECT_EQ(success->GetChild("platform")->GetAttrText("name"), "android");
  EXPECT_EQ(success->GetChild("biz")->GetAttrText("name"), "Alice");

  auto container = ContentBytes(*success->GetChild("device-identity"));
  auto pairing = wa::pair::ProcessDeviceIdentityHmac(*container, adv_secret, companion, random);
  ASSERT_TRUE(pairing.ok()) << pairing.status().ToString();
  EXPECT_EQ(pairing->identity.key_index, 2u);
  EXPECT_EQ(pairing->account.account_signature_key(), account->primary.account_key.public_key);

  Node reply("iq", {{"type", "result"}, {"id", "srv-9"}});
  Node sign("pair-device-sign");
  sign.AddChild(
      Node("device-identity", {{"key-index", "2"}}, wa::binary::Bytes(pairing->reply_identity)));
  reply.AddChild(sign);
  auto verified = VerifyPairDeviceSign(reply, *account, companion.public_key);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->key_index, 2u);

  // A reply signed by another key is refused.
  auto stranger = wa::crypto::KeyPair::Generate(random).value();
  EXPECT_FALSE(VerifyPairDeviceSign(reply, *account, stranger.public_key).ok());
  // With the wrong adv secret the companion refuses the HMAC.
  EXPECT_FALSE(
      wa::pair::ProcessDeviceIdentityHmac(*container, random.Bytes(32), companion, random).ok());
}

TEST(Phone, PrimaryHelloNotificationCarriesRefAndIdentity) {
  base::SeededRandom random(2);
  AccountStore store("", random);
  Account* account = *store.CreateAccount("15550100002", "");
  Node n = BuildPrimaryHelloNotification(*account, "REF", std::string(80, 'w'), "srv-3", 5);
  EXPECT_EQ(n.GetAttrText("type"), "link_code_companion_reg");
  const Node* reg = n.GetChild("link_code_companion_reg");
  EXPECT_EQ(reg->GetAttrText("stage"), "primary_hello");
  EXPECT_EQ(ChildBytes(*reg, "link_code_pairing_ref"), "REF");
  EXPECT_EQ(ChildBytes(*reg, "primary_identity_pub"), account->primary.account_key.public_key);
}

}  // namespace
}  // namespace sim
