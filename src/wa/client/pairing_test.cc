#include "wa/client/pairing.h"

#include <gtest/gtest.h>

#include "wa/pair/adv.h"
#include "wa/pair/pair_code.h"
#include "wa/pair/qr.h"

namespace wa::client {
namespace {

TEST(QrRotation, SixtyThenTwentySecondsThenExhausted) {
  QrRotation qr({"R1", "R2", "R3"});
  EXPECT_TRUE(qr.started());
  EXPECT_EQ(qr.WindowEndMs(1000), 1000 + 60'000 + 2 * 20'000);
  auto first = qr.Next(1000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->ref, "R1");
  EXPECT_EQ(first->expires_at_ms, 61'000);
  auto second = qr.Next(61'000);
  EXPECT_EQ(second->ref, "R2");
  EXPECT_EQ(second->expires_at_ms, 81'000);
  EXPECT_EQ(qr.WindowEndMs(81'000), 101'000);
  EXPECT_EQ(qr.Next(81'000)->expires_at_ms, 101'000);
  EXPECT_FALSE(qr.Next(101'000));
  EXPECT_FALSE(QrRotation().started());
}

TEST(Pairing, QrStringCarriesOurKeys) {
  base::SeededRandom random(3);
  Creds creds = NewCreds(random).value();
  std::string qr = BuildQrString(creds, "2@REF").value();
  pair::QrData data = pair::ParseQr(qr).value();
  EXPECT_EQ(data.ref, "2@REF");
  EXPECT_EQ(data.noise_key.raw(), creds.noise_key.public_key);
  EXPECT_EQ(data.identity_key.raw(), creds.identity.public_key);
  EXPECT_EQ(data.adv_secret, creds.adv_secret);
  EXPECT_EQ(data.platform_id, "1");
}

// The phone side of wa/pair builds the pair-success; our reply must be what
// the phone accepts.
struct Phone {
  base::SeededRandom random{9};
  crypto::KeyPair account = crypto::KeyPair::Generate(random).value();

  iq::PairSuccess Success(const Creds& creds, std::string_view adv_secret) {
    crypto::PublicKey companion = crypto::PublicKey::FromRaw(creds.identity.public_key).value();
    iq::PairSuccess success;
    success.id = "ps1";
    success.device_identity =
        pair::BuildDeviceIdentityHmac(
            {.account = account,
             .companion_identity = companion,
             .adv_secret = adv_secret,
             .identity = {.raw_id = 77, .timestamp = 1790000000, .key_index = 4}},
            random)
            .value();
    success.jid = Jid::WithDevice("15550100001", "s.whatsapp.net", 7);
    success.lid = Jid::WithDevice("100000000000001", "lid", 7);
    success.platform = "android";
    return success;
  }
};

TEST(Pairing, PairSuccessGivesAReplyThePhoneAccepts) {
  base::SeededRandom random(4);
  Creds creds = NewCreds(random).value();
  Phone phone;
  PairSuccessResult result =
      HandlePairSuccess(phone.Success(creds, creds.adv_secret), creds, random);
  ASSERT_TRUE(result.ok) << result.error->status.ToString();
  const PairSuccessOutcome& out = *result.ok;
  EXPECT_TRUE(out.creds.registered);
  EXPECT_EQ(out.creds.key_index, 4u);
  EXPECT_EQ(out.creds.platform, "android");
  EXPECT_EQ(out.me.jid, "15550100001:7@s.whatsapp.net");
  EXPECT_EQ(out.me.lid, "100000000000001:7@lid");
  EXPECT_EQ(out.creds.me, out.me);
  EXPECT_FALSE(out.creds.account.empty());

  const binary::Node& reply = out.reply;
  EXPECT_EQ(reply.GetAttrText("type"), "result");
  EXPECT_EQ(reply.GetAttrText("id"), "ps1");
  const binary::Node* identity = reply.GetChild("pair-device-sign")->GetChild("device-identity");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->GetAttrText("key-index"), "4");
  auto verified = pair::VerifyDeviceIdentityReply(
      identity->bytes()->view(), phone.account.public_key,
      crypto::PublicKey::FromRaw(creds.identity.public_key).value());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->key_index, 4u);
}

TEST(Pairing, WrongAdvSecretIsAnHmacMismatch) {
  base::SeededRandom random(5);
  Creds creds = NewCreds(random).value();
  Phone phone;
  PairSuccessResult result =
      HandlePairSuccess(phone.Success(creds, std::string(32, 'x')), creds, random);
  ASSERT_TRUE(result.error);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error->error_reply.DebugString(),
            "<iq to='@s.whatsapp.net' type='error' id='ps1'><error code='401' "
            "text='hmac-mismatch'/></iq>");
}

TEST(Pairing, PairingCodeBothSidesAgree) {
  base::SeededRandom random(6);
  Creds creds = NewCreds(random).value();
  EXPECT_FALSE(StartPairingCode(creds, "12ab", random).ok());
  PairingCodeStart start = StartPairingCode(creds, "15550100001", random).value();
  EXPECT_EQ(start.code.size(), 8u);
  EXPECT_EQ(start.creds.pairing_code, start.code);
  EXPECT_EQ(start.creds.me->jid, "15550100001@s.whatsapp.net");
  const binary::Node* reg = start.hello.GetChild("link_code_companion_reg");
  std::string wrapped(
      reg->GetChild("link_code_pairing_wrapped_companion_ephemeral_pub")->bytes()->view());

  // The phone: unwrap, answer with primary_hello.
  Phone phone;
  pair::PrimaryHello primary = pair::BuildPrimaryHello(start.code, wrapped, phone.random).value();
  iq::PrimaryHello hello{.ref = "REF",
                         .primary_identity = std::string(phone.account.public_key.raw()),
                         .wrapped_primary_ephemeral = primary.wrapped_primary_ephemeral};
  EXPECT_EQ(HandlePrimaryHello(hello, creds, random).status().code(),
            base::Code::kFailedPrecondition);
  PairingCodeFinish finish = HandlePrimaryHello(hello, start.creds, random).value();
  reg = finish.finish.GetChild("link_code_companion_reg");
  EXPECT_EQ(reg->GetAttrText("stage"), "companion_finish");
  std::string bundle(reg->GetChild("link_code_pairing_wrapped_key_bundle")->bytes()->view());
  crypto::PublicKey companion = crypto::PublicKey::FromRaw(creds.identity.public_key).value();
  std::string phone_secret =
      pair::ProcessCompanionFinish({.primary_ephemeral = primary.primary_ephemeral,
                                    .account = phone.account,
                                    .companion_ephemeral = primary.companion_ephemeral,
                                    .wrapped_key_bundle = bundle,
                                    .companion_identity = companion})
          .value();
  EXPECT_EQ(finish.creds.adv_secret, phone_secret);

  // Then pair-success as for a QR, keyed by the derived secret.
  PairSuccessResult result =
      HandlePairSuccess(phone.Success(finish.creds, phone_secret), finish.creds, random);
  ASSERT_TRUE(result.ok);
  EXPECT_TRUE(result.ok->creds.pairing_code.empty());
  EXPECT_EQ(result.ok->creds.me->jid, "15550100001:7@s.whatsapp.net");
}

}  // namespace
}  // namespace wa::client
