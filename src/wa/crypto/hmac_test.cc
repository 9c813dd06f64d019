#include "wa/crypto/hmac.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;

// RFC 4231 §4.2, §4.3, §4.7, §4.8 (HMAC-SHA-256 column).
TEST(HmacSha256, Rfc4231Vectors) {
  EXPECT_EQ(Hex(*HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(*HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string big_key(131, '\xaa');
  EXPECT_EQ(Hex(*HmacSha256(big_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(Hex(*HmacSha256(big_key,
                            "This is a test using a larger than block-size key and a larger "
                            "than block-size data. The key needs to be hashed before being "
                            "used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// An empty key is legal HMAC (a key of 64 zero bytes); value from Python's
// hmac.new(b'', b'', 'sha256').
TEST(HmacSha256, EmptyKeyAndMessage) {
  EXPECT_EQ(Hex(*HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Stream, MatchesOneShotForAnySplit) {
  const std::string key = "media mac key of some length....";
  std::string data(777, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i ^ 0x5a);
  const std::string expected = *HmacSha256(key, data);
  for (size_t chunk : {1u, 10u, 64u, 100u, 777u}) {
    auto stream = HmacSha256Stream::Create(key);
    ASSERT_TRUE(stream.ok());
    for (size_t at = 0; at < data.size(); at += chunk) {
      ASSERT_TRUE(stream->Update(std::string_view(data).substr(at, chunk)).ok());
    }
    EXPECT_EQ(*stream->Finish(), expected) << "chunk " << chunk;
  }
}

TEST(HmacSha256Stream, RejectsUseAfterFinish) {
  auto stream = HmacSha256Stream::Create("k");
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(stream->Update("x").code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(stream->Finish().status().code(), base::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace wa::crypto
