#include "wa/crypto/secure_memory.h"

#include <gtest/gtest.h>

namespace wa::crypto {
namespace {

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Wipe, ZeroesAndClears) {
  char buf[4] = {1, 2, 3, 4};
  Wipe(buf, sizeof buf);
  for (char c : buf) EXPECT_EQ(c, 0);
  std::string s = "secret";
  Wipe(s);
  EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace wa::crypto
