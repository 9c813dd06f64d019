#include "base/random.h"

#include <gtest/gtest.h>

#include <set>

namespace base {
namespace {

TEST(Random, TokenUsesOnlyTheAlphabet) {
  SeededRandom r(7);
  std::string t = r.Token(1000, "ab");
  EXPECT_EQ(t.size(), 1000u);
  EXPECT_EQ(t.find_first_not_of("ab"), std::string::npos);
  EXPECT_NE(t.find('a'), std::string::npos);
  EXPECT_NE(t.find('b'), std::string::npos);
}

TEST(Random, SecureBytesDiffer) {
  auto& r = SecureRandom::Instance();
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) seen.insert(r.Bytes(16));
  EXPECT_EQ(seen.size(), 16u);
}

TEST(Random, SeededIsDeterministic) {
  SeededRandom a(1), b(1);
  EXPECT_EQ(a.Bytes(33), b.Bytes(33));
}

}  // namespace
}  // namespace base
