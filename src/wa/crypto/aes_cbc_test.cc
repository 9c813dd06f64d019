#include "wa/crypto/aes_cbc.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

// NIST SP 800-38A Appendix F.2.5 (CBC-AES256.Encrypt). The vector has no
// padding; with PKCS#7 a full padding block (16 × 0x10) follows, whose
// ciphertext block (last 16 bytes) was computed with Node's crypto.
constexpr char kKey[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
constexpr char kIv[] = "000102030405060708090a0b0c0d0e0f";
constexpr char kPlain[] =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
constexpr char kCipher[] =
    "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
    "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";
constexpr char kPadBlock[] = "3f461796d6b0d6b2e0c2a72b4d80e644";

TEST(AesCbc, Sp80038aVectorWithPkcs7) {
  auto ct = AesCbcEncrypt(Unhex(kKey), Unhex(kIv), Unhex(kPlain));
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(Hex(*ct), std::string(kCipher) + kPadBlock);
  EXPECT_EQ(Hex(*AesCbcDecrypt(Unhex(kKey), Unhex(kIv), *ct)), kPlain);
}

TEST(AesCbc, PaddingLengths) {
  const std::string key(32, 'k'), iv(16, 'i');
  for (size_t n = 0; n <= 48; ++n) {
    const std::string plain(n, 'p');
    auto ct = AesCbcEncrypt(key, iv, plain);
    ASSERT_TRUE(ct.ok());
    EXPECT_EQ(ct->size(), (n / 16 + 1) * 16) << n;
    EXPECT_EQ(*AesCbcDecrypt(key, iv, *ct), plain) << n;
  }
}

TEST(AesCbc, StreamingMatchesOneShotWithOddChunks) {
  const std::string key(32, 'k'), iv(16, 'i');
  std::string plain(1000, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i * 31);
  const std::string expected = *AesCbcEncrypt(key, iv, plain);
  for (size_t chunk : {1u, 7u, 15u, 16u, 17u, 333u, 1000u}) {
    auto enc = AesCbcStream::Encryptor(key, iv);
    ASSERT_TRUE(enc.ok());
    std::string ct;
    for (size_t at = 0; at < plain.size(); at += chunk) {
      ASSERT_TRUE(enc->Update(std::string_view(plain).substr(at, chunk), &ct).ok());
      EXPECT_EQ(ct.size() % 16, 0u);
    }
    ASSERT_TRUE(enc->Finish(&ct).ok());
    EXPECT_EQ(ct, expected) << chunk;

    auto dec = AesCbcStream::Decryptor(key, iv);
    std::string pt;
    for (size_t at = 0; at < ct.size(); at += chunk) {
      ASSERT_TRUE(dec->Update(std::string_view(ct).substr(at, chunk), &pt).ok());
    }
    ASSERT_TRUE(dec->Finish(&pt).ok());
    EXPECT_EQ(pt, plain) << chunk;
  }
}

TEST(AesCbc, BadCiphertextIsDataLoss) {
  const std::string key(32, 'k'), iv(16, 'i');
  EXPECT_EQ(AesCbcDecrypt(key, iv, "").status().code(), base::Code::kDataLoss);
  EXPECT_EQ(AesCbcDecrypt(key, iv, std::string(17, 'c')).status().code(), base::Code::kDataLoss);
  // Random blocks almost never end in valid padding; this one does not.
  std::string ct = *AesCbcEncrypt(key, iv, "hello");
  ct[15] ^= 0x55;  // flips the decrypted padding byte through CBC
  EXPECT_EQ(AesCbcDecrypt(key, iv, ct).status().code(), base::Code::kDataLoss);
  // Streaming: a truncated ciphertext fails at Finish.
  auto dec = AesCbcStream::Decryptor(key, iv);
  std::string out;
  ASSERT_TRUE(dec->Update(std::string(20, 'c'), &out).ok());
  EXPECT_EQ(dec->Finish(&out).code(), base::Code::kDataLoss);
  EXPECT_EQ(dec->Finish(&out).code(), base::Code::kFailedPrecondition);
}

TEST(AesCbc, RejectsBadKeyAndIvLengths) {
  EXPECT_EQ(AesCbcEncrypt(std::string(31, 'k'), std::string(16, 'i'), "").status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(AesCbcEncrypt(std::string(32, 'k'), std::string(12, 'i'), "").status().code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::crypto
