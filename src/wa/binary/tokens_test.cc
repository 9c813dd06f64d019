#include "wa/binary/tokens.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wa::binary {
namespace {

TEST(Tokens, KnownEntries) {
  // [whatsapp-protocol.md §4.4, §4.5]
  EXPECT_EQ(SingleByteToken(0), "");
  EXPECT_EQ(SingleByteToken(1), "xmlstreamstart");
  EXPECT_EQ(SingleByteToken(2), "xmlstreamend");
  EXPECT_EQ(SingleByteToken(3), "s.whatsapp.net");
  EXPECT_EQ(SingleByteToken(0x19), "iq");
  EXPECT_EQ(SingleByteToken(0x1c), "g.us");
  EXPECT_EQ(SingleByteToken(0x76), "lid");
  EXPECT_EQ(SingleByteToken(235).empty(), false);
  EXPECT_EQ(SingleByteToken(236), "");
  EXPECT_EQ(SingleByteToken(255), "");
  EXPECT_EQ(DoubleByteToken(1, 0xeb), "e");
  EXPECT_EQ(DoubleByteToken(0, 0), "read-self");
}

TEST(Tokens, EveryTokenIsFoundAtItsOwnCode) {
  std::set<std::string> seen;
  for (int i = 1; i < static_cast<int>(kSingleByteTokenCount); ++i) {
    std::string_view token = SingleByteToken(static_cast<uint8_t>(i));
    auto code = FindToken(token);
    ASSERT_TRUE(code.has_value()) << token;
    EXPECT_FALSE(code->is_double);
    EXPECT_EQ(code->index, i);
    EXPECT_TRUE(seen.insert(std::string(token)).second) << token;
  }
  for (int d = 0; d < static_cast<int>(kDoubleByteDictionaryCount); ++d) {
    for (int i = 0; i < static_cast<int>(kDoubleByteDictionarySize); ++i) {
      std::string_view token = DoubleByteToken(static_cast<uint8_t>(d), static_cast<uint8_t>(i));
      auto code = FindToken(token);
      ASSERT_TRUE(code.has_value()) << token;
      EXPECT_TRUE(code->is_double);
      EXPECT_EQ(code->dictionary, d);
      EXPECT_EQ(code->index, i);
      EXPECT_TRUE(seen.insert(std::string(token)).second) << token;
    }
  }
  EXPECT_EQ(seen.size(), 235u + 4 * 256);
}

TEST(Tokens, NonTokensAreNotFound) {
  EXPECT_FALSE(FindToken(""));
  EXPECT_FALSE(FindToken("constructor"));  // Baileys' TOKEN_MAP finds Object.prototype here
  EXPECT_FALSE(FindToken("toString"));
  EXPECT_FALSE(FindToken("IQ"));
  EXPECT_FALSE(FindToken("s.whatsapp.ne"));
  EXPECT_FALSE(FindToken(std::string(1000, 'a')));
}

}  // namespace
}  // namespace wa::binary
