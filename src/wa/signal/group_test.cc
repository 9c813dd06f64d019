#include "wa/signal/group.h"

#include <gtest/gtest.h>

#include "wa/signal/test_util.h"

namespace wa::signal {
namespace {

using testing::Party;

constexpr char kGroup[] = "120363000000000001@g.us";

TEST(SenderKeyName, ToString) {
  SenderKeyName name{kGroup, Address::ForUser("100000000000002", 1, 0)};
  EXPECT_EQ(name.ToString(), "120363000000000001@g.us::100000000000002_1::0");  // [§8.3]
}

TEST(Group, DistributeEncryptDecrypt) {
  Party a{1, Address::ForUser("100000000000001", 1, 0)};
  Party b{2, Address::ForUser("100000000000002", 1, 5)};
  Party c{3, Address{"15550003333", 0}};
  SenderKeyName name{kGroup, a.address};

  auto skdm = CreateSenderKeyDistribution(*a.stores, name);
  ASSERT_TRUE(skdm.ok()) << skdm.status().ToString();
  EXPECT_EQ(static_cast<unsigned char>((*skdm)[0]), 0x33);
  EXPECT_EQ(a.kv.GetOne(kSenderKeyType, name.ToString())->has_value(), true);
  // Asking again does not rotate the key.
  EXPECT_EQ(*CreateSenderKeyDistribution(*a.stores, name), *skdm);

  ASSERT_TRUE(ProcessSenderKeyDistribution(*b.stores, name, *skdm).ok());
  ASSERT_TRUE(ProcessSenderKeyDistribution(*c.stores, name, *skdm).ok());

  std::vector<std::string> messages;
  for (int i = 0; i < 4; ++i) {
    auto skmsg = GroupEncrypt(*a.stores, name, "group " + std::to_string(i));
    ASSERT_TRUE(skmsg.ok()) << skmsg.status().ToString();
    messages.push_back(*skmsg);
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(*GroupDecrypt(*b.stores, name, messages[i]), "group " + std::to_string(i));
  }
  // C gets them out of order, and after a restart.
  c.Open();
  EXPECT_EQ(*GroupDecrypt(*c.stores, name, messages[3]), "group 3");
  EXPECT_EQ(*GroupDecrypt(*c.stores, name, messages[1]), "group 1");
  EXPECT_EQ(GroupDecrypt(*c.stores, name, messages[1]).status().code(), base::Code::kAlreadyExists);
  EXPECT_EQ(*GroupDecrypt(*c.stores, name, messages[0]), "group 0");

  // Errors: unknown sender, tampered signature, garbage, no own key.
  SenderKeyName unknown{kGroup, Address{"15550009999", 0}};
  EXPECT_EQ(GroupDecrypt(*b.stores, unknown, messages[0]).status().code(), base::Code::kNotFound);
  std::string tampered = messages[2];
  tampered[tampered.size() - 70] ^= 1;
  EXPECT_EQ(GroupDecrypt(*c.stores, name, tampered).status().code(), base::Code::kDataLoss);
  EXPECT_EQ(*GroupDecrypt(*c.stores, name, messages[2]), "group 2");
  EXPECT_EQ(GroupDecrypt(*c.stores, name, "junk").status().code(), base::Code::kDataLoss);
  EXPECT_EQ(ProcessSenderKeyDistribution(*c.stores, name, "junk").code(), base::Code::kDataLoss);
  EXPECT_EQ(GroupEncrypt(*b.stores, SenderKeyName{kGroup, b.address}, "x").status().code(),
            base::Code::kNotFound);
}

TEST(Group, BothDirections) {
  Party a{1, Address{"15550001111", 0}};
  Party b{2, Address{"15550002222", 0}};
  SenderKeyName from_a{kGroup, a.address};
  SenderKeyName from_b{kGroup, b.address};
  ASSERT_TRUE(ProcessSenderKeyDistribution(*b.stores, from_a,
                                           *CreateSenderKeyDistribution(*a.stores, from_a))
                  .ok());
  ASSERT_TRUE(ProcessSenderKeyDistribution(*a.stores, from_b,
                                           *CreateSenderKeyDistribution(*b.stores, from_b))
                  .ok());
  EXPECT_EQ(*GroupDecrypt(*b.stores, from_a, *GroupEncrypt(*a.stores, from_a, "from a")), "from a");
  EXPECT_EQ(*GroupDecrypt(*a.stores, from_b, *GroupEncrypt(*b.stores, from_b, "from b")), "from b");
}

}  // namespace
}  // namespace wa::signal
