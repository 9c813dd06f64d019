#include "wa/media/fused_cipher.h"

#include <gtest/gtest.h>

#include "wa/crypto/hash.h"
#include "wa/crypto/hmac.h"
#include "wa/media/media_cipher.h"

namespace wa::media::internal {
namespace {

std::string Pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 16);
  }
  return s;
}

std::string AsString(const std::array<uint8_t, 32>& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// Restores the fused path even when a test fails half-way.
class OpenSslPathScope {
 public:
  OpenSslPathScope() { SetFusedCipherEnabledForTesting(false); }
  ~OpenSslPathScope() { SetFusedCipherEnabledForTesting(true); }
};

class FusedCipher : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FusedCipherAvailable()) GTEST_SKIP() << "CPU without AES-NI + SHA-NI";
  }
};

// The other side of every comparison is OpenSSL (wa/crypto).
TEST_F(FusedCipher, Sha256MatchesOpenSsl) {
  for (size_t size : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 1000u, 100003u}) {
    const std::string data = Pattern(size, static_cast<uint32_t>(size));
    for (size_t chunk : {1u, 7u, 64u, 100u, 1u << 20}) {
      Sha256Ni sha;
      for (size_t at = 0; at < data.size(); at += chunk) sha.Update(data.substr(at, chunk));
      EXPECT_EQ(AsString(sha.Finish()), *crypto::Sha256(data)) << size << "/" << chunk;
    }
  }
}

TEST_F(FusedCipher, HmacMatchesOpenSsl) {
  for (size_t key_size : {0u, 1u, 32u, 64u, 65u, 200u}) {
    const std::string key = Pattern(key_size, 7);
    const std::string data = Pattern(333, 9);
    HmacSha256Ni mac(key);
    mac.Update(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    EXPECT_EQ(AsString(mac.Finish()), *crypto::HmacSha256(key, data)) << key_size;
  }
}

struct Encrypted {
  std::string data;
  MediaDigest digest;
};

Encrypted Encrypt(const MediaKeys& keys, std::string_view plain, size_t chunk) {
  auto enc = MediaEncryptor::Create(keys);
  EXPECT_TRUE(enc.ok());
  Encrypted out;
  for (size_t at = 0; at < plain.size(); at += chunk) {
    EXPECT_TRUE(enc->Update(plain.substr(at, chunk), &out.data).ok());
  }
  auto digest = enc->Finish(&out.data);
  EXPECT_TRUE(digest.ok());
  if (digest.ok()) out.digest = *digest;
  return out;
}

// Every split of the stream lands the three hash streams and the CBC chain
// at different offsets; each must give OpenSSL's bytes.
TEST_F(FusedCipher, MediaEncryptionMatchesTheOpenSslPath) {
  const MediaKeys keys = *MediaKeys::Derive(Pattern(32, 3), MediaType::kDocument);
  for (size_t size : {0u, 15u, 16u, 48u, 63u, 64u, 65u, 127u, 128u, 129u, 1000u, 70001u}) {
    const std::string plain = Pattern(size, static_cast<uint32_t>(size) + 11);
    Encrypted expected;
    {
      OpenSslPathScope openssl;
      expected = Encrypt(keys, plain, plain.size() + 1);
    }
    for (size_t chunk : {1u, 5u, 16u, 17u, 48u, 63u, 64u, 65u, 1000u, 65536u + 3u, 1u << 20}) {
      if (size > 5000 && chunk < 48) continue;  // keep the test fast
      for (bool wide : {true, false}) {         // both builds of the loop
        SetWideRegistersEnabledForTesting(wide);
        const Encrypted fused = Encrypt(keys, plain, chunk);
        SetWideRegistersEnabledForTesting(true);
        ASSERT_EQ(fused.data, expected.data) << size << "/" << chunk << "/" << wide;
        EXPECT_EQ(fused.digest.file_sha256, expected.digest.file_sha256);
        EXPECT_EQ(fused.digest.file_enc_sha256, expected.digest.file_enc_sha256);
        EXPECT_EQ(fused.digest.file_length, size);
      }
    }
  }
}

TEST_F(FusedCipher, HashTogetherMatchesTwoSeparateStreams) {
  const std::string a = Pattern(1000, 5), b = Pattern(1000, 6);
  for (bool wide : {true, false}) {  // both builds of the two-stream loop
    SetWideRegistersEnabledForTesting(wide);
    for (size_t a_lead : {0u, 16u, 63u}) {
      for (size_t b_size : {0u, 1u, 64u, 200u, 1000u}) {
        Sha256Ni x, y, x_alone, y_alone;
        x.Update(a.substr(0, a_lead));
        x_alone.Update(a.substr(0, a_lead));
        HashTogether(&x, a.substr(a_lead), &y, b.substr(0, b_size));
        x_alone.Update(a.substr(a_lead));
        y_alone.Update(b.substr(0, b_size));
        EXPECT_EQ(x.Finish(), x_alone.Finish()) << a_lead << "/" << b_size << "/" << wide;
        EXPECT_EQ(y.Finish(), y_alone.Finish()) << a_lead << "/" << b_size << "/" << wide;
      }
    }
  }
  SetWideRegistersEnabledForTesting(true);
}

struct Decrypted {
  base::Status status;
  std::string plain;
  MediaDigest digest;
};

Decrypted StreamDecrypt(const MediaKeys& keys, std::string_view encrypted, size_t chunk,
                        MediaExpectations expect) {
  Decrypted out;
  auto dec = MediaDecryptor::Create(keys, std::move(expect));
  EXPECT_TRUE(dec.ok());
  for (size_t at = 0; at < encrypted.size() && out.status.ok(); at += chunk) {
    out.status = dec->Update(encrypted.substr(at, chunk), &out.plain);
  }
  if (!out.status.ok()) return out;
  auto digest = dec->Finish(&out.plain);
  out.status = digest.status();
  if (digest.ok()) out.digest = *digest;
  return out;
}

// Decryption hashes on SHA-NI when it can; the results, including the
// failures, must be the OpenSSL path's.
TEST_F(FusedCipher, MediaDecryptionMatchesTheOpenSslPath) {
  const MediaKeys keys = *MediaKeys::Derive(Pattern(32, 4), MediaType::kAudio);
  for (size_t size : {0u, 15u, 48u, 64u, 100u, 1000u, 70001u}) {
    const std::string plain = Pattern(size, static_cast<uint32_t>(size) + 3);
    const Encrypted enc = Encrypt(keys, plain, plain.size() + 1);
    const MediaExpectations expect{.file_sha256 = enc.digest.file_sha256,
                                   .file_enc_sha256 = enc.digest.file_enc_sha256,
                                   .file_length = size};
    std::string tampered = enc.data;
    tampered[tampered.size() / 2] ^= 0x20;
    for (const std::string* input : {&enc.data, static_cast<const std::string*>(&tampered)}) {
      for (size_t chunk : {1u, 11u, 64u, 1000u, 1u << 20}) {
        if (size > 5000 && chunk < 64) continue;  // keep the test fast
        Decrypted openssl;
        base::Result<std::string> openssl_one_shot = std::string();
        {
          OpenSslPathScope scope;
          openssl = StreamDecrypt(keys, *input, chunk, expect);
          openssl_one_shot = DecryptMedia(keys, *input, expect);
        }
        const Decrypted ni = StreamDecrypt(keys, *input, chunk, expect);
        EXPECT_EQ(ni.status, openssl.status) << size << "/" << chunk;
        EXPECT_EQ(ni.digest.file_sha256, openssl.digest.file_sha256);
        EXPECT_EQ(ni.digest.file_enc_sha256, openssl.digest.file_enc_sha256);
        if (ni.status.ok()) {
          EXPECT_EQ(ni.plain, plain);
        }
        const auto one_shot = DecryptMedia(keys, *input, expect);
        EXPECT_EQ(one_shot.status(), openssl_one_shot.status()) << size << "/" << chunk;
        if (one_shot.ok()) {
          EXPECT_EQ(*one_shot, plain);
        }
      }
    }
  }
}

}  // namespace
}  // namespace wa::media::internal
