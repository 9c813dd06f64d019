#include "wa/pair/pair_code.h"

#include <gtest/gtest.h>

#include <cstring>

#include "base/encoding.h"

namespace wa::pair {
namespace {

// Hands out fixed bytes, for known answers.
class FixedRandom final : public base::Random {
 public:
  explicit FixedRandom(std::string bytes) : bytes_(std::move(bytes)) {}
  void Fill(void* out, size_t n) override {
    ASSERT_LE(n, bytes_.size());
    std::memcpy(out, bytes_.data(), n);
    bytes_.erase(0, n);
  }

 private:
  std::string bytes_;
};

TEST(PairCode, GeneratesBaileysCrockfordCodes) {
  // Values computed by hand from Baileys' bytesToCrockford [§6.1]:
  // 40 zero bits → "11111111"; all ones → "ZZZZZZZZ"; 00 00 00 00 01 → "11111112".
  FixedRandom zeros(std::string(5, '\0'));
  EXPECT_EQ(GeneratePairingCode(zeros), "11111111");
  FixedRandom ones(std::string(5, '\xff'));
  EXPECT_EQ(GeneratePairingCode(ones), "ZZZZZZZZ");
  FixedRandom one(std::string("\0\0\0\0\x01", 5));
  EXPECT_EQ(GeneratePairingCode(one), "11111112");
  base::SeededRandom random(1);
  for (int i = 0; i < 50; ++i) {
    std::string code = GeneratePairingCode(random);
    ASSERT_EQ(code.size(), 8u);
    for (char c : code) EXPECT_NE(kPairingCodeAlphabet.find(c), std::string_view::npos);
  }
}

TEST(PairCode, DerivesKeyWithPbkdf2) {
  auto key = DerivePairingCodeKey("ABCD1234", std::string(32, 'S'));
  ASSERT_TRUE(key.ok());
  // Known answer from Node 20: crypto.pbkdf2Sync('ABCD1234', Buffer.alloc(32, 'S'),
  // 131072, 32, 'sha256') — what Baileys' derivePairingCodeKey computes via WebCrypto.
  EXPECT_EQ(base::HexEncode(*key),
            "e8c36a41f5a4d7444673a5cfe0dd221b2cd716449efb3316309e965767942988");
  EXPECT_NE(*key, DerivePairingCodeKey("ABCD1235", std::string(32, 'S')).value());
  EXPECT_EQ(DerivePairingCodeKey("ABCD123", "salt").status().code(), base::Code::kInvalidArgument);
}

TEST(PairCode, WrapsAndUnwraps) {
  base::SeededRandom random(2);
  auto key = crypto::KeyPair::Generate(random).value();
  auto wrapped = WrapEphemeralKey("ABCD1234", key.public_key, random);
  ASSERT_TRUE(wrapped.ok());
  ASSERT_EQ(wrapped->size(), kWrappedKeySize);
  EXPECT_EQ(UnwrapEphemeralKey("ABCD1234", *wrapped).value(), key.public_key);
  // A wrong code gives another key; CTR cannot notice [§6.1].
  EXPECT_NE(UnwrapEphemeralKey("ABCD1235", *wrapped).value(), key.public_key);
  EXPECT_EQ(UnwrapEphemeralKey("ABCD1234", wrapped->substr(1)).status().code(),
            base::Code::kInvalidArgument);
}

struct Flow {
  base::SeededRandom random{3};
  std::string code = GeneratePairingCode(random);
  crypto::KeyPair companion_ephemeral = crypto::KeyPair::Generate(random).value();
  crypto::KeyPair companion_identity = crypto::KeyPair::Generate(random).value();
  crypto::KeyPair account = crypto::KeyPair::Generate(random).value();
};

TEST(PairCode, BothSidesDeriveTheSameAdvSecret) {
  Flow f;
  std::string hello = WrapEphemeralKey(f.code, f.companion_ephemeral.public_key, f.random).value();
  auto primary = BuildPrimaryHello(f.code, hello, f.random);
  ASSERT_TRUE(primary.ok()) << primary.status().ToString();
  EXPECT_EQ(primary->companion_ephemeral, f.companion_ephemeral.public_key);
  ASSERT_EQ(primary->wrapped_primary_ephemeral.size(), kWrappedKeySize);

  auto finish =
      BuildCompanionFinish({.code = f.code,
                            .pairing_ephemeral = f.companion_ephemeral,
                            .identity = f.companion_identity,
                            .wrapped_primary_ephemeral = primary->wrapped_primary_ephemeral,
                            .primary_identity = f.account.public_key},
                           f.random);
  ASSERT_TRUE(finish.ok()) << finish.status().ToString();
  EXPECT_EQ(finish->wrapped_key_bundle.size(), kKeyBundleSize);
  EXPECT_EQ(finish->adv_secret.size(), 32u);

  auto adv = ProcessCompanionFinish({.primary_ephemeral = primary->primary_ephemeral,
                                     .account = f.account,
                                     .companion_ephemeral = primary->companion_ephemeral,
                                     .wrapped_key_bundle = finish->wrapped_key_bundle,
                                     .companion_identity = f.companion_identity.public_key});
  ASSERT_TRUE(adv.ok()) << adv.status().ToString();
  EXPECT_EQ(*adv, finish->adv_secret);
}

TEST(PairCode, WrongCodeOrTamperingIsRefused) {
  Flow f;
  std::string hello = WrapEphemeralKey(f.code, f.companion_ephemeral.public_key, f.random).value();
  // The user types another code on the phone: the phone's keys are wrapped
  // with it, the companion unwraps garbage, the bundle does not open.
  std::string wrong = f.code == "11111111" ? "22222222" : "11111111";
  auto primary = BuildPrimaryHello(wrong, hello, f.random).value();
  auto finish =
      BuildCompanionFinish({.code = f.code,
                            .pairing_ephemeral = f.companion_ephemeral,
                            .identity = f.companion_identity,
                            .wrapped_primary_ephemeral = primary.wrapped_primary_ephemeral,
                            .primary_identity = f.account.public_key},
                           f.random);
  if (finish.ok()) {  // garbage unwrapped may still be a usable point
    auto adv = ProcessCompanionFinish({.primary_ephemeral = primary.primary_ephemeral,
                                       .account = f.account,
                                       .companion_ephemeral = primary.companion_ephemeral,
                                       .wrapped_key_bundle = finish->wrapped_key_bundle,
                                       .companion_identity = f.companion_identity.public_key});
    EXPECT_EQ(adv.status().code(), base::Code::kDataLoss);
  }

  // Right code, tampered bundle; then a bundle naming another companion.
  primary = BuildPrimaryHello(f.code, hello, f.random).value();
  CompanionFinishInput input{.code = f.code,
                             .pairing_ephemeral = f.companion_ephemeral,
                             .identity = f.companion_identity,
                             .wrapped_primary_ephemeral = primary.wrapped_primary_ephemeral,
                             .primary_identity = f.account.public_key};
  std::string bundle = BuildCompanionFinish(input, f.random).value().wrapped_key_bundle;
  std::string tampered = bundle;
  tampered[60] ^= 1;
  PhoneFinishInput phone{.primary_ephemeral = primary.primary_ephemeral,
                         .account = f.account,
                         .companion_ephemeral = primary.companion_ephemeral,
                         .wrapped_key_bundle = tampered,
                         .companion_identity = f.companion_identity.public_key};
  EXPECT_EQ(ProcessCompanionFinish(phone).status().code(), base::Code::kDataLoss);
  crypto::KeyPair stranger = crypto::KeyPair::Generate(f.random).value();
  PhoneFinishInput other = phone;
  other.wrapped_key_bundle = bundle;
  PhoneFinishInput with_stranger{.primary_ephemeral = primary.primary_ephemeral,
                                 .account = f.account,
                                 .companion_ephemeral = primary.companion_ephemeral,
                                 .wrapped_key_bundle = bundle,
                                 .companion_identity = stranger.public_key};
  EXPECT_EQ(ProcessCompanionFinish(with_stranger).status().code(), base::Code::kUnauthenticated);
  EXPECT_TRUE(ProcessCompanionFinish(other).ok());
  other.wrapped_key_bundle = std::string_view(bundle).substr(1);
  EXPECT_EQ(ProcessCompanionFinish(other).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::pair
