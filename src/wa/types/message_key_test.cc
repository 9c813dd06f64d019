#include "wa/types/message_key.h"

#include <gtest/gtest.h>

namespace wa {
namespace {

TEST(MessageKey, ComparesAllFieldsAndPrints) {
  MessageKey a{Jid("120363000000000001", "g.us"), false, "3EB0AABBCCDDEEFF001122",
               Jid("15550100001", "s.whatsapp.net")};
  MessageKey b = a;
  EXPECT_EQ(a, b);
  b.participant.reset();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.ToString(),
            "120363000000000001@g.us/0/3EB0AABBCCDDEEFF001122/15550100001@s.whatsapp.net");
  MessageKey mine{Jid("15550100002", "s.whatsapp.net"), true, "ABC", std::nullopt};
  EXPECT_EQ(mine.ToString(), "15550100002@s.whatsapp.net/1/ABC");
}

}  // namespace
}  // namespace wa
