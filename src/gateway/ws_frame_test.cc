// WebSocket framing: the RFC 6455 section 5.7 examples as known answers,
// incremental parsing at every split, and the malformed frames a client
// can send (each must fail with the right close code, never crash).
#include "gateway/ws_frame.h"

#include <gtest/gtest.h>

#include <vector>

namespace gateway::ws {
namespace {

using Event = FrameParser::Event;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

// A client frame: masked with a fixed key, FIN as asked, raw first byte
// bits (RSV) optional.
std::string ClientFrame(uint8_t opcode, std::string_view payload, bool fin = true,
                        uint8_t extra_bits = 0) {
  static constexpr uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};
  uint8_t header[kMaxHeaderSize];
  const size_t n = EncodeHeader(static_cast<Opcode>(opcode), payload.size(), header, kMask);
  header[0] = static_cast<uint8_t>((fin ? 0x80 : 0x00) | extra_bits | opcode);
  std::string out(reinterpret_cast<const char*>(header), n);
  for (size_t i = 0; i < payload.size(); ++i) {
    out += static_cast<char>(payload[i] ^ static_cast<char>(kMask[i % 4]));
  }
  return out;
}

struct Parsed {
  std::vector<Event> events;
  std::vector<std::string> payloads;  // message or control payload per event
  std::string error;
  CloseCode error_code = CloseCode::kNormal;
};

// Feeds `wire` in pieces of `step` bytes (0: all at once).
Parsed ParseAll(FrameParser& parser, std::string_view wire, size_t step = 0) {
  Parsed out;
  while (!wire.empty()) {
    const size_t n = step == 0 ? wire.size() : std::min(step, wire.size());
    std::string_view in = wire.substr(0, n);
    wire.remove_prefix(n);
    for (;;) {
      const Event e = parser.Next(in);
      if (e == Event::kNeedMore) break;
      out.events.push_back(e);
      if (e == Event::kMessage) out.payloads.push_back(parser.message());
      if (e == Event::kPing || e == Event::kPong || e == Event::kClose) {
        out.payloads.push_back(parser.control());
      }
      if (e == Event::kError) {
        out.error = parser.error();
        out.error_code = parser.error_code();
        return out;
      }
    }
  }
  return out;
}

Parsed Parse(std::string_view wire, size_t max = 1 << 20) {
  FrameParser parser(max);
  return ParseAll(parser, wire);
}

// RFC 6455 section 5.7.
TEST(WsFrame, EncodesTheRfcExamples) {
  EXPECT_EQ(EncodeFrame(Opcode::kText, "Hello"), Bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(EncodeFrame(Opcode::kPing, "Hello"), Bytes({0x89, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  uint8_t header[kMaxHeaderSize];
  ASSERT_EQ(EncodeHeader(Opcode::kBinary, 256, header), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(header), 4), Bytes({0x82, 0x7E, 0x01, 0x00}));
  ASSERT_EQ(EncodeHeader(Opcode::kBinary, 65536, header), 10u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(header), 10),
            Bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(EncodeHeader(Opcode::kText, 125, header), 2u);
  EXPECT_EQ(EncodeHeader(Opcode::kText, 126, header), 4u);
  EXPECT_EQ(EncodeHeader(Opcode::kText, 65535, header), 4u);
  // The masked "Hello" of the RFC.
  EXPECT_EQ(ClientFrame(0x1, "Hello"),
            Bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(WsFrame, ParsesTheRfcMaskedHelloAtEverySplit) {
  const std::string wire =
      Bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  for (size_t step = 1; step <= wire.size(); ++step) {
    FrameParser parser(1000);
    Parsed p = ParseAll(parser, wire, step);
    ASSERT_EQ(p.events, std::vector<Event>{Event::kMessage}) << "step " << step;
    EXPECT_EQ(p.payloads[0], "Hello");
    EXPECT_FALSE(parser.binary());
  }
}

TEST(WsFrame, FragmentedMessageWithInterleavedPing) {
  const std::string wire = ClientFrame(0x1, "Hel", false) + ClientFrame(0x9, "p") +
                           ClientFrame(0x0, "lo ", false) + ClientFrame(0x0, "wörld") +
                           ClientFrame(0x2, std::string("\x00\xff", 2)) + ClientFrame(0xA, "");
  for (size_t step : {0, 1, 3, 7}) {
    FrameParser parser(1000);
    Parsed p = ParseAll(parser, wire, step);
    ASSERT_EQ(p.events,
              (std::vector<Event>{Event::kPing, Event::kMessage, Event::kMessage, Event::kPong}))
        << "step " << step;
    EXPECT_EQ(p.payloads[0], "p");
    EXPECT_EQ(p.payloads[1], "Hello wörld");
    EXPECT_EQ(p.payloads[2], std::string("\x00\xff", 2));
    EXPECT_TRUE(parser.binary());
  }
}

TEST(WsFrame, LongLengthsAndEmptyMessages) {
  const std::string medium(300, 'a');
  const std::string large(70000, 'b');
  Parsed p = Parse(ClientFrame(0x1, medium) + ClientFrame(0x1, "") + ClientFrame(0x2, large));
  ASSERT_EQ(p.events, (std::vector<Event>{Event::kMessage, Event::kMessage, Event::kMessage}));
  EXPECT_EQ(p.payloads[0], medium);
  EXPECT_EQ(p.payloads[1], "");
  EXPECT_EQ(p.payloads[2], large);
}

TEST(WsFrame, CloseFrames) {
  FrameParser parser(100);
  const std::string wire = ClientFrame(0x8, ClosePayload(CloseCode::kGoingAway, "bye"));
  std::string_view in = wire;
  ASSERT_EQ(parser.Next(in), Event::kClose);
  EXPECT_EQ(parser.close_code(), 1001);
  EXPECT_EQ(parser.control(), "bye");
  EXPECT_TRUE(in.empty());
  // No payload: "no status code".
  FrameParser empty(100);
  const std::string bare = ClientFrame(0x8, "");
  in = bare;
  ASSERT_EQ(empty.Next(in), Event::kClose);
  EXPECT_EQ(empty.close_code(), static_cast<uint16_t>(CloseCode::kNoStatus));
}

TEST(WsFrame, ClosePayloadCutsReasonOnACharacterBoundary) {
  const std::string reason = std::string(122, 'x') + "é!";  // é straddles byte 123/124
  const std::string payload = ClosePayload(CloseCode::kTooBig, reason);
  EXPECT_LE(payload.size(), kMaxControlPayload);
  EXPECT_EQ(payload.substr(0, 2), Bytes({0x03, 0xF1}));
  EXPECT_TRUE(IsValidUtf8(payload.substr(2)));
  EXPECT_EQ(payload.size(), 2u + 122u);
}

struct Malformed {
  const char* name;
  std::string wire;
  CloseCode code;
};

TEST(WsFrame, MalformedFramesFailWithTheRightCode) {
  std::string huge_len = Bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
  std::string short_in_long = Bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4});
  std::string short_in_16 = Bytes({0x82, 0xFE, 0, 5, 1, 2, 3, 4});
  const std::vector<Malformed> cases = {
      {"unmasked", EncodeFrame(Opcode::kText, "hi"), CloseCode::kProtocolError},
      {"rsv1", ClientFrame(0x1, "hi", true, 0x40), CloseCode::kProtocolError},
      {"rsv3", ClientFrame(0x1, "hi", true, 0x10), CloseCode::kProtocolError},
      {"opcode 3", ClientFrame(0x3, "hi"), CloseCode::kProtocolError},
      {"opcode 0xB", ClientFrame(0xB, "hi"), CloseCode::kProtocolError},
      {"fragmented ping", ClientFrame(0x9, "hi", false), CloseCode::kProtocolError},
      {"ping over 125", ClientFrame(0x9, std::string(126, 'p')), CloseCode::kProtocolError},
      {"lone continuation", ClientFrame(0x0, "hi"), CloseCode::kProtocolError},
      {"text inside fragments", ClientFrame(0x1, "a", false) + ClientFrame(0x1, "b"),
       CloseCode::kProtocolError},
      {"64-bit length top bit", huge_len, CloseCode::kProtocolError},
      {"non-minimal 64-bit length", short_in_long, CloseCode::kProtocolError},
      {"non-minimal 16-bit length", short_in_16, CloseCode::kProtocolError},
      {"text not UTF-8", ClientFrame(0x1, "\xC0\xAF"), CloseCode::kInvalidPayload},
      {"fragments not UTF-8", ClientFrame(0x1, "\xE2\x82", false) + ClientFrame(0x0, "\x41"),
       CloseCode::kInvalidPayload},
      {"1-byte close", ClientFrame(0x8, "x"), CloseCode::kProtocolError},
      {"close code 1005", ClientFrame(0x8, Bytes({0x03, 0xED})), CloseCode::kProtocolError},
      {"close code 999", ClientFrame(0x8, Bytes({0x03, 0xE7})), CloseCode::kProtocolError},
      {"close code 2000", ClientFrame(0x8, Bytes({0x07, 0xD0})), CloseCode::kProtocolError},
      {"close reason not UTF-8", ClientFrame(0x8, Bytes({0x03, 0xE8, 0xFF})),
       CloseCode::kInvalidPayload},
      {"message too big", ClientFrame(0x1, std::string(101, 'x')), CloseCode::kTooBig},
      {"fragments too big",
       ClientFrame(0x1, std::string(60, 'x'), false) + ClientFrame(0x0, std::string(41, 'x')),
       CloseCode::kTooBig},
  };
  for (const auto& c : cases) {
    for (size_t step : {0, 1}) {
      FrameParser parser(100);
      Parsed p = ParseAll(parser, c.wire, step);
      ASSERT_FALSE(p.events.empty()) << c.name;
      EXPECT_EQ(p.events.back(), Event::kError) << c.name << " step " << step;
      EXPECT_EQ(p.error_code, c.code) << c.name << ": " << p.error;
      EXPECT_FALSE(p.error.empty()) << c.name;
      // Failed for good: more valid input does not revive it.
      const std::string more = ClientFrame(0x1, "ok");
      std::string_view in = more;
      EXPECT_EQ(parser.Next(in), Event::kError) << c.name;
    }
  }
}

TEST(WsFrame, TooBigIsRefusedBeforeThePayloadArrives) {
  FrameParser parser(1000);
  uint8_t header[kMaxHeaderSize];
  const uint8_t mask[4] = {1, 2, 3, 4};
  const size_t n = EncodeHeader(Opcode::kBinary, 1ULL << 40, header, mask);
  std::string_view in(reinterpret_cast<const char*>(header), n);
  EXPECT_EQ(parser.Next(in), Event::kError);
  EXPECT_EQ(parser.error_code(), CloseCode::kTooBig);
}

TEST(WsFrame, ServerFramesParseWithoutMask) {
  FrameParser parser(1000, /*require_mask=*/false);
  const std::string wire = EncodeFrame(Opcode::kText, "42[\"e\",{}]");
  std::string_view in = wire;
  ASSERT_EQ(parser.Next(in), Event::kMessage);
  EXPECT_EQ(parser.message(), "42[\"e\",{}]");
}

TEST(WsFrame, ShrinkGivesBackALargeBuffer) {
  FrameParser parser(1 << 20);
  const std::string wire = ClientFrame(0x2, std::string(100000, 'z'));
  std::string_view in = wire;
  ASSERT_EQ(parser.Next(in), Event::kMessage);
  parser.ShrinkTo(4096);
  EXPECT_LE(parser.message().capacity(), 4096u);
}

TEST(WsFrame, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9"));          // é
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a continuation first
}

}  // namespace
}  // namespace gateway::ws
