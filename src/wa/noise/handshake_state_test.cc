#include "wa/noise/handshake_state.h"

#include <gtest/gtest.h>

#include "wa/crypto/hash.h"
#include "wa/noise/frame.h"
#include "wa/noise/test_util.h"

namespace wa::noise {
namespace {

using testing::Unhex;

TEST(NoiseSymmetricState, ProtocolNameIsUsedDirectlyThenPrologueMixed) {
  ASSERT_EQ(kProtocolName.size(), 32u);
  auto s = SymmetricState::Create(kWaHeader).value();
  EXPECT_EQ(s.h(), crypto::Sha256(std::string(kProtocolName) + std::string(kWaHeader)).value());
}

TEST(NoiseSymmetricState, NonceIvIsEightZerosThenBigEndianCounter) {
  EXPECT_EQ(NonceIv(0), Unhex("000000000000000000000000"));
  EXPECT_EQ(NonceIv(0x01020304), Unhex("000000000000000001020304"));
}

TEST(NoiseSymmetricState, EncryptBeforeMixKeyIsRefused) {
  auto s = SymmetricState::Create(kWaHeader).value();
  EXPECT_EQ(s.EncryptAndHash("x").status().code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(s.DecryptAndHash(std::string(16, '\0')).status().code(),
            base::Code::kFailedPrecondition);
}

TEST(NoiseSymmetricState, BothSidesAgreeAndCounterSharedAcrossDirections) {
  auto a = SymmetricState::Create(kWaHeader).value();
  auto b = SymmetricState::Create(kWaHeader).value();
  ASSERT_TRUE(a.MixKey("shared secret").ok());
  ASSERT_TRUE(b.MixKey("shared secret").ok());
  auto c1 = a.EncryptAndHash("one").value();
  EXPECT_EQ(c1.size(), 3u + 16u);
  EXPECT_EQ(b.DecryptAndHash(c1).value(), "one");
  EXPECT_EQ(a.n(), 1u);
  EXPECT_EQ(b.n(), 1u);
  // The reply travels the other way with n = 1 of the same epoch.
  auto c2 = b.EncryptAndHash("two").value();
  EXPECT_EQ(a.DecryptAndHash(c2).value(), "two");
  EXPECT_EQ(a.h(), b.h());
  // The ciphertext under n = 1 differs from one under n = 0 with the same h.
  ASSERT_TRUE(a.MixKey("again").ok());
  EXPECT_EQ(a.n(), 0u);
  auto keys_a = a.Split().value();
  ASSERT_TRUE(b.MixKey("again").ok());
  auto keys_b = b.Split().value();
  EXPECT_EQ(keys_a, keys_b);
  EXPECT_EQ(keys_a.first.size(), 32u);
  EXPECT_NE(keys_a.first, keys_a.second);
}

TEST(NoiseSymmetricState, TamperedCiphertextFailsAndLeavesHashAlone) {
  auto a = SymmetricState::Create(kWaHeader).value();
  auto b = SymmetricState::Create(kWaHeader).value();
  ASSERT_TRUE(a.MixKey("k").ok());
  ASSERT_TRUE(b.MixKey("k").ok());
  auto c = a.EncryptAndHash("payload").value();
  c[0] ^= 1;
  std::string h_before = b.h();
  EXPECT_EQ(b.DecryptAndHash(c).status().code(), base::Code::kDataLoss);
  EXPECT_EQ(b.h(), h_before);
}

TEST(NoiseSymmetricState, AadIsTheHandshakeHash) {
  auto a = SymmetricState::Create(kWaHeader).value();
  auto b = SymmetricState::Create(kWaHeader).value();
  ASSERT_TRUE(a.MixKey("k").ok());
  ASSERT_TRUE(b.MixKey("k").ok());
  ASSERT_TRUE(b.MixHash("something the other side did not see").ok());
  auto c = a.EncryptAndHash("payload").value();
  EXPECT_FALSE(b.DecryptAndHash(c).ok());
}

}  // namespace
}  // namespace wa::noise
