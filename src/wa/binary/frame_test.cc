#include "wa/binary/frame.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "wa/binary/encoder.h"
#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;

std::string Zlib(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(data.data()), data.size(), 9),
            Z_OK);
  out.resize(size);
  return out;
}

Node Sample() {
  Node node("message", {{"from", J("15550100001@s.whatsapp.net")}, {"id", "ABC"}});
  node.AddChild(Node("enc", {{"v", "2"}}, Bytes{std::string(5000, 'x')}));
  return node;
}

TEST(Frame, EncodesWithFlagsByte) {
  auto plain = EncodeFrame(Sample());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)[0], '\0');
  EXPECT_EQ(plain->substr(1), *EncodeNode(Sample()));

  auto compressed = EncodeFrame(Sample(), FrameCompression::kZlib);
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ((*compressed)[0], '\x02');
  EXPECT_LT(compressed->size(), plain->size());
  for (const std::string* payload : {&*plain, &*compressed}) {
    auto node = DecodeFrame(*payload);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    EXPECT_EQ(*node, Sample());
    auto body = FrameBody(*payload);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(*body, *EncodeNode(Sample()));
  }
}

TEST(Frame, IgnoresOtherFlagBits) {
  std::string payload = "\x01" + *EncodeNode(Sample());
  EXPECT_TRUE(DecodeFrame(payload).ok());
  payload = "\x03" + Zlib(*EncodeNode(Sample()));
  EXPECT_TRUE(DecodeFrame(payload).ok());
}

TEST(Frame, BoundsInflatedSize) {
  std::string body = *EncodeNode(Node("x", {}, Bytes{std::string(100000, 'a')}));
  std::string payload = "\x02" + Zlib(body);
  DecodeLimits limits;
  limits.max_body_size = body.size();
  EXPECT_TRUE(DecodeFrame(payload, limits).ok());
  limits.max_body_size = body.size() - 1;
  auto node = DecodeFrame(payload, limits);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), "decode frame: inflated body exceeds the limit of " +
                                         std::to_string(body.size() - 1) + " bytes");
}

TEST(Frame, StopsZipBombsAtTheLimit) {
  // 64 MiB of zeros compress to ~64 KiB; the default limit is 16 MiB.
  std::string bomb = "\x02" + Zlib(std::string(64 << 20, '\0'));
  auto node = DecodeFrame(bomb);
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("inflated body exceeds"), std::string::npos);
}

TEST(Frame, RejectsBadPayloads) {
  EXPECT_EQ(DecodeFrame("").status().message(), "decode frame: empty payload");
  std::string stream = Zlib(*EncodeNode(Sample()));
  EXPECT_EQ(DecodeFrame("\x02" + stream.substr(0, stream.size() - 3)).status().message(),
            "decode frame: truncated zlib stream");
  EXPECT_EQ(DecodeFrame("\x02" + stream + "zz").status().message(),
            "decode frame: 2 bytes after the zlib stream");
  EXPECT_EQ(DecodeFrame(std::string("\x02garbage"))
                .status()
                .message()
                .rfind("decode frame: bad zlib stream", 0),
            0u);
  EXPECT_EQ(DecodeFrame(std::string("\x02")).status().message(),
            "decode frame: truncated zlib stream");
  // A good stream holding a bad node reports the node error.
  EXPECT_EQ(DecodeFrame("\x02" + Zlib("\x03")).status().message(),
            "decode node: expected a list, got tag 0x03 at byte 0");
  EXPECT_EQ(DecodeFrame(std::string("\x00", 1)).status().message(),
            "decode node: unexpected end of data (need 1 bytes, 0 left) at byte 0");
}

}  // namespace
}  // namespace wa::binary

namespace wa::binary {
namespace {

TEST(FrameShared, SharesThePayloadOrTheInflatedBody) {
  auto plain = std::make_shared<const std::string>(*EncodeFrame(Sample()));
  auto node = DecodeFrameShared(plain);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, Sample());
  EXPECT_TRUE(node->children()[0].bytes()->is_shared());

  auto compressed = *EncodeFrame(Sample(), FrameCompression::kZlib);
  auto inflated = DecodeFrame(compressed);
  ASSERT_TRUE(inflated.ok());
  EXPECT_TRUE(inflated->children()[0].bytes()->is_shared());  // shares the inflated body
  auto copied = DecodeFrame(*plain);
  ASSERT_TRUE(copied.ok());
  EXPECT_FALSE(copied->children()[0].bytes()->is_shared());
  EXPECT_EQ(DecodeFrameShared(std::make_shared<const std::string>()).status().message(),
            "decode frame: empty payload");
}

}  // namespace
}  // namespace wa::binary
