#include "wa/crypto/aes_ctr.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

// NIST SP 800-38A Appendix F.5.5 (CTR-AES256.Encrypt) and F.5.6 (Decrypt).
TEST(AesCtr, Sp80038aVector) {
  const std::string key = Unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const std::string counter = Unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const std::string plain = Unhex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  const std::string cipher =
      "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
      "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6";
  EXPECT_EQ(Hex(*AesCtrEncrypt(key, counter, plain)), cipher);
  EXPECT_EQ(*AesCtrDecrypt(key, counter, Unhex(cipher)), plain);
  // Partial final block: a prefix of the same keystream.
  EXPECT_EQ(Hex(*AesCtrEncrypt(key, counter, plain.substr(0, 21))), cipher.substr(0, 42));
}

TEST(AesCtr, RejectsBadLengths) {
  EXPECT_EQ(AesCtrEncrypt(std::string(32, 'k'), std::string(12, 'i'), "x").status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(AesCtrEncrypt(std::string(16, 'k'), std::string(16, 'i'), "x").status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(*AesCtrEncrypt(std::string(32, 'k'), std::string(16, 'i'), ""), "");
}

}  // namespace
}  // namespace wa::crypto
