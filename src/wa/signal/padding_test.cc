#include "wa/signal/padding.h"

#include <gtest/gtest.h>

#include <set>

namespace wa::signal {
namespace {

TEST(Padding, RoundTripWithAllLengths) {
  base::SeededRandom random(7);
  std::set<size_t> lengths;
  for (int i = 0; i < 400; ++i) {
    std::string message = "message " + std::to_string(i);
    std::string padded = Pad(message, random);
    size_t pad = padded.size() - message.size();
    ASSERT_GE(pad, 1u);
    ASSERT_LE(pad, 16u);  // [whatsapp-protocol.md §8.4]
    EXPECT_EQ(padded.substr(message.size()), std::string(pad, static_cast<char>(pad)));
    lengths.insert(pad);
    EXPECT_EQ(*Unpad(padded), message);
  }
  EXPECT_EQ(lengths.size(), 16u);
  EXPECT_EQ(*Unpad(Pad("", random)), "");
}

TEST(Padding, BadPaddingRefused) {
  EXPECT_EQ(Unpad("").status().code(), base::Code::kDataLoss);
  EXPECT_EQ(Unpad(std::string("abc\0", 4)).status().code(), base::Code::kDataLoss);
  EXPECT_EQ(Unpad("ab\x05").status().code(), base::Code::kDataLoss);            // P > length
  EXPECT_EQ(Unpad("abcd\x01\x03\x03").status().code(), base::Code::kDataLoss);  // mixed bytes
  EXPECT_EQ(*Unpad("\x03\x03\x03"), "");
  EXPECT_EQ(*Unpad(std::string("x") + std::string(20, '\x14')), "x");  // P > 16 accepted
}

}  // namespace
}  // namespace wa::signal
