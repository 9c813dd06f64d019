#include "wa/media/media_cipher.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "wa/crypto/hash.h"

namespace wa::media {
namespace {

std::string Counting32() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return key;
}

MediaKeys ImageKeys() { return *MediaKeys::Derive(Counting32(), MediaType::kImage); }

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 2654435761u) >> 13);
  return s;
}

// A 33-byte image with mediaKey 00..1f. Expected bytes computed with Node's
// crypto following [whatsapp-protocol.md §10.1] (the steps of Baileys'
// encryptedStream with a fixed key); the interop tests check the same
// against Baileys itself.
constexpr char kPlain[] = "wagate media test vector: 33 byte";
constexpr char kEncrypted[] =
    "6e6d50ae9c837baa517cd121d608b329111c1e465662a1089ad5fcc198d851f4"
    "fd0ce9d4b4a65f309294415e45e3e3d2"
    "8dc28c82506233e3e061";
constexpr char kFileSha256[] = "7f9a05682289869433c731e3a4b0763adee6a24ce74a997f29234c036cb59adf";
constexpr char kFileEncSha256[] =
    "238bcc5949efb783a7b47844d0178d72857fbbb9907d8245ba6ee46f9f3a08f7";

TEST(MediaCipher, KnownAnswer) {
  auto enc = EncryptMedia(ImageKeys(), kPlain);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(base::HexEncode(enc->data), kEncrypted);
  EXPECT_EQ(base::HexEncode(enc->digest.file_sha256), kFileSha256);
  EXPECT_EQ(base::HexEncode(enc->digest.file_enc_sha256), kFileEncSha256);
  EXPECT_EQ(enc->digest.file_length, 33u);

  MediaExpectations expect{.file_sha256 = *base::HexDecode(kFileSha256),
                           .file_enc_sha256 = *base::HexDecode(kFileEncSha256),
                           .file_length = 33};
  auto dec = DecryptMedia(ImageKeys(), *base::HexDecode(kEncrypted), expect);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, kPlain);
}

std::string StreamEncrypt(const MediaKeys& keys, std::string_view plain, size_t chunk,
                          MediaDigest* digest) {
  auto enc = MediaEncryptor::Create(keys);
  EXPECT_TRUE(enc.ok());
  std::string out;
  for (size_t at = 0; at < plain.size(); at += chunk) {
    EXPECT_TRUE(enc->Update(plain.substr(at, chunk), &out).ok());
  }
  auto d = enc->Finish(&out);
  EXPECT_TRUE(d.ok());
  if (d.ok()) *digest = *d;
  return out;
}

base::Result<std::string> StreamDecrypt(const MediaKeys& keys, std::string_view encrypted,
                                        size_t chunk, MediaExpectations expect = {}) {
  WAGATE_ASSIGN_OR_RETURN(MediaDecryptor dec, MediaDecryptor::Create(keys, std::move(expect)));
  std::string out;
  for (size_t at = 0; at < encrypted.size(); at += chunk) {
    WAGATE_RETURN_IF_ERROR(dec.Update(encrypted.substr(at, chunk), &out));
  }
  WAGATE_ASSIGN_OR_RETURN(MediaDigest digest, dec.Finish(&out));
  (void)digest;
  return out;
}

TEST(MediaCipher, StreamingRoundTripsWithOddChunkSizes) {
  const MediaKeys keys = ImageKeys();
  for (size_t size : {0u, 1u, 9u, 10u, 15u, 16u, 17u, 26u, 1000u, 65536u + 7u, 200003u}) {
    const std::string plain = Pattern(size);
    auto one_shot = EncryptMedia(keys, plain);
    ASSERT_TRUE(one_shot.ok());
    EXPECT_EQ(one_shot->data.size(), (size / 16 + 1) * 16 + kMediaMacSize);
    EXPECT_EQ(one_shot->digest.file_sha256, *crypto::Sha256(plain));
    EXPECT_EQ(one_shot->digest.file_enc_sha256, *crypto::Sha256(one_shot->data));
    EXPECT_EQ(one_shot->digest.file_length, size);
    for (size_t chunk : {1u, 3u, 10u, 11u, 16u, 4097u, 65536u, 1u << 20}) {
      if (size > 70000 && chunk < 1000) continue;  // keep the test fast
      MediaDigest digest;
      const std::string enc = StreamEncrypt(keys, plain, chunk, &digest);
      ASSERT_EQ(enc, one_shot->data) << size << "/" << chunk;
      EXPECT_EQ(digest.file_sha256, one_shot->digest.file_sha256);
      EXPECT_EQ(digest.file_enc_sha256, one_shot->digest.file_enc_sha256);
      auto dec = StreamDecrypt(keys, enc, chunk,
                               {.file_sha256 = digest.file_sha256,
                                .file_enc_sha256 = digest.file_enc_sha256,
                                .file_length = size});
      ASSERT_TRUE(dec.ok()) << size << "/" << chunk << ": " << dec.status().ToString();
      EXPECT_EQ(*dec, plain);
    }
    auto dec = DecryptMedia(keys, one_shot->data);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(*dec, plain);
  }
}

TEST(MediaCipher, TamperingIsDetectedAsMacMismatch) {
  const MediaKeys keys = ImageKeys();
  const std::string enc = EncryptMedia(keys, Pattern(100))->data;
  for (size_t i :
       {size_t{0}, size_t{15}, size_t{16}, enc.size() - 11, enc.size() - 10, enc.size() - 1}) {
    std::string bad = enc;
    bad[i] ^= 0x01;
    auto one = DecryptMedia(keys, bad);
    EXPECT_EQ(one.status().code(), base::Code::kDataLoss) << i;
    EXPECT_NE(one.status().message().find("mac mismatch"), std::string::npos) << i;
    for (size_t chunk : {1u, 7u, 1000u}) {
      auto streamed = StreamDecrypt(keys, bad, chunk);
      EXPECT_EQ(streamed.status().code(), base::Code::kDataLoss) << i << "/" << chunk;
      EXPECT_NE(streamed.status().message().find("mac mismatch"), std::string::npos);
    }
  }
}

TEST(MediaCipher, WrongMediaTypeFailsTheMac) {
  const std::string enc = EncryptMedia(ImageKeys(), "hello")->data;
  auto video_keys = MediaKeys::Derive(Counting32(), MediaType::kVideo);
  EXPECT_EQ(DecryptMedia(*video_keys, enc).status().code(), base::Code::kDataLoss);
}

TEST(MediaCipher, TruncatedOrShortInputs) {
  const MediaKeys keys = ImageKeys();
  const std::string enc = EncryptMedia(keys, Pattern(64))->data;
  for (size_t n : {size_t{0}, size_t{5}, size_t{9}, size_t{10}, size_t{26}, enc.size() - 1}) {
    EXPECT_EQ(DecryptMedia(keys, enc.substr(0, n)).status().code(), base::Code::kDataLoss) << n;
    EXPECT_EQ(StreamDecrypt(keys, enc.substr(0, n), 3).status().code(), base::Code::kDataLoss) << n;
  }
  // A well-formed MAC over a ciphertext that is not whole blocks: the MAC
  // passes (it covers whatever bytes are there), the padding check fails.
  auto hmac = crypto::HmacSha256Stream::Create(keys.mac_key());
  ASSERT_TRUE(hmac->Update(keys.iv()).ok());
  ASSERT_TRUE(hmac->Update("12345").ok());
  const std::string odd = "12345" + hmac->Finish()->substr(0, 10);
  EXPECT_EQ(DecryptMedia(keys, odd).status().code(), base::Code::kDataLoss);
  EXPECT_EQ(StreamDecrypt(keys, odd, 4).status().code(), base::Code::kDataLoss);
}

TEST(MediaCipher, ExpectationsAreChecked) {
  const MediaKeys keys = ImageKeys();
  auto enc = EncryptMedia(keys, "payload");
  const std::string wrong(32, '\0');
  for (const MediaExpectations& expect :
       {MediaExpectations{.file_sha256 = wrong}, MediaExpectations{.file_enc_sha256 = wrong},
        MediaExpectations{.file_length = 8}}) {
    EXPECT_EQ(DecryptMedia(keys, enc->data, expect).status().code(), base::Code::kDataLoss);
    EXPECT_EQ(StreamDecrypt(keys, enc->data, 5, expect).status().code(), base::Code::kDataLoss);
  }
}

TEST(MediaCipher, UseAfterFinishIsRefused) {
  auto enc = MediaEncryptor::Create(ImageKeys());
  std::string out;
  ASSERT_TRUE(enc->Finish(&out).ok());
  EXPECT_EQ(enc->Update("x", &out).code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(enc->Finish(&out).status().code(), base::Code::kFailedPrecondition);

  auto dec = MediaDecryptor::Create(ImageKeys());
  std::string plain;
  ASSERT_TRUE(dec->Update(out, &plain).ok());
  ASSERT_TRUE(dec->Finish(&plain).ok());
  EXPECT_TRUE(plain.empty());
  EXPECT_EQ(dec->Update("x", &plain).code(), base::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace wa::media
