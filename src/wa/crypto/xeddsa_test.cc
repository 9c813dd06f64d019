#include "wa/crypto/xeddsa.h"

#include <gtest/gtest.h>
#include <signal/curve.h>
#include <signal/signal_protocol.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

// libsignal-protocol-c tests/test_curve25519.c, test_curve25519_signature:
// Alice's identity key signs her ephemeral public key (33-byte Signal form).
constexpr char kAlicePrivate[] = "c097248412e58bf05df487968205132794178e367637f5818f81e0e6ce73e865";
constexpr char kAlicePublic[] =
    "05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64";
constexpr char kAliceEphemeral[] =
    "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a";
constexpr char kAliceSignature[] =
    "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfb"
    "ede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88";

TEST(Xeddsa, VerifiesLibsignalVector) {
  auto key = PublicKey::FromSignal(Unhex(kAlicePublic));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(XeddsaVerify(*key, Unhex(kAliceEphemeral), Unhex(kAliceSignature)).ok());
  // The vector's private key gives the vector's public key.
  EXPECT_EQ(PrivateKey::FromBytes(Unhex(kAlicePrivate))->Public()->Signal(), Unhex(kAlicePublic));
  // Any single flipped bit in the signature fails.
  const std::string sig = Unhex(kAliceSignature);
  for (size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] ^= 0x01;
    EXPECT_EQ(XeddsaVerify(*key, Unhex(kAliceEphemeral), bad).code(), base::Code::kUnauthenticated)
        << i;
  }
}

// Checks a signature with libsignal's public API (curve_verify_signature).
bool LibsignalVerifies(const PublicKey& key, std::string_view message, std::string_view sig) {
  signal_context* ctx = nullptr;
  if (signal_context_create(&ctx, nullptr) != 0) return false;
  ec_public_key* pub = nullptr;
  const std::string signal_form = key.Signal();
  bool ok =
      curve_decode_point(&pub, reinterpret_cast<const uint8_t*>(signal_form.data()),
                         signal_form.size(), ctx) == 0 &&
      curve_verify_signature(pub, reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                             reinterpret_cast<const uint8_t*>(sig.data()), sig.size()) == 1;
  SIGNAL_UNREF(pub);
  signal_context_destroy(ctx);
  return ok;
}

TEST(Xeddsa, SignsWhatWeAndLibsignalVerify) {
  base::SeededRandom random(2024);
  for (int i = 0; i < 32; ++i) {  // enough keys to hit both Edwards sign bits
    auto pair = KeyPair::Generate(random);
    ASSERT_TRUE(pair.ok());
    // A signed pre-key signature covers 05 ‖ spk.pub [whatsapp-protocol.md §8.1].
    const std::string message = pair->public_key.Signal() + std::to_string(i);
    auto sig = XeddsaSign(pair->private_key, message, random);
    ASSERT_TRUE(sig.ok());
    ASSERT_EQ(sig->size(), kSignatureSize);
    EXPECT_TRUE(XeddsaVerify(pair->public_key, message, *sig).ok()) << i;
    EXPECT_TRUE(LibsignalVerifies(pair->public_key, message, *sig)) << i;
    EXPECT_EQ(XeddsaVerify(pair->public_key, message + "x", *sig).code(),
              base::Code::kUnauthenticated);
  }
}

TEST(Xeddsa, RandomisedButDeterministicForASeed) {
  auto key = PrivateKey::FromBytes(Unhex(kAlicePrivate));
  base::SeededRandom a(5), b(5), c(6);
  const std::string s1 = *XeddsaSign(*key, "msg", a);
  EXPECT_EQ(s1, *XeddsaSign(*key, "msg", b));
  const std::string s2 = *XeddsaSign(*key, "msg", c);
  EXPECT_NE(s1, s2);
  EXPECT_TRUE(XeddsaVerify(*key->Public(), "msg", s2).ok());
}

TEST(Xeddsa, UnclampedPrivateKeySignsCorrectly) {
  std::string raw = Unhex(kAlicePrivate);
  raw[0] |= 7;  // undo the clamping, as a foreign key store might hold it
  raw[31] = static_cast<char>((raw[31] | 0x80) & ~0x40);
  auto key = PrivateKey::FromBytes(raw);
  base::SeededRandom random(1);
  auto sig = XeddsaSign(*key, "hello", random);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(XeddsaVerify(*PublicKey::FromSignal(Unhex(kAlicePublic)), "hello", *sig).ok());
}

TEST(Xeddsa, EmptyMessageAndBadLengths) {
  base::SeededRandom random(3);
  auto pair = KeyPair::Generate(random);
  auto sig = XeddsaSign(pair->private_key, "", random);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(XeddsaVerify(pair->public_key, "", *sig).ok());
  EXPECT_EQ(XeddsaVerify(pair->public_key, "", sig->substr(1)).code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(XeddsaVerify(pair->public_key, "", std::string(64, '\0')).code(),
            base::Code::kUnauthenticated);
}

}  // namespace
}  // namespace wa::crypto
