#include "wa/pair/adv.h"

#include <gtest/gtest.h>

#include "wa/crypto/hmac.h"
#include "wa/crypto/xeddsa.h"
#include "wa/proto/codec.h"

namespace wa::pair {
namespace {

struct Fixture {
  base::SeededRandom random{42};
  crypto::KeyPair account = crypto::KeyPair::Generate(random).value();
  crypto::KeyPair companion = crypto::KeyPair::Generate(random).value();
  std::string adv_secret = random.Bytes(32);
  DeviceIdentity identity{.raw_id = 123456, .timestamp = 1764410000, .key_index = 3};

  std::string Container() {
    return BuildDeviceIdentityHmac({.account = account,
                                    .companion_identity = companion.public_key,
                                    .adv_secret = adv_secret,
                                    .identity = identity},
                                   random)
        .value();
  }
};

TEST(Adv, PhoneAndCompanionAgree) {
  Fixture f;
  auto pairing = ProcessDeviceIdentityHmac(f.Container(), f.adv_secret, f.companion, f.random);
  ASSERT_TRUE(pairing.ok()) << pairing.status().ToString();
  EXPECT_EQ(pairing->identity, f.identity);
  EXPECT_EQ(pairing->account.account_signature_key(), f.account.public_key.raw());
  EXPECT_EQ(pairing->account.device_signature().size(), 64u);

  auto reply = proto::Parse<proto::ADVSignedDeviceIdentity>(pairing->reply_identity);
  ASSERT_TRUE(reply.ok());
  EXPECT_FALSE(reply->has_account_signature_key());
  EXPECT_EQ(reply->device_signature(), pairing->account.device_signature());

  auto verified = VerifyDeviceIdentityReply(pairing->reply_identity, f.account.public_key,
                                            f.companion.public_key);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, f.identity);
  // The stored form (with the key) verifies too.
  EXPECT_TRUE(VerifyDeviceIdentityReply(proto::Serialize(pairing->account).value(),
                                        f.account.public_key, f.companion.public_key)
                  .ok());
}

TEST(Adv, HostedAccountUsesPrefixedHmacAndSignature) {
  Fixture f;
  f.identity.account_type = proto::HOSTED;
  f.identity.device_type = proto::HOSTED;
  std::string container_bytes = f.Container();
  auto container = proto::Parse<proto::ADVSignedDeviceIdentityHMAC>(container_bytes).value();
  EXPECT_EQ(container.account_type(), proto::HOSTED);
  EXPECT_EQ(
      container.hmac(),
      crypto::HmacSha256(f.adv_secret, std::string("\x06\x05", 2) + container.details()).value());
  auto pairing = ProcessDeviceIdentityHmac(container_bytes, f.adv_secret, f.companion, f.random);
  ASSERT_TRUE(pairing.ok()) << pairing.status().ToString();
  EXPECT_EQ(pairing->identity, f.identity);
  EXPECT_TRUE(VerifyDeviceIdentityReply(pairing->reply_identity, f.account.public_key,
                                        f.companion.public_key)
                  .ok());
}

TEST(Adv, E2eeContainerLeavesAccountTypeOut) {
  Fixture f;
  auto container = proto::Parse<proto::ADVSignedDeviceIdentityHMAC>(f.Container()).value();
  EXPECT_FALSE(container.has_account_type());
  EXPECT_EQ(container.hmac(), crypto::HmacSha256(f.adv_secret, container.details()).value());
}

TEST(Adv, CompanionRefusesWrongSecretAndTampering) {
  Fixture f;
  std::string container_bytes = f.Container();
  std::string other_secret = f.random.Bytes(32);
  auto r = ProcessDeviceIdentityHmac(container_bytes, other_secret, f.companion, f.random);
  EXPECT_EQ(r.status().code(), base::Code::kUnauthenticated);
  EXPECT_NE(r.status().message().find("hmac-mismatch"), std::string::npos);

  // Flip the hosted flag without the key: the HMAC no longer matches.
  auto container = proto::Parse<proto::ADVSignedDeviceIdentityHMAC>(container_bytes).value();
  container.set_account_type(proto::HOSTED);
  EXPECT_EQ(ProcessDeviceIdentityHmac(proto::Serialize(container).value(), f.adv_secret,
                                      f.companion, f.random)
                .status()
                .code(),
            base::Code::kUnauthenticated);

  // A bad account signature under a valid HMAC (a phone that knows the secret
  // but signed for another companion).
  crypto::KeyPair stranger = crypto::KeyPair::Generate(f.random).value();
  std::string for_stranger = BuildDeviceIdentityHmac({.account = f.account,
                                                      .companion_identity = stranger.public_key,
                                                      .adv_secret = f.adv_secret,
                                                      .identity = f.identity},
                                                     f.random)
                                 .value();
  r = ProcessDeviceIdentityHmac(for_stranger, f.adv_secret, f.companion, f.random);
  EXPECT_EQ(r.status().code(), base::Code::kUnauthenticated);
  EXPECT_NE(r.status().message().find("signature-mismatch"), std::string::npos);

  EXPECT_EQ(
      ProcessDeviceIdentityHmac("\xff\xff", f.adv_secret, f.companion, f.random).status().code(),
      base::Code::kInvalidArgument);
}

TEST(Adv, CompanionRefusesMissingKeyIndex) {
  Fixture f;
  proto::ADVDeviceIdentity details;
  details.set_raw_id(1);
  std::string details_bytes = proto::Serialize(details).value();
  proto::ADVSignedDeviceIdentity signed_identity;
  signed_identity.set_details(details_bytes);
  signed_identity.set_account_signature_key(std::string(f.account.public_key.raw()));
  signed_identity.set_account_signature(
      crypto::XeddsaSign(f.account.private_key,
                         std::string(kAccountSignaturePrefix) + details_bytes +
                             std::string(f.companion.public_key.raw()),
                         f.random)
          .value());
  std::string signed_bytes = proto::Serialize(signed_identity).value();
  proto::ADVSignedDeviceIdentityHMAC container;
  container.set_details(signed_bytes);
  container.set_hmac(crypto::HmacSha256(f.adv_secret, signed_bytes).value());
  auto r = ProcessDeviceIdentityHmac(proto::Serialize(container).value(), f.adv_secret, f.companion,
                                     f.random);
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("key index"), std::string::npos);
}

TEST(Adv, PhoneRefusesBadInputs) {
  Fixture f;
  f.identity.key_index = 0;
  EXPECT_FALSE(BuildDeviceIdentityHmac({.account = f.account,
                                        .companion_identity = f.companion.public_key,
                                        .adv_secret = f.adv_secret,
                                        .identity = f.identity},
                                       f.random)
                   .ok());
  f.identity.key_index = 1;
  EXPECT_FALSE(BuildDeviceIdentityHmac({.account = f.account,
                                        .companion_identity = f.companion.public_key,
                                        .adv_secret = "short",
                                        .identity = f.identity},
                                       f.random)
                   .ok());
}

TEST(Adv, ServerRefusesBadDeviceSignature) {
  Fixture f;
  auto pairing =
      ProcessDeviceIdentityHmac(f.Container(), f.adv_secret, f.companion, f.random).value();
  auto reply = proto::Parse<proto::ADVSignedDeviceIdentity>(pairing.reply_identity).value();

  proto::ADVSignedDeviceIdentity tampered = reply;
  std::string sig = tampered.device_signature();
  sig[5] ^= 1;
  tampered.set_device_signature(sig);
  auto r = VerifyDeviceIdentityReply(proto::Serialize(tampered).value(), f.account.public_key,
                                     f.companion.public_key);
  EXPECT_EQ(r.status().code(), base::Code::kUnauthenticated);
  EXPECT_NE(r.status().message().find("device signature"), std::string::npos);

  crypto::KeyPair stranger = crypto::KeyPair::Generate(f.random).value();
  EXPECT_EQ(
      VerifyDeviceIdentityReply(pairing.reply_identity, f.account.public_key, stranger.public_key)
          .status()
          .code(),
      base::Code::kUnauthenticated);

  tampered = reply;
  tampered.clear_device_signature();
  EXPECT_EQ(VerifyDeviceIdentityReply(proto::Serialize(tampered).value(), f.account.public_key,
                                      f.companion.public_key)
                .status()
                .code(),
            base::Code::kInvalidArgument);

  tampered = reply;
  tampered.set_account_signature_key(std::string(stranger.public_key.raw()));
  EXPECT_EQ(VerifyDeviceIdentityReply(proto::Serialize(tampered).value(), f.account.public_key,
                                      f.companion.public_key)
                .status()
                .code(),
            base::Code::kUnauthenticated);
}

}  // namespace
}  // namespace wa::pair
