#include "wa/signal/keygen.h"

#include <gtest/gtest.h>

#include "wa/crypto/curve25519.h"
#include "wa/crypto/xeddsa.h"

namespace wa::signal {
namespace {

TEST(Keygen, IdentitySignedPreKeyAndPreKeys) {
  base::SeededRandom random(3);
  auto identity = GenerateIdentityKeyPair(random);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->public_key.size(), 32u);
  EXPECT_EQ(identity->private_key.size(), 32u);
  auto derived = wa::crypto::KeyPair::FromPrivate(identity->private_key);
  EXPECT_EQ(derived->public_key.raw(), identity->public_key);

  auto spk = GenerateSignedPreKey(*identity, 1, random);
  ASSERT_TRUE(spk.ok());
  EXPECT_EQ(spk->id, 1u);
  EXPECT_EQ(spk->signature.size(), 64u);
  auto identity_public = wa::crypto::PublicKey::FromRaw(identity->public_key).value();
  // The signature covers the 33-byte Signal form [whatsapp-protocol.md §8.1].
  EXPECT_TRUE(
      wa::crypto::XeddsaVerify(identity_public, "\x05" + spk->key_pair.public_key, spk->signature)
          .ok());
  EXPECT_FALSE(
      wa::crypto::XeddsaVerify(identity_public, spk->key_pair.public_key, spk->signature).ok());

  auto pre_keys = GeneratePreKeys(812, 5, random);
  ASSERT_TRUE(pre_keys.ok());
  ASSERT_EQ(pre_keys->size(), 5u);
  EXPECT_EQ((*pre_keys)[0].id, 812u);
  EXPECT_EQ((*pre_keys)[4].id, 816u);
  EXPECT_NE((*pre_keys)[0].key_pair.public_key, (*pre_keys)[1].key_pair.public_key);
}

TEST(Keygen, Ranges) {
  base::SeededRandom random(4);
  for (int i = 0; i < 1000; ++i) {
    uint32_t id = GenerateRegistrationId(random);
    EXPECT_GE(id, 1u);
    EXPECT_LT(id, 1u << 14);
  }
  KeyPairBytes identity = *GenerateIdentityKeyPair(random);
  EXPECT_EQ(GenerateSignedPreKey(identity, 0, random).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(GeneratePreKeys(0, 1, random).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(GeneratePreKeys(kMaxPreKeyId, 2, random).status().code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(GeneratePreKeys(kMaxPreKeyId, 1, random).ok());
}

}  // namespace
}  // namespace wa::signal
