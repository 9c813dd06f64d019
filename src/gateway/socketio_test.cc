#include "gateway/socketio.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace gateway::sio {
namespace {

boost::json::value J(std::string_view text) { return boost::json::parse(text); }

// Examples from the socket.io-protocol v5 README.
TEST(SocketIoPacket, EncodesProtocolExamples) {
  EXPECT_EQ(Encode({PacketType::kConnect, "/", std::nullopt, J(R"({"sid":"abc"})")}),
            R"(0{"sid":"abc"})");
  EXPECT_EQ(Encode({PacketType::kConnect, "/admin", std::nullopt, std::nullopt}), "0/admin,");
  EXPECT_EQ(Encode({PacketType::kDisconnect, "/admin", std::nullopt, std::nullopt}), "1/admin,");
  EXPECT_EQ(Encode({PacketType::kEvent, "/", std::nullopt, J(R"(["foo"])")}), R"(2["foo"])");
  EXPECT_EQ(Encode({PacketType::kEvent, "/admin", 12, J(R"(["bar"])")}), R"(2/admin,12["bar"])");
  EXPECT_EQ(Encode({PacketType::kAck, "/admin", 13, J(R"(["bar"])")}), R"(3/admin,13["bar"])");
  EXPECT_EQ(
      Encode({PacketType::kConnectError, "/", std::nullopt, J(R"({"message":"Unauthorized"})")}),
      R"(4{"message":"Unauthorized"})");
  EXPECT_EQ(Encode({PacketType::kBinaryEvent, "/", std::nullopt,
                    J(R"(["baz",{"_placeholder":true,"num":0}])"), 1}),
            R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(
      Encode({PacketType::kBinaryAck, "/admin", 15, J(R"([{"_placeholder":true,"num":0}])"), 1}),
      R"(61-/admin,15[{"_placeholder":true,"num":0}])");
}

TEST(SocketIoPacket, DecodesProtocolExamples) {
  auto c = Decode(R"(0{"token":"123"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->type, PacketType::kConnect);
  EXPECT_EQ(c->nsp, "/");
  EXPECT_EQ(c->data->as_object().at("token").as_string(), "123");

  auto admin = Decode("0/admin,");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->nsp, "/admin");
  EXPECT_FALSE(admin->data);

  auto e = Decode(R"(2/admin,12["bar",{"a":1}])");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type, PacketType::kEvent);
  EXPECT_EQ(e->nsp, "/admin");
  EXPECT_EQ(e->id, 12u);
  EXPECT_EQ(boost::json::serialize(*e->data), R"(["bar",{"a":1}])");

  auto b = Decode(R"(51-["baz",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, PacketType::kBinaryEvent);
  EXPECT_EQ(b->attachments, 1u);
  EXPECT_FALSE(b->id);

  auto ba = Decode(R"(62-/admin,15[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(ba->attachments, 2u);
  EXPECT_EQ(ba->nsp, "/admin");
  EXPECT_EQ(ba->id, 15u);

  auto d = Decode("1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, PacketType::kDisconnect);
}

TEST(SocketIoPacket, RoundTrips) {
  for (std::string_view text :
       {R"(0)", R"(0{"token":"t","since":5})", R"(2["ping"])", R"(21["ping",{"x":[1,2]}])",
        R"(3/x,7[])", R"(4/admin,{"message":"Invalid namespace"})", R"(4"oops")",
        R"(51-9["up",{"_placeholder":true,"num":0}])"}) {
    auto p = Decode(text);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    EXPECT_EQ(Encode(*p), text);
  }
}

TEST(SocketIoPacket, RefusesMalformedPackets) {
  for (std::string_view text : {
           "",                                            // empty
           "7",                                           // unknown type
           "x[]",                                         // not a digit
           "2",                                           // event without data
           "2[]",                                         // event without a name
           R"(2[{"a":1}])",                               // name not a string
           R"(2{"a":1})",                                 // event data not an array
           "2[\"a\"",                                     // truncated JSON
           R"(0[1])",                                     // connect data not an object
           R"(1{"a":1})",                                 // disconnect with data
           R"(3["x"])",                                   // ack without id
           R"(4[1])",                                     // connect_error with an array
           R"(5["a"])",                                   // binary without count
           R"(5x-["a"])",                                 // bad count
           R"(599-["a"])",                                // too many attachments
           R"(51-["a",{"_placeholder":true,"num":1}])",   // placeholder out of range
           R"(51-["a",{"_placeholder":true,"num":-1}])",  // negative placeholder
           R"(2999999999999999999999["a"])",              // ack id overflow
       }) {
    EXPECT_FALSE(Decode(text).ok()) << text;
  }
  // Deep nesting parses (boost.json bounds depth) without crashing.
  std::string deep = "2[\"a\",";
  for (int i = 0; i < 10000; ++i) deep += '[';
  EXPECT_FALSE(Decode(deep).ok());
}

TEST(SocketIoBinary, AssemblesAttachmentsAndFillsPlaceholders) {
  auto p = Decode(R"(52-["up",{"a":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(p.ok());
  BinaryAssembler assembler;
  assembler.Start(std::move(p).value());
  EXPECT_TRUE(assembler.busy());
  EXPECT_FALSE(assembler.Add(std::string("\x01\x02", 2)));
  auto done = assembler.Add("hi");
  ASSERT_TRUE(done);
  EXPECT_FALSE(assembler.busy());
  ASSERT_EQ(done->buffers.size(), 2u);
  boost::json::value data = *done->packet.data;
  ASSERT_TRUE(FillPlaceholders(data, done->buffers).ok());
  EXPECT_EQ(boost::json::serialize(data), R"(["up",{"a":"aGk="},"AQI="])");
  boost::json::value bad = J(R"([{"_placeholder":true,"num":3}])");
  EXPECT_FALSE(FillPlaceholders(bad, done->buffers).ok());
  EXPECT_EQ(boost::json::serialize(Placeholder(2)), R"({"_placeholder":true,"num":2})");
}

}  // namespace
}  // namespace gateway::sio
