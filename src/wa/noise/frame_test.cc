#include "wa/noise/frame.h"

#include <gtest/gtest.h>

#include "wa/noise/test_util.h"

namespace wa::noise {
namespace {

using testing::Unhex;

TEST(NoiseFrame, EncodesLengthPrefix) {
  EXPECT_EQ(EncodeFrame("").value(), Unhex("000000"));
  EXPECT_EQ(EncodeFrame("\xff\xee").value(), Unhex("000002ffee"));
  std::string big(0x012345, 'x');
  EXPECT_EQ(EncodeFrame(big)->substr(0, 3), Unhex("012345"));
}

TEST(NoiseFrame, RefusesOversizedPayload) {
  std::string too_big(kMaxFrameSize + 1, '\0');
  EXPECT_EQ(EncodeFrame(too_big).status().code(), base::Code::kInvalidArgument);
}

TEST(NoiseFrame, ClientWriterPutsIntroOnFirstFrameOnly) {
  FrameWriter writer = FrameWriter::Client();
  EXPECT_EQ(writer.Write("\xff\xee").value(), Unhex("57410603000002ffee"));
  EXPECT_EQ(writer.Write("\x01").value(), Unhex("00000101"));
}

// The example of [whatsapp-protocol.md §1.2], observed with Baileys' makeNoiseHandler.
TEST(NoiseFrame, ClientWriterWithRoutingInfoAddsEdBlock) {
  FrameWriter writer = FrameWriter::Client(Unhex("0a0b0c"));
  EXPECT_EQ(writer.Write("\xff\xee").value(), Unhex("45440001000003"
                                                    "0a0b0c"
                                                    "57410603000002ffee"));
  EXPECT_EQ(writer.Write("\xff\xee").value(), Unhex("000002ffee"));
}

TEST(NoiseFrame, ServerWriterWritesNoIntro) {
  FrameWriter writer = FrameWriter::Server();
  EXPECT_EQ(writer.Write("\xff\xee").value(), Unhex("000002ffee"));
}

TEST(NoiseFrame, ParseIntroPlainAndEd) {
  auto plain = ParseIntro(Unhex("57410603000002ffee"));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(plain->has_value());
  EXPECT_EQ((*plain)->size, 4u);
  EXPECT_EQ((*plain)->routing_info, "");

  auto ed =
      ParseIntro(Unhex("45440001000003"
                       "0a0b0c"
                       "57410603000002ffee"));
  ASSERT_TRUE(ed.ok());
  ASSERT_TRUE(ed->has_value());
  EXPECT_EQ((*ed)->size, 14u);
  EXPECT_EQ((*ed)->routing_info, Unhex("0a0b0c"));
}

TEST(NoiseFrame, ParseIntroNeedsMoreOnEveryPrefix) {
  std::string full = Unhex(
      "45440001000003"
      "0a0b0c"
      "57410603");
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = ParseIntro(full.substr(0, n));
    ASSERT_TRUE(r.ok()) << n << ": " << r.status().ToString();
    EXPECT_FALSE(r->has_value()) << n;
  }
}

TEST(NoiseFrame, ParseIntroRefusesWrongHeaders) {
  for (const char* hex : {"57410503", "57410604", "00000203", "474554202f", "45450001",
                          "45440001000000"
                          "57410602"}) {
    auto r = ParseIntro(Unhex(hex));
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << hex;
    EXPECT_NE(r.status().message().find("noise: intro"), std::string::npos) << hex;
  }
  // A routing block above the bound is refused before it is buffered.
  auto big = ParseIntro(Unhex("45440001ffffff"));
  EXPECT_EQ(big.status().code(), base::Code::kResourceExhausted);
}

TEST(NoiseFrameReader, SplitInputByteByByte) {
  FrameReader reader = FrameReader::Client();
  std::string stream = Unhex(
      "000002ffee"
      "000000"
      "00000101");
  std::vector<std::string> got;
  for (char c : stream) {
    auto frames = reader.Feed(std::string_view(&c, 1));
    ASSERT_TRUE(frames.ok());
    for (auto& f : *frames) got.push_back(f);
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], Unhex("ffee"));
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2], Unhex("01"));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(NoiseFrameReader, CoalescedInputAndPartialTail) {
  FrameReader reader = FrameReader::Client();
  auto frames =
      reader.Feed(Unhex("000002ffee"
                        "00000101"
                        "000003aa"));
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ(reader.buffered(), 4u);
  frames = reader.Feed(Unhex("bbcc"));
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 1u);
  EXPECT_EQ((*frames)[0], Unhex("aabbcc"));
}

TEST(NoiseFrameReader, ServerSkipsIntroWithEdBlock) {
  FrameWriter writer = FrameWriter::Client(Unhex("0a0b0c"));
  std::string stream = writer.Write("hello").value();
  stream += writer.Write("world").value();
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameReader reader = FrameReader::Server();
    auto a = reader.Feed(stream.substr(0, cut));
    ASSERT_TRUE(a.ok()) << cut;
    auto b = reader.Feed(stream.substr(cut));
    ASSERT_TRUE(b.ok()) << cut << b.status().ToString();
    std::vector<std::string> all = *a;
    all.insert(all.end(), b->begin(), b->end());
    ASSERT_EQ(all.size(), 2u) << cut;
    EXPECT_EQ(all[0], "hello");
    EXPECT_EQ(all[1], "world");
    ASSERT_TRUE(reader.intro().has_value());
    EXPECT_EQ(reader.intro()->routing_info, Unhex("0a0b0c"));
  }
}

TEST(NoiseFrameReader, ServerRefusesMissingIntroAndStaysFailed) {
  FrameReader reader = FrameReader::Server();
  auto r = reader.Feed(Unhex("000002ffee"));
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(reader.Feed(Unhex("57410603")).status(), r.status());
}

TEST(NoiseFrameReader, RefusesFrameAboveLimit) {
  FrameReader reader = FrameReader::Client({.max_frame_size = 16});
  auto ok = reader.Feed(Unhex("000010") + std::string(16, 'a'));
  ASSERT_TRUE(ok.ok());
  auto r = reader.Feed(Unhex("000011"));
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
  EXPECT_EQ(reader.buffered(), 0u);
}

}  // namespace
}  // namespace wa::noise
