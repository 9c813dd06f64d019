#include "wa/crypto/hkdf_sha256.h"

#include <gtest/gtest.h>

#include "wa/crypto/test_util.h"

namespace wa::crypto {
namespace {

using testing::Hex;
using testing::Unhex;

std::string Range(int from, int to) {  // bytes from..to-1
  std::string s;
  for (int i = from; i < to; ++i) s += static_cast<char>(i);
  return s;
}

// RFC 5869 Appendix A.1: basic test case with SHA-256.
TEST(HkdfSha256, Rfc5869Case1) {
  const std::string ikm(22, '\x0b');
  const std::string salt = Range(0x00, 0x0d);
  const std::string info = Range(0xf0, 0xfa);
  EXPECT_EQ(Hex(*HkdfSha256Extract(salt, ikm)),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  const std::string okm =
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
  EXPECT_EQ(Hex(*HkdfSha256({.ikm = ikm, .salt = salt, .info = info, .length = 42})), okm);
  EXPECT_EQ(Hex(*HkdfSha256Expand(*HkdfSha256Extract(salt, ikm), info, 42)), okm);
}

// RFC 5869 Appendix A.2: longer inputs and outputs.
TEST(HkdfSha256, Rfc5869Case2) {
  auto okm = HkdfSha256({.ikm = Range(0x00, 0x50),
                         .salt = Range(0x60, 0xb0),
                         .info = Range(0xb0, 0x100),
                         .length = 82});
  EXPECT_EQ(Hex(*okm),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

// RFC 5869 Appendix A.3: zero-length salt and info — the form media keys use.
TEST(HkdfSha256, Rfc5869Case3NoSaltNoInfo) {
  const std::string ikm(22, '\x0b');
  EXPECT_EQ(Hex(*HkdfSha256Extract("", ikm)),
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  EXPECT_EQ(Hex(*HkdfSha256({.ikm = ikm, .length = 42})),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
  // "Not provided" equals HashLen zero bytes (RFC 5869 §2.2).
  EXPECT_EQ(*HkdfSha256({.ikm = ikm, .length = 42}),
            *HkdfSha256({.ikm = ikm, .salt = std::string(32, '\0'), .length = 42}));
}

// Noise Split() derives from an empty input key [whatsapp-protocol.md §2.2].
// Expected value computed with Python's hmac (RFC 5869 by hand).
TEST(HkdfSha256, EmptyIkmIsAllowed) {
  auto okm = HkdfSha256({.ikm = "", .salt = std::string(32, '\x01'), .length = 64});
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(Hex(*okm),
            "b5a5789af1d00c74773ef327dc63f0f11c7041252d4916c43a252b92e3358ad2"
            "72d7e204fba7b0ac19964ebcba5e88e3609cb8c3cafa4b940945df49da83680f");
}

TEST(HkdfSha256, RejectsBadLengths) {
  EXPECT_EQ(HkdfSha256({.ikm = "k", .length = 0}).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(HkdfSha256({.ikm = "k", .length = 8161}).status().code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(HkdfSha256({.ikm = "k", .length = 8160}).ok());
  EXPECT_EQ(HkdfSha256Expand("short prk", "", 32).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::crypto
