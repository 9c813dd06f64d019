#include "wa/signal/address.h"

#include <gtest/gtest.h>

namespace wa::signal {
namespace {

// [whatsapp-protocol.md §8.3]
TEST(Address, V7Names) {
  EXPECT_EQ(Address::ForUser("15550002222", 0, 3).ToString(), "15550002222.3");
  EXPECT_EQ(Address::ForUser("100000000000002", 1, 0).ToString(), "100000000000002_1.0");
  EXPECT_EQ(Address::ForUser("15550002222", 128, 99).ToString(), "15550002222_128.99");
  EXPECT_EQ(Address::ForUser("100000000000002", 129, 99).ToString(), "100000000000002_129.99");
}

TEST(Address, Parse) {
  auto address = Address::Parse("100000000000002_1.7");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->name, "100000000000002_1");
  EXPECT_EQ(address->device, 7u);
  for (const char* bad : {"", "abc", ".1", "abc.", "abc.x", "abc.-1", "abc.1x"}) {
    EXPECT_EQ(Address::Parse(bad).status().code(), base::Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace wa::signal
