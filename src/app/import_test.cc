#include "app/import.h"

#include <gtest/gtest.h>

#include <sstream>

#include "store/memory/memory_store.h"

namespace app {
namespace {

constexpr char kA[] = "15550100001@s.whatsapp.net";

ImportParse Parse(const std::string& text) {
  std::istringstream in(text);
  return ParseImport(in);
}

TEST(ParseImport, GoodLines) {
  ImportParse p = Parse(
      R"({"message":{"id":"A1","jid":"15550100001@s.whatsapp.net","timestamp":"2023-11-14T22:13:20Z","content":"hi"},"chatName":"Ann"})"
      "\n\n"
      R"({"message":{"id":"A2","jid":"15550100001@s.whatsapp.net","timestamp":1700000001000,"fromMe":true}})"
      "\r\n"
      R"({"chat":{"jid":"120363012345678901@g.us","name":"Team","unreadCount":2,"updatedAt":"2023-11-14T22:00:00Z"}})"
      "\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_EQ(p.items[0].line, 1);
  EXPECT_EQ(p.items[0].hint.name, "Ann");
  EXPECT_FALSE(p.items[0].hint.is_group);
  EXPECT_EQ(p.items[1].line, 3);
  EXPECT_EQ(p.items[1].message->status, "sent");
  EXPECT_EQ(p.items[2].line, 4);
  EXPECT_FALSE(p.items[2].message.has_value());
  EXPECT_TRUE(p.items[2].chat.is_group);
}

TEST(ParseImport, BadLinesAreReportedByNumber) {
  ImportParse p = Parse(
      R"({"message":{"id":"A1","jid":"15550100001@s.whatsapp.net","timestamp":1}})"
      "\n"
      R"({"message":{"id":"A2","jid":"15550100001@s.whatsapp.net"}})"
      "\n"
      "not json\n"
      R"({"chat":{"jid":"x"},"message":{}})"
      "\n"
      R"([1])"
      "\n"
      R"({"message":{"id":"A3","jid":"15550100001@s.whatsapp.net","timestamp":1},"isGroup":"no"})"
      "\n");
  EXPECT_EQ(p.items.size(), 1u);
  ASSERT_EQ(p.errors.size(), 5u);
  EXPECT_EQ(p.errors[0], "line 2: message.timestamp is required");
  EXPECT_EQ(p.errors[1], "line 3: Unexpected token n in JSON at position 0");
  EXPECT_EQ(p.errors[2], "line 4: expected an object with either \"message\" or \"chat\"");
  EXPECT_EQ(p.errors[3], "line 5: expected a JSON object");
  EXPECT_EQ(p.errors[4], "line 6: isGroup must be a boolean");
}

TEST(ParseImport, ErrorListIsBounded) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "x\n";
  EXPECT_EQ(ParseImport(*std::make_unique<std::istringstream>(text), 20).errors.size(), 20u);
}

TEST(ApplyImport, SavesMessagesAndChats) {
  auto store = store::memory::Create();
  ImportParse p = Parse(
      R"({"message":{"id":"A1","jid":"15550100001@s.whatsapp.net","timestamp":1000},"chatName":"Ann"})"
      "\n"
      R"({"message":{"id":"A1","jid":"15550100001@s.whatsapp.net","timestamp":1000}})"
      "\n"
      R"({"message":{"id":"A2","jid":"15550100001@s.whatsapp.net","timestamp":2000,"fromMe":true}})"
      "\n"
      R"({"chat":{"jid":"120363012345678901@g.us","name":"Team"}})"
      "\n");
  ASSERT_TRUE(p.errors.empty());
  auto counts = ApplyImport(*store, "shop", p.items);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->messages, 3);
  EXPECT_EQ(counts->inserted, 2);
  EXPECT_EQ(counts->chats, 1);
  auto chat = store->GetChat("shop", kA);
  ASSERT_TRUE(chat.ok() && chat->has_value());
  EXPECT_EQ((*chat)->name, "Ann");
  EXPECT_EQ((*chat)->unread_count, 1);
  EXPECT_EQ((*chat)->last_message->id, "A2");
  auto chats = store->ListChats("shop", 10, 0);
  ASSERT_TRUE(chats.ok());
  EXPECT_EQ(chats->size(), 2u);
  // Other instances see nothing.
  EXPECT_TRUE(store->ListChats("default", 10, 0)->empty());
}

TEST(ApplyImport, StoreErrorsNameTheLine) {
  auto store = store::memory::Create();
  store->Close();
  ImportParse p = Parse(
      "\n"
      R"({"chat":{"jid":"15550100001@s.whatsapp.net"}})"
      "\n");
  auto counts = ApplyImport(*store, "default", p.items);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.status().message().rfind("line 2: ", 0), 0u) << counts.status().message();
}

}  // namespace
}  // namespace app
