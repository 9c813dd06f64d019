#include "wa/crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised
// submission to NIST (2005), Appendix B, test cases 13–16 (256-bit keys).
struct GcmVector {
  const char* name;
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

constexpr char kKey1516[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kPlain15[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr char kPlain16[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

const GcmVector kVectors[] = {
    {"case13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case15", kKey1516, "cafebabefacedbaddecaf888", kPlain15, "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"case16", kKey1516, "cafebabefacedbaddecaf888", kPlain16,
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AesGcm, GcmSpecVectors) {
  for (const auto& v : kVectors) {
    const std::string key = Unhex(v.key), iv = Unhex(v.iv), aad = Unhex(v.aad);
    const std::string plaintext = Unhex(v.plaintext);
    auto sealed = AesGcmEncrypt(key, iv, plaintext, aad);
    ASSERT_TRUE(sealed.ok()) << v.name << ": " << sealed.status().ToString();
    EXPECT_EQ(Hex(*sealed), std::string(v.ciphertext) + v.tag) << v.name;
    auto opened = AesGcmDecrypt(key, iv, *sealed, aad);
    ASSERT_TRUE(opened.ok()) << v.name;
    EXPECT_EQ(*opened, plaintext) << v.name;
  }
}

TEST(AesGcm, KeyedObjectReusesKeyAcrossIvs) {
  auto gcm = AesGcm::Create(Unhex(kKey1516));
  ASSERT_TRUE(gcm.ok());
  for (int i = 0; i < 3; ++i) {
    auto sealed = gcm->Seal(Unhex("cafebabefacedbaddecaf888"), Unhex(kPlain16),
                            Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2"));
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(Hex(sealed->substr(sealed->size() - kGcmTagSize)),
              "76fc6ece0f4e1768cddf8853bb2d551b");
  }
  // Noise-style counter IVs: 00×8 ‖ u32be(n) [whatsapp-protocol.md §2.1].
  std::string iv(12, '\0');
  iv[11] = 1;
  auto frame = gcm->Seal(iv, "frame", "");
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(*gcm->Open(iv, *frame, ""), "frame");
}

TEST(AesGcm, RejectsTamperingWithDataLoss) {
  const std::string key(32, 'k'), iv(12, 'i');
  auto sealed = AesGcmEncrypt(key, iv, "attack at dawn", "aad");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(AesGcmDecrypt(key, iv, bad, "aad").status().code(), base::Code::kDataLoss) << i;
  }
  EXPECT_EQ(AesGcmDecrypt(key, iv, *sealed, "AAD").status().code(), base::Code::kDataLoss);
  EXPECT_EQ(AesGcmDecrypt(key, iv, sealed->substr(0, 15), "aad").status().code(),
            base::Code::kDataLoss);
  // A failed open leaves the object usable.
  auto gcm = AesGcm::Create(key);
  std::string bad = *sealed;
  bad[0] ^= 1;
  EXPECT_FALSE(gcm->Open(iv, bad, "aad").ok());
  EXPECT_EQ(*gcm->Open(iv, *sealed, "aad"), "attack at dawn");
}

TEST(AesGcm, RejectsBadKeyAndIvLengths) {
  EXPECT_EQ(AesGcmEncrypt(std::string(16, 'k'), std::string(12, 'i'), "p", "").status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(AesGcmEncrypt(std::string(32, 'k'), std::string(16, 'i'), "p", "").status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(AesGcmDecrypt(std::string(32, 'k'), "", std::string(20, 'c'), "").status().code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::crypto
