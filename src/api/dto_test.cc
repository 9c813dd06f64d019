#include "api/dto.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace api {
namespace {

namespace json = boost::json;

store::MessageRecord Sample() {
  store::MessageRecord m;
  m.id = "3EB0A1";
  m.jid = "15550100001@s.whatsapp.net";
  m.sender = "15550100001@s.whatsapp.net";
  m.type = "text";
  m.content = "hi";
  m.timestamp_ms = 1'700'000'000'123;
  m.status = "delivered";
  m.seq = 7;
  return m;
}

TEST(MessageToJson, EveryFieldPresentEmptyTextIsNull) {
  json::object o = MessageToJson(Sample());
  EXPECT_EQ(json::serialize(o),
            R"({"id":"3EB0A1","jid":"15550100001@s.whatsapp.net",)"
            R"("sender":"15550100001@s.whatsapp.net","fromMe":false,"type":"text",)"
            R"("content":"hi","caption":null,"mimeType":null,"fileName":null,"size":0,)"
            R"("timestamp":"2023-11-14T22:13:20.123Z","status":"delivered","pushName":null,)"
            R"("quotedId":null,"seq":7})");
}

TEST(MessageToJson, MediaFieldsAndQuote) {
  store::MessageRecord m = Sample();
  m.type = "image";
  m.caption = "look";
  m.mime_type = "image/jpeg";
  m.file_name = "a.jpg";
  m.size = 1234;
  m.push_name = "Ann";
  m.quoted_id = "3EB0A0";
  m.from_me = true;
  json::object o = MessageToJson(m);
  EXPECT_EQ(o.at("caption"), "look");
  EXPECT_EQ(o.at("mimeType"), "image/jpeg");
  EXPECT_EQ(o.at("fileName"), "a.jpg");
  EXPECT_EQ(o.at("size"), 1234);
  EXPECT_EQ(o.at("pushName"), "Ann");
  EXPECT_EQ(o.at("quotedId"), "3EB0A0");
  EXPECT_EQ(o.at("fromMe"), true);
}

TEST(ChatToJson, Shape) {
  store::ChatRecord c;
  c.jid = "15550100001@s.whatsapp.net";
  c.unread_count = 2;
  c.updated_at_ms = 0;
  json::object o = ChatToJson(c);
  EXPECT_EQ(json::serialize(o),
            R"({"jid":"15550100001@s.whatsapp.net","name":null,"isGroup":false,)"
            R"("unreadCount":2,"lastMessage":null,"updatedAt":"1970-01-01T00:00:00.000Z"})");
  c.name = "Ann";
  c.last_message = Sample();
  o = ChatToJson(c);
  EXPECT_EQ(o.at("name"), "Ann");
  EXPECT_EQ(o.at("lastMessage").at("id"), "3EB0A1");
}

TEST(SessionStateToJson, Shape) {
  service::SessionState s;
  s.instance = "default";
  s.status = "closed";
  s.since_ms = 0;
  EXPECT_EQ(json::serialize(SessionStateToJson(s)),
            R"({"instanceName":"default","status":"closed","me":null,)"
            R"("lastDisconnect":null,"since":"1970-01-01T00:00:00.000Z"})");
  s.me = R"({"jid":"15550100001@s.whatsapp.net","name":"Me"})";
  s.last_disconnect = service::DisconnectInfo{"transient", "connection lost", 428, 1000};
  json::object o = SessionStateToJson(s);
  EXPECT_EQ(o.at("me").at("name"), "Me");
  EXPECT_EQ(json::serialize(o.at("lastDisconnect")),
            R"({"kind":"transient","reason":"connection lost","code":428,)"
            R"("date":"1970-01-01T00:00:01.000Z"})");
  s.me = "not json";
  EXPECT_TRUE(SessionStateToJson(s).at("me").is_null());
}

TEST(MessageFromJson, RoundTripsThroughToJson) {
  store::MessageRecord m = Sample();
  m.quoted_id = "Q";
  m.caption = "c";
  auto back = MessageFromJson(MessageToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  m.seq = 0;  // the store assigns it
  EXPECT_EQ(*back, m);
}

TEST(MessageFromJson, DefaultsAndEpochMs) {
  auto m = MessageFromJson(
      json::parse(R"({"id":"A","jid":"15550100001@s.whatsapp.net","timestamp":1700000000000})"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->sender, "15550100001@s.whatsapp.net");
  EXPECT_EQ(m->type, "text");
  EXPECT_EQ(m->status, "delivered");
  EXPECT_EQ(m->timestamp_ms, 1'700'000'000'000);
  auto mine = MessageFromJson(json::parse(
      R"({"id":"B","jid":"15550100001@s.whatsapp.net","fromMe":true,"timestamp":"2023-11-14T22:13:20Z"})"));
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->status, "sent");
  EXPECT_EQ(mine->sender, "");
  EXPECT_EQ(mine->timestamp_ms, 1'700'000'000'000);
}

TEST(MessageFromJson, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* message_prefix;
  } cases[] = {
      {R"([])", "message must be an object"},
      {R"({"jid":"15550100001@s.whatsapp.net","timestamp":1})", "message.id is required"},
      {R"({"id":"A","timestamp":1})", "message.jid is required"},
      {R"({"id":"A","jid":"bob","timestamp":1})", "message.jid must be a chat JID"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net"})", "message.timestamp is required"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net","timestamp":"yesterday"})",
       "message.timestamp must be an ISO-8601"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net","timestamp":1,"type":"gif"})",
       "message.type must be one of"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net","timestamp":1,"status":"seen"})",
       "message.status must be one of"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net","timestamp":1,"fromMe":"yes"})",
       "message.fromMe must be a boolean"},
      {R"({"id":"A","jid":"1555010@s.whatsapp.net","timestamp":1,"size":-1})",
       "message.size must be an integer >= 0"},
      {R"({"id":7,"jid":"1555010@s.whatsapp.net","timestamp":1})", "message.id must be a string"},
      {R"({"id":"A","jid":"120363012345678901@g.us","timestamp":1})",
       "message.sender is required for group messages"},
  };
  for (const Case& c : cases) {
    auto m = MessageFromJson(json::parse(c.json));
    ASSERT_FALSE(m.ok()) << c.json;
    EXPECT_EQ(m.status().message().rfind(c.message_prefix, 0), 0u)
        << c.json << " → " << m.status().message();
  }
}

TEST(ChatFromJson, ParsesAndDerives) {
  auto c = ChatFromJson(json::parse(
      R"({"jid":"120363012345678901@g.us","name":"Team","unreadCount":3,)"
      R"("lastMessage":{"id":"A","jid":"120363012345678901@g.us","sender":"15550100001@s.whatsapp.net","timestamp":5000}})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->is_group);
  EXPECT_EQ(c->unread_count, 3);
  EXPECT_EQ(c->updated_at_ms, 5000);
  ASSERT_TRUE(c->last_message.has_value());
  auto bad = ChatFromJson(json::parse(
      R"({"jid":"15550100001@s.whatsapp.net","lastMessage":{"id":"A","jid":"15550100002@s.whatsapp.net","timestamp":1}})"));
  EXPECT_EQ(bad.status().message(), "chat.lastMessage.jid must equal chat.jid");
}

}  // namespace
}  // namespace api
