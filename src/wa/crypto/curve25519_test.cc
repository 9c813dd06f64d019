#include "wa/crypto/curve25519.h"

#include <gtest/gtest.h>
#include <signal/curve.h>
#include <signal/signal_protocol.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

// RFC 7748 §5.2, first X25519 test vector (scalar × arbitrary u-coordinate).
TEST(X25519, Rfc7748ScalarMultVector) {
  auto k = PrivateKey::FromBytes(
      Unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
  auto u =
      PublicKey::FromRaw(Unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  EXPECT_EQ(Hex(*SharedSecret(*k, *u)),
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

// RFC 7748 §6.1 (Diffie-Hellman).
TEST(X25519, Rfc7748DiffieHellman) {
  auto alice = KeyPair::FromPrivate(
      Unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = KeyPair::FromPrivate(
      Unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(Hex(alice->public_key.raw()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(Hex(bob->public_key.raw()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const char kShared[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  EXPECT_EQ(Hex(*SharedSecret(alice->private_key, bob->public_key)), kShared);
  EXPECT_EQ(Hex(*SharedSecret(bob->private_key, alice->public_key)), kShared);
}

// libsignal-protocol-c tests/test_curve25519.c, test_curve25519_agreement:
// keys in Signal form (05 prefix).
TEST(X25519, LibsignalAgreementVector) {
  auto alice_public = PublicKey::FromSignal(
      Unhex("051bb75966f2e93a3691dfff942bb2a466a1c08b8d78ca3f4d6df8b8bfa2e4ee28"));
  auto bob_private = PrivateKey::FromBytes(
      Unhex("b03b34c33a1c44f225b662d2bf4859b8135411fa7b0386d45fb75dc5b91b4466"));
  ASSERT_TRUE(alice_public.ok() && bob_private.ok());
  EXPECT_EQ(Hex(*SharedSecret(*bob_private, *alice_public)),
            "325f239328941ced6e673b86ba41017448e99b649a9c3806c1dd7ca4c477e629");
}

TEST(Curve25519, GenerateClampsAndIsDeterministicUnderSeededRandom) {
  base::SeededRandom r1(42), r2(42);
  auto a = KeyPair::Generate(r1);
  auto b = KeyPair::Generate(r2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->private_key.bytes(), b->private_key.bytes());
  EXPECT_EQ(a->public_key, b->public_key);
  const auto k = a->private_key.bytes();
  EXPECT_EQ(static_cast<unsigned char>(k[0]) & 7, 0);
  EXPECT_EQ(static_cast<unsigned char>(k[31]) & 0xc0, 0x40);
}

// Our public key derivation (OpenSSL) agrees with libsignal's (curve25519-donna).
TEST(Curve25519, PublicKeyMatchesLibsignal) {
  signal_context* ctx = nullptr;
  ASSERT_EQ(signal_context_create(&ctx, nullptr), 0);
  base::SeededRandom random(7);
  for (int i = 0; i < 20; ++i) {
    auto pair = KeyPair::Generate(random);
    ASSERT_TRUE(pair.ok());
    ec_private_key* priv = nullptr;
    ec_public_key* pub = nullptr;
    signal_buffer* serialized = nullptr;
    const auto bytes = pair->private_key.bytes();
    ASSERT_EQ(curve_decode_private_point(&priv, reinterpret_cast<const uint8_t*>(bytes.data()),
                                         bytes.size(), ctx),
              0);
    ASSERT_EQ(curve_generate_public_key(&pub, priv), 0);
    ASSERT_EQ(ec_public_key_serialize(&serialized, pub), 0);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(signal_buffer_data(serialized)),
                          signal_buffer_len(serialized)),
              pair->public_key.Signal());
    signal_buffer_free(serialized);
    SIGNAL_UNREF(pub);
    SIGNAL_UNREF(priv);
  }
  signal_context_destroy(ctx);
}

TEST(PublicKey, RawAndSignalForms) {
  const std::string raw(32, '\x11');
  auto key = PublicKey::FromRaw(raw);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->raw(), raw);
  EXPECT_EQ(key->Signal(), "\x05" + raw);
  EXPECT_EQ(*PublicKey::FromSignal(key->Signal()), *key);
  EXPECT_EQ(*PublicKey::Parse(raw), *key);
  EXPECT_EQ(*PublicKey::Parse("\x05" + raw), *key);
  EXPECT_EQ(PublicKey::FromSignal("\x06" + raw).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromSignal(raw).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromRaw("\x05" + raw).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(PublicKey::Parse("").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromBytes(std::string(31, 'k')).status().code(),
            base::Code::kInvalidArgument);
}

// An unclamped private key imports unchanged and behaves as its clamped form.
TEST(PrivateKey, UnclampedImportKeepsBytes) {
  std::string raw(32, '\xff');
  auto key = PrivateKey::FromBytes(raw);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->bytes(), raw);
  std::string clamped = raw;
  ClampPrivateKey(clamped.data());
  EXPECT_EQ(*key->Public(), *PrivateKey::FromBytes(clamped)->Public());
}

// RFC 7748 §6.1: the all-zero output (here from u = 0) must be refused.
TEST(X25519, RejectsLowOrderPeer) {
  base::SeededRandom random(1);
  auto mine = PrivateKey::Generate(random);
  auto zero = PublicKey::FromRaw(std::string(32, '\0'));
  EXPECT_EQ(SharedSecret(mine, *zero).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::crypto
