#include "wa/crypto/hash.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;

// FIPS 180-2 Appendix B.1 / C.1 ("abc") and B.2 (two-block message).
TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(Hex(*Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(*Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(*Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha512, Fips180Vector) {
  EXPECT_EQ(Hex(*Sha512("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Sha256Stream, MatchesOneShotForAnySplit) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  const std::string expected = *Sha256(data);
  for (size_t chunk : {1u, 3u, 63u, 64u, 65u, 999u, 1000u}) {
    auto stream = Sha256Stream::Create();
    ASSERT_TRUE(stream.ok());
    for (size_t at = 0; at < data.size(); at += chunk) {
      ASSERT_TRUE(stream->Update(std::string_view(data).substr(at, chunk)).ok());
    }
    EXPECT_EQ(*stream->Finish(), expected) << "chunk " << chunk;
  }
}

TEST(Sha256Stream, RejectsUseAfterFinish) {
  auto stream = Sha256Stream::Create();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(stream->Update("x").code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(stream->Finish().status().code(), base::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace wa::crypto
