#include "wa/signal/crypto_provider.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "wa/crypto/aes_cbc.h"
#include "wa/crypto/hash.h"
#include "wa/crypto/hmac.h"
#include "wa/signal/errors.h"

namespace wa::signal {
namespace {

using internal::Buffer;
using internal::BufferString;
using internal::U8;

class CryptoProviderTest : public ::testing::Test {
 protected:
  base::SeededRandom random{9};
  signal_crypto_provider p = MakeCryptoProvider(&random);
};

TEST_F(CryptoProviderTest, RandomComesFromInjectedRandom) {
  uint8_t got[24];
  ASSERT_EQ(p.random_func(got, sizeof got, p.user_data), 0);
  base::SeededRandom same(9);
  uint8_t want[24];
  same.Fill(want, sizeof want);
  EXPECT_EQ(0, memcmp(got, want, sizeof got));
}

TEST_F(CryptoProviderTest, HmacInPieces) {
  std::string key = "key", data = "the quick brown fox";
  void* ctx = nullptr;
  ASSERT_EQ(p.hmac_sha256_init_func(&ctx, U8(key), key.size(), p.user_data), 0);
  ASSERT_EQ(p.hmac_sha256_update_func(ctx, U8(data), 4, p.user_data), 0);
  ASSERT_EQ(p.hmac_sha256_update_func(ctx, U8(data) + 4, data.size() - 4, p.user_data), 0);
  signal_buffer* out = nullptr;
  ASSERT_EQ(p.hmac_sha256_final_func(ctx, &out, p.user_data), 0);
  p.hmac_sha256_cleanup_func(ctx, p.user_data);
  Buffer holder(out);
  EXPECT_EQ(BufferString(out), *wa::crypto::HmacSha256(key, data));
}

TEST_F(CryptoProviderTest, Sha512InPiecesAndReuse) {
  void* ctx = nullptr;
  ASSERT_EQ(p.sha512_digest_init_func(&ctx, p.user_data), 0);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(p.sha512_digest_update_func(ctx, U8("ab"), 2, p.user_data), 0);
    ASSERT_EQ(p.sha512_digest_update_func(ctx, U8("c"), 1, p.user_data), 0);
    signal_buffer* out = nullptr;
    ASSERT_EQ(p.sha512_digest_final_func(ctx, &out, p.user_data), 0);
    Buffer holder(out);
    EXPECT_EQ(BufferString(out), *wa::crypto::Sha512("abc"));
  }
  p.sha512_digest_cleanup_func(ctx, p.user_data);
}

TEST_F(CryptoProviderTest, AesCbcAndCtr) {
  std::string key(32, 'k'), iv(16, 'i'), plaintext = "seventeen bytes!!";
  signal_buffer* ct = nullptr;
  ASSERT_EQ(p.encrypt_func(&ct, SG_CIPHER_AES_CBC_PKCS5, U8(key), 32, U8(iv), 16, U8(plaintext),
                           plaintext.size(), p.user_data),
            0);
  Buffer ct_holder(ct);
  EXPECT_EQ(BufferString(ct), *wa::crypto::AesCbcEncrypt(key, iv, plaintext));
  signal_buffer* pt = nullptr;
  ASSERT_EQ(p.decrypt_func(&pt, SG_CIPHER_AES_CBC_PKCS5, U8(key), 32, U8(iv), 16,
                           signal_buffer_data(ct), signal_buffer_len(ct), p.user_data),
            0);
  Buffer pt_holder(pt);
  EXPECT_EQ(BufferString(pt), plaintext);
  // Bad padding, bad lengths.
  std::string garbage(32, 'g');
  signal_buffer* bad = nullptr;
  EXPECT_LT(p.decrypt_func(&bad, SG_CIPHER_AES_CBC_PKCS5, U8(key), 32, U8(iv), 16, U8(garbage), 31,
                           p.user_data),
            0);
  EXPECT_LT(p.encrypt_func(&bad, SG_CIPHER_AES_CBC_PKCS5, U8(key), 31, U8(iv), 16, U8(garbage), 16,
                           p.user_data),
            0);
  EXPECT_LT(p.encrypt_func(&bad, 99, U8(key), 32, U8(iv), 16, U8(garbage), 16, p.user_data), 0);
  EXPECT_EQ(bad, nullptr);

  // CTR (AES-128 here): NIST SP 800-38A F.5.1, first block.
  std::string ctr_key = *base::HexDecode("2b7e151628aed2a6abf7158809cf4f3c");
  std::string ctr_iv = *base::HexDecode("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  std::string block = *base::HexDecode("6bc1bee22e409f96e93d7e117393172a");
  signal_buffer* ctr = nullptr;
  ASSERT_EQ(p.encrypt_func(&ctr, SG_CIPHER_AES_CTR_NOPADDING, U8(ctr_key), 16, U8(ctr_iv), 16,
                           U8(block), 16, p.user_data),
            0);
  Buffer ctr_holder(ctr);
  EXPECT_EQ(base::HexEncode(BufferString(ctr)), "874d6191b620e3261bef6864990db6ce");
}

TEST(SignalError, Mapping) {
  EXPECT_EQ(internal::SignalError(SG_ERR_DUPLICATE_MESSAGE, "x").code(),
            base::Code::kAlreadyExists);
  EXPECT_EQ(internal::SignalError(SG_ERR_INVALID_MAC, "x").code(), base::Code::kDataLoss);
  EXPECT_EQ(internal::SignalError(SG_ERR_NO_SESSION, "x").code(), base::Code::kNotFound);
  EXPECT_EQ(internal::SignalError(-4242, "x").code(), base::Code::kInternal);
  EXPECT_EQ(internal::SignalError(SG_ERR_INVALID_MAC, "decrypt").message(),
            "decrypt: invalid MAC (-1004)");
}

}  // namespace
}  // namespace wa::signal
