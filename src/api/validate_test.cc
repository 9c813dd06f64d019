#include "api/validate.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace api {
namespace {

TEST(NormalizeRecipient, AcceptsPhoneNumbersWithNoise) {
  EXPECT_EQ(*NormalizeRecipient("15550100001"), "15550100001@s.whatsapp.net");
  EXPECT_EQ(*NormalizeRecipient("+1 555-010-0001"), "15550100001@s.whatsapp.net");
  EXPECT_EQ(*NormalizeRecipient("1234567"), "1234567@s.whatsapp.net");                  // 7 digits
  EXPECT_EQ(*NormalizeRecipient("123456789012345"), "123456789012345@s.whatsapp.net");  // 15
}

TEST(NormalizeRecipient, RefusesBadPhoneNumbers) {
  for (std::string_view bad : {"", "123456", "1234567890123456", "1555O100001", "++15550100001",
                               "1555+0100001", "(555) 0100001", "1555.010.0001", "+", " - "}) {
    auto r = NormalizeRecipient(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("to must be a phone number"), std::string::npos);
  }
}

TEST(NormalizeRecipient, AcceptsChatJids) {
  for (std::string_view jid :
       {"15550100001@s.whatsapp.net", "120363012345678901@g.us", "15550100001-1612345678@g.us",
        "123456789012345@lid", "0@s.whatsapp.net"}) {
    auto r = NormalizeRecipient(jid);
    ASSERT_TRUE(r.ok()) << jid;
    EXPECT_EQ(*r, jid);
  }
}

TEST(NormalizeRecipient, RefusesOtherJids) {
  for (std::string_view jid :
       {"15550100001:3@s.whatsapp.net", "15550100001@c.us", "status@broadcast",
        "abc@s.whatsapp.net", "@s.whatsapp.net", "15550100001@S.WHATSAPP.NET", "1-2-3@g.us",
        "-1@g.us", "1-@g.us", "15550100001@lid@lid", "123456789012345678901@lid", "15550100001@",
        "15550100001@newsletter"}) {
    EXPECT_FALSE(NormalizeRecipient(jid).ok()) << jid;
  }
}

TEST(ValidateChatJidParam, NamesTheParameter) {
  EXPECT_TRUE(ValidateChatJidParam("15550100001@s.whatsapp.net").ok());
  auto r = ValidateChatJidParam("15550100001");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("jid must be a chat JID", 0), 0u);
  EXPECT_NE(r.status().message().find("\"15550100001\""), std::string::npos);
}

TEST(NormalizePhoneNumber, DigitsOnly) {
  EXPECT_EQ(*NormalizePhoneNumber("+1 555 010 0001", "phoneNumber"), "15550100001");
  auto r = NormalizePhoneNumber("15550100001@s.whatsapp.net", "phoneNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("phoneNumber must be", 0), 0u);
}

TEST(ParseIntParam, DefaultsAndBounds) {
  EXPECT_EQ(*ParseIntParam("limit", std::nullopt, 50, 1, 500), 50);
  EXPECT_EQ(*ParseIntParam("limit", "1", 50, 1, 500), 1);
  EXPECT_EQ(*ParseIntParam("limit", "500", 50, 1, 500), 500);
  for (std::string_view bad :
       {"0", "501", "-1", "", "abc", "10x", " 10", "1.5", "+5", "99999999999999999999"}) {
    auto r = ParseIntParam("limit", bad, 50, 1, 500);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "limit must be an integer between 1 and 500, got \"" + std::string(bad) + "\"");
  }
  auto off = ParseIntParam("offset", "-3", 0, 0, std::numeric_limits<int>::max());
  EXPECT_EQ(off.status().message(), "offset must be an integer >= 0, got \"-3\"");
}

TEST(Cursor, RoundTrips) {
  for (store::MessageCursor c :
       {store::MessageCursor{0, 0}, store::MessageCursor{1'700'000'000'123, 42},
        store::MessageCursor{-5, 7}, store::MessageCursor{INT64_MAX, INT64_MAX}}) {
    std::string text = EncodeCursor(c);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;  // URL-safe as is
    auto back = DecodeCursor(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, c);
  }
}

TEST(Cursor, RefusesGarbage) {
  std::vector<std::string> bad = {
      "",
      "not a cursor!",
      "djEuMS4y=",  // padding: not how we spell it
      base::Base64UrlEncode("v2.1.2"),
      base::Base64UrlEncode("v1.1"),
      base::Base64UrlEncode("v1.1.2.3"),
      base::Base64UrlEncode("v1.a.2"),
      base::Base64UrlEncode("v1.1.-2"),
      base::Base64UrlEncode("v1.01.2"),
      base::Base64UrlEncode("v1..2"),
      "djEu+S4y",  // '+' is not in the URL-safe alphabet we produce
      "djEuMS4y\n",
  };
  for (const std::string& text : bad) {
    auto r = DecodeCursor(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("before must be a cursor", 0), 0u);
  }
}

}  // namespace
}  // namespace api
