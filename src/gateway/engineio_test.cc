#include "gateway/engineio.h"

#include <gtest/gtest.h>

namespace gateway::eio {
namespace {

TEST(EngineIoPacket, EncodesEveryType) {
  EXPECT_EQ(EncodePacket({PacketType::kOpen, R"({"sid":"x"})"}), R"(0{"sid":"x"})");
  EXPECT_EQ(EncodePacket({PacketType::kClose, ""}), "1");
  EXPECT_EQ(EncodePacket({PacketType::kPing, "probe"}), "2probe");
  EXPECT_EQ(EncodePacket({PacketType::kPong, ""}), "3");
  EXPECT_EQ(EncodePacket({PacketType::kMessage, "hello"}), "4hello");
  EXPECT_EQ(EncodePacket({PacketType::kUpgrade, ""}), "5");
  EXPECT_EQ(EncodePacket({PacketType::kNoop, ""}), "6");
}

TEST(EngineIoPacket, BinaryIsBase64InText) {
  // engine.io-protocol v4 README: a binary message [1, 2, 3, 4] is "bAQIDBA==".
  const std::string bytes("\x01\x02\x03\x04", 4);
  EXPECT_EQ(EncodePacket(BinaryMessage(bytes)), "bAQIDBA==");
  auto p = DecodePacket("bAQIDBA==");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->binary);
  EXPECT_EQ(p->type, PacketType::kMessage);
  EXPECT_EQ(p->data, bytes);
}

TEST(EngineIoPacket, DecodesTextPackets) {
  auto p = DecodePacket("4hello €");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->type, PacketType::kMessage);
  EXPECT_EQ(p->data, "hello €");
  EXPECT_FALSE(p->binary);
  auto probe = DecodePacket("2probe");
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(probe->type, PacketType::kPing);
  EXPECT_EQ(probe->data, "probe");
}

TEST(EngineIoPacket, RefusesMalformedPackets) {
  EXPECT_FALSE(DecodePacket("").ok());
  EXPECT_FALSE(DecodePacket("7").ok());
  EXPECT_FALSE(DecodePacket("x").ok());
  EXPECT_FALSE(DecodePacket("b!!!").ok());
  EXPECT_FALSE(DecodePacket(std::string_view("\0", 1)).ok());
}

TEST(EngineIoPayload, RoundTripsWithRecordSeparator) {
  // engine.io-protocol v4 README example: "4hello\x1e4€\x1ebAQIDBA==".
  std::vector<Packet> packets = {
      {PacketType::kMessage, "hello"},
      {PacketType::kMessage, "€"},
      BinaryMessage(std::string("\x01\x02\x03\x04", 4)),
  };
  const std::string payload = EncodePayload(packets);
  EXPECT_EQ(payload,
            "4hello\x1e"
            "4€\x1e"
            "bAQIDBA==");
  auto decoded = DecodePayload(payload, 10);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, packets);
}

TEST(EngineIoPayload, SinglePacketAndLimits) {
  auto one = DecodePayload("2", 10);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].type, PacketType::kPing);
  EXPECT_FALSE(DecodePayload("", 10).ok());
  EXPECT_FALSE(DecodePayload("4a\x1e", 10).ok());  // empty trailing packet
  EXPECT_FALSE(DecodePayload("\x1e"
                             "4a",
                             10)
                   .ok());
  EXPECT_FALSE(DecodePayload("4a\x1e"
                             "9",
                             10)
                   .ok());
  EXPECT_FALSE(DecodePayload("4a\x1e"
                             "4b\x1e"
                             "4c",
                             2)
                   .ok());
  EXPECT_TRUE(DecodePayload("4a\x1e"
                            "4b",
                            2)
                  .ok());
}

TEST(EngineIoErrors, MatchEngineIoServer) {
  EXPECT_EQ(ErrorJson(ErrorCode::kUnknownSid), R"({"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(ErrorJson(ErrorCode::kUnknownTransport), R"({"code":0,"message":"Transport unknown"})");
  EXPECT_EQ(ErrorJson(ErrorCode::kUnsupportedProtocolVersion),
            R"({"code":5,"message":"Unsupported protocol version"})");
}

}  // namespace
}  // namespace gateway::eio
