#include "wa/media/media_keys.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace wa::media {
namespace {

std::string Counting32() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return key;
}

// mediaKey = 00 01 .. 1f. Expected values produced by Baileys 7.0.0-rc14
// `getMediaKeys(key, type)` and recomputed with Python's hmac (RFC 5869).
TEST(MediaKeys, MatchBaileysGetMediaKeys) {
  struct Case {
    MediaType type;
    const char* iv;
    const char* cipher_key;
    const char* mac_key;
  };
  const Case cases[] = {
      {MediaType::kImage, "aa6a127218397cbd2383e4ccf7176a79",
       "008c9aea9b7c5d81eb56b3f530f87d42dcc92d27b11ad6b5bd66f0560d0d8c46",
       "91d09ffec108833c1699574c52657923fb6e3e161d9698bc6b3a05fbc508a515"},
      {MediaType::kVideo, "f1dee5782cc4e2e7b07233b1e25de59b",
       "8564567ee06fa7006edab56a13c2b0a1431beb8efe698efad0f258e65feb5395",
       "259ad46118adcf3cd134ae881831c6865db31a8fa0bbce7bc3bcb9fcf369fcda"},
      {MediaType::kAudio, "13f8935709c20e2e8b0680f81b0dd5fb",
       "a61016c0347747b75bb8a8f6d7bcdb863ac5eb702662755054fe77db27b7c1c0",
       "9ec93580944b6656b0babacf55026028ff6c68bb134a4fd082c12b5463a3bb79"},
      {MediaType::kDocument, "25e9d370804de0bb33ea5db79453db66",
       "b75c2bed8e162ad63dd02b6b9fbda46b8ad2692e99ed0f877d0ab48a86fff790",
       "94a393dafdca1265c99e197425de98f15f7d87d34714ea901f7eefc29c99e5ac"},
      // Stickers use the image keys.
      {MediaType::kSticker, "aa6a127218397cbd2383e4ccf7176a79",
       "008c9aea9b7c5d81eb56b3f530f87d42dcc92d27b11ad6b5bd66f0560d0d8c46",
       "91d09ffec108833c1699574c52657923fb6e3e161d9698bc6b3a05fbc508a515"},
  };
  for (const Case& c : cases) {
    auto keys = MediaKeys::Derive(Counting32(), c.type);
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(base::HexEncode(keys->iv()), c.iv) << MediaTypeName(c.type);
    EXPECT_EQ(base::HexEncode(keys->cipher_key()), c.cipher_key) << MediaTypeName(c.type);
    EXPECT_EQ(base::HexEncode(keys->mac_key()), c.mac_key) << MediaTypeName(c.type);
  }
  EXPECT_EQ(base::HexEncode(MediaKeys::Derive(Counting32(), MediaType::kImage)->ref_key()),
            "4d4981725e9eb39838fcff2130508f1360cbb319f99cef163d57ab7c050a667e");
}

TEST(MediaKeys, RejectsWrongKeyLength) {
  EXPECT_EQ(MediaKeys::Derive("", MediaType::kImage).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(MediaKeys::Derive(std::string(33, 'k'), MediaType::kImage).status().code(),
            base::Code::kInvalidArgument);
}

TEST(MediaKeys, GenerateMediaKeyUsesInjectedRandom) {
  base::SeededRandom a(1), b(1);
  const std::string key = GenerateMediaKey(a);
  EXPECT_EQ(key.size(), kMediaKeySize);
  EXPECT_EQ(key, GenerateMediaKey(b));
}

}  // namespace
}  // namespace wa::media
