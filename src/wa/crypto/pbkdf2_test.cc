#include "wa/crypto/pbkdf2.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;

// RFC 7914 §11 ("Test Vectors for PBKDF2 with HMAC-SHA-256").
TEST(Pbkdf2HmacSha256, Rfc7914Vectors) {
  EXPECT_EQ(Hex(*Pbkdf2HmacSha256("passwd", "salt", 1, 64)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  EXPECT_EQ(Hex(*Pbkdf2HmacSha256("Password", "NaCl", 80000, 64)),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

// RFC 6070's inputs with SHA-256 in place of SHA-1. These are the values
// commonly circulated as "PBKDF2-HMAC-SHA256 test vectors" (e.g. the Stack
// Overflow question of that name); recomputed here with Python's
// hashlib.pbkdf2_hmac('sha256', ...).
TEST(Pbkdf2HmacSha256, Rfc6070StyleVectors) {
  EXPECT_EQ(Hex(*Pbkdf2HmacSha256("password", "salt", 1, 32)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  EXPECT_EQ(Hex(*Pbkdf2HmacSha256("password", "salt", 4096, 32)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  EXPECT_EQ(
      Hex(*Pbkdf2HmacSha256(std::string("pass\0word", 9), std::string("sa\0lt", 5), 4096, 16)),
      "89b69d0516f829893c696226650a8687");
}

TEST(Pbkdf2HmacSha256, PairingCodeParameters) {
  // [whatsapp-protocol.md §6.1]: 2 << 16 iterations, 32 bytes.
  EXPECT_EQ(kPairingCodeIterations, 131072u);
  auto key = Pbkdf2HmacSha256("ABCD1234", std::string(32, '\x07'), kPairingCodeIterations, 32);
  ASSERT_TRUE(key.ok());
  // Python: hashlib.pbkdf2_hmac('sha256', b'ABCD1234', b'\x07' * 32, 131072, 32).
  EXPECT_EQ(Hex(*key), "3c9fb561c662b502ca2b9133821b6312ee08f3f57ade2b5e4c15434344af0a36");
}

TEST(Pbkdf2HmacSha256, RejectsBadParameters) {
  EXPECT_EQ(Pbkdf2HmacSha256("p", "s", 0, 32).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Pbkdf2HmacSha256("p", "s", 1, 0).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::crypto
