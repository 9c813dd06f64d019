#include "wa/binary/decoder.h"

#include <gtest/gtest.h>

#include "wa/binary/encoder.h"
#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;
using testing::Unhex;

Node Decode(std::string_view spaced_hex) {
  auto node = DecodeNode(Unhex(spaced_hex));
  EXPECT_TRUE(node.ok()) << spaced_hex << ": " << node.status().ToString();
  return node.ok() ? *node : Node();
}

std::string DecodeError(std::string_view bytes, const DecodeLimits& limits = {}) {
  auto node = DecodeNode(bytes, limits);
  EXPECT_FALSE(node.ok()) << node->DebugString();
  if (node.ok()) return "";
  EXPECT_EQ(node.status().code(), base::Code::kInvalidArgument);
  return node.status().message();
}

Node RichNode() {
  Node root("message");
  root.SetAttr("id", "3EB0AABBCCDDEEFF001122").SetAttr("to", J("15550100001@s.whatsapp.net"));
  root.SetAttr("participant", J("123456789012345:3@lid")).SetAttr("type", "text");
  root.SetAttr("e", "").SetAttr("notify", "caf\xC3\xA9 \xF0\x9F\x98\x80").SetAttr("n", "12.5-3");
  Node& participants = root.AddChild(Node("participants"));
  Node& to = participants.AddChild(Node("to", {{"jid", J("15550100001:0@s.whatsapp.net")}}));
  to.AddChild(Node("enc", {{"v", "2"}, {"type", "pkmsg"}}, Bytes{std::string(300, '\x07')}));
  participants.AddChild(Node("to", {{"jid", J("15550100002_7:1@s.whatsapp.net")}}));
  root.AddChild(Node("device-identity", {}, Bytes{std::string("\x00\x01\xFF", 3)}));
  root.AddChild(Node("item", {}, J("120363000000000001@g.us")));
  root.AddChild(Node("body", {}, std::string("12.5")));  // packed: stays text
  root.AddChild(Node("empty", {}, std::vector<Node>{}));
  root.AddChild(Node("fb", {{"jid", J("100000001:300@msgr")}}));
  root.AddChild(Node("interop", {{"jid", J("9-abc:4@interop")}}));
  return root;
}

TEST(Decoder, DecodesProtocolDocVectors) {
  // [whatsapp-protocol.md §4.5]
  Node ping = Decode("f80a 19 08 55 11 03 04 29 16 57 f801 f801 56");
  EXPECT_EQ(ping.DebugString(),
            "<iq id='1' to='s.whatsapp.net' type='get' xmlns='w:p'><ping/></iq>");
  EXPECT_EQ(*ping.GetAttr("to"), "s.whatsapp.net");  // the bare token is a string

  EXPECT_EQ(*Decode("f803 11 0c f7 00 03 ff86 15551234567f").GetJidAttr("jid"),
            J("15551234567:3@s.whatsapp.net"));
  EXPECT_EQ(*Decode("f803 11 0c f7 01 03 ff88 123456789012345f").GetJidAttr("jid"),
            J("123456789012345:3@lid"));
  EXPECT_EQ(*Decode("f803 11 0c fa ff88123456789012345f 76").GetJidAttr("jid"),
            J("123456789012345@lid"));
  EXPECT_EQ(*Decode("f803 fc0178 0c f7 80 63 ff86 15551234567f").GetJidAttr("jid"),
            J("15551234567:99@hosted"));
  Node group = Decode("f803 19 11 fa 00 1c");
  EXPECT_EQ(*group.GetJidAttr("to"), GroupServerJid());
  EXPECT_EQ(*Decode("f803 19 11 fa 00 03").GetJidAttr("to"), ServerJid());
  Node strings = Decode(
      "f809 fc0178 fc0161 fc03616263 fc0168 fb04deadbeef fc016c fc086465616462656566 edeb fc00");
  EXPECT_EQ(strings.DebugString(), "<x a='abc' h='DEADBEEF' l='deadbeef' e=''/>");
}

TEST(Decoder, RoundTripsEveryContentKind) {
  Node node = RichNode();
  auto bytes = EncodeNode(node);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto decoded = DecodeNode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, node) << decoded->DebugString() << "\n" << node.DebugString();
  auto again = EncodeNode(*decoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

TEST(Decoder, RawTextContentComesBackAsBytes) {
  // The wire cannot tell raw text content from bytes; like Baileys (which
  // returns a Buffer), we decode BINARY_* content as bytes.
  Node text("body", {}, std::string("hello"));
  auto node = DecodeNode(*EncodeNode(text));
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, Node("body", {}, Bytes{"hello"}));
  // Token and packed text content stays text.
  EXPECT_EQ(*DecodeNode(*EncodeNode(Node("b", {}, std::string("s.whatsapp.net")))),
            Node("b", {}, std::string("s.whatsapp.net")));
  EXPECT_EQ(*DecodeNode(*EncodeNode(Node("b", {}, std::string("DEAD")))),
            Node("b", {}, std::string("DEAD")));
}

TEST(Decoder, KeepsAdJidDeviceZeroAndUnknownAgents) {
  Jid zero = *Decode("f803 11 0c f7 00 00 ff86 15551234567f").GetJidAttr("jid");
  EXPECT_TRUE(zero.has_device());
  EXPECT_EQ(zero.ToString(), "15551234567:0@s.whatsapp.net");  // Baileys: without ":0"
  Jid odd = *Decode("f803 11 0c f7 05 02 ff86 15551234567f").GetJidAttr("jid");
  EXPECT_EQ(odd.agent(), 5);
  EXPECT_EQ(odd.ToString(), "15551234567_5:2@s.whatsapp.net");  // Baileys: without "_5"
}

TEST(Decoder, JidsOutsideTheGrammarDecodeAsBaileysStrings) {
  // JID_PAIR user "a:1" (raw), server token s.whatsapp.net.
  Node colon = Decode("f803 fc0178 fc016a fa fc03613a31 03");
  EXPECT_EQ(*colon.GetAttr("j"), "a:1@s.whatsapp.net");
  // JID_PAIR server "b@c".
  EXPECT_EQ(*Decode("f803 fc0178 fc016a fa fc0161 fc03624063").GetAttr("j"), "a@b@c");
  // AD_JID with a user holding '_': Baileys' text, device 0 not printed.
  EXPECT_EQ(*Decode("f803 fc0178 fc016a f7 01 00 fc03615f62").GetAttr("j"), "a_b@lid");
  // FB_JID off msgr, INTEROP_JID off interop.
  EXPECT_EQ(*Decode("f803 fc0178 fc016a f6 fc0175 0001 03").GetAttr("j"), "u:1@s.whatsapp.net");
  EXPECT_EQ(*Decode("f803 fc0178 fc016a f5 fc0175 0001 0002 03").GetAttr("j"),
            "2-u:1@s.whatsapp.net");
  // Typed when on their own servers.
  EXPECT_EQ(*Decode("f803 fc0178 fc016a f6 fc0175 0001 cc").GetJidAttr("j"), J("u:1@msgr"));
}

TEST(Decoder, JidsInTagAndKeyPositionsAreText) {
  Node node = Decode("f803 fa fc0161 03 fa 00 1c 55");
  EXPECT_EQ(node.tag, "a@s.whatsapp.net");
  EXPECT_EQ(*node.GetAttr("@g.us"), "1");
  EXPECT_EQ(Decode("f801 f7 00 00 fc0161").tag, "a@s.whatsapp.net");
}

TEST(Decoder, RepeatedKeyKeepsFirstPositionAndLastValue) {
  Node node = Decode("f807 fc0178 fc0161 55 fc0162 55 fc0161 cf");
  ASSERT_EQ(node.attrs.size(), 2u);
  EXPECT_EQ(node.attrs[0].key, "a");
  EXPECT_EQ(std::get<Str>(node.attrs[0].value), "12");
  EXPECT_EQ(node.attrs[1].key, "b");
}

TEST(Decoder, PackedStringsLikeBaileys) {
  EXPECT_EQ(*Decode("f803 fc0178 fc0161 ff 83 12ab3f").GetAttr("a"), "12-.3");
  // Nibble 15 inside the string is a NUL character, not an error.
  EXPECT_EQ(*Decode("f803 fc0178 fc0161 ff 02 1f23").GetAttr("a"), std::string("1\0"
                                                                               "23",
                                                                               4));
  // Odd flag with zero pairs gives "".
  EXPECT_EQ(*Decode("f803 fc0178 fc0161 ff 80").GetAttr("a"), "");
  // Hex decodes upper-case.
  EXPECT_EQ(*Decode("f803 fc0178 fc0161 fb 02 abcd").GetAttr("a"), "ABCD");
  EXPECT_EQ(DecodeError(Unhex("f803 fc0178 fc0161 ff 01 1c")),
            "decode node: invalid nibble in 0x1c at byte 10");
}

TEST(Decoder, RawStringsAreDecodedLossyLikeNode) {
  EXPECT_EQ(*Decode("f803 fc0178 fc0161 fc03 61ff62").GetAttr("a"),
            "a\xEF\xBF\xBD"
            "b");
  // Bytes content is verbatim.
  EXPECT_EQ(*Decode("f802 fc0178 fc03 61ff62").bytes(),
            "a\xFF"
            "b");
}

TEST(Decoder, EmptyListContentDiffersFromNoContent) {
  EXPECT_TRUE(Decode("f802 fc0178 00").HasChildren());
  EXPECT_FALSE(Decode("f801 fc0178").HasContent());
}

TEST(Decoder, IgnoresTopNibbleOfBinary20Length) {
  std::string body = Unhex("f802 fc0178 fd f00100");
  body += std::string(256, 'q');
  auto node = DecodeNode(body);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(node->bytes()->size(), 256u);
}

TEST(Decoder, ReportsWhatAndWhere) {
  EXPECT_EQ(DecodeError(""),
            "decode node: unexpected end of data (need 1 bytes, 0 left) at byte 0");
  EXPECT_EQ(DecodeError(Unhex("03")), "decode node: expected a list, got tag 0x03 at byte 0");
  EXPECT_EQ(DecodeError(Unhex("00")), "decode node: empty node at byte 0");
  EXPECT_EQ(DecodeError(Unhex("f800")), "decode node: empty node at byte 0");
  EXPECT_EQ(DecodeError(Unhex("f801 00")), "decode node: empty tag at byte 2");
  EXPECT_EQ(DecodeError(Unhex("f801 f0")), "decode node: invalid string tag 0xf0 at byte 2");
  EXPECT_EQ(DecodeError(Unhex("f801 19 00")), "decode node: 1 trailing bytes at byte 3");
  EXPECT_EQ(DecodeError(Unhex("f802 19 fc05 6162")),
            "decode node: unexpected end of data (need 5 bytes, 2 left) at byte 5");
  EXPECT_EQ(DecodeError(Unhex("f803 19 11 fa fa 00 03 03")),
            "decode node: jid inside a jid at byte 5");
  EXPECT_EQ(DecodeError(Unhex("f803 19 11 fa 00 00")),
            "decode node: jid with empty server at byte 6");
  EXPECT_EQ(DecodeError(Unhex("f802 19 f801 00")), "decode node: empty node at byte 5");
}

TEST(Decoder, RejectsEveryStrictPrefix) {
  auto bytes = EncodeNode(RichNode());
  ASSERT_TRUE(bytes.ok());
  for (size_t n = 0; n < bytes->size(); ++n) {
    auto node = DecodeNode(std::string_view(*bytes).substr(0, n));
    ASSERT_FALSE(node.ok()) << n;
    EXPECT_NE(node.status().message().find(" at byte "), std::string::npos);
  }
}

std::string Nested(int depth) {
  std::string body;
  for (int i = 1; i < depth; ++i) body += Unhex("f802 fc0178 f801");
  body += Unhex("f801 fc0178");
  return body;
}

TEST(Decoder, BoundsDepth) {
  EXPECT_TRUE(DecodeNode(Nested(64)).ok());
  EXPECT_EQ(DecodeError(Nested(65)), "decode node: nodes nested deeper than 64 at byte 446");
  DecodeLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(DecodeNode(Nested(3), limits).ok());
  EXPECT_FALSE(DecodeNode(Nested(4), limits).ok());
}

TEST(Decoder, BoundsAttributesChildrenElementsAndSize) {
  DecodeLimits limits;
  limits.max_attrs = 2;
  EXPECT_TRUE(DecodeNode(Unhex("f805 fc0178 fc0161 55 fc0162 55"), limits).ok());
  EXPECT_EQ(DecodeError(Unhex("f807 fc0178 fc0161 55 fc0162 55 fc0163 55"), limits),
            "decode node: 3 attributes exceed the limit of 2 at byte 0");

  limits = {};
  limits.max_children = 1;
  EXPECT_EQ(DecodeError(Unhex("f802 fc0178 f802 f801 19 f801 19"), limits),
            "decode node: 2 children exceed the limit of 1 at byte 5");

  limits = {};
  limits.max_elements = 3;
  EXPECT_TRUE(DecodeNode(Unhex("f802 fc0178 f802 f801 19 f801 19"), limits).ok());
  EXPECT_EQ(DecodeError(Unhex("f802 fc0178 f803 f801 19 f801 19 f801 19"), limits),
            "decode node: more than 3 nodes and attributes at byte 13");

  limits = {};
  limits.max_body_size = 4;
  EXPECT_EQ(DecodeError(Unhex("f802 fc0178 00"), limits),
            "decode node: body of 6 bytes exceeds the limit of 4 at byte 0");
}

TEST(Decoder, ForgedCountsFailFast) {
  // 65535 children announced, 3 bytes present; 32767 attributes announced.
  EXPECT_FALSE(DecodeNode(Unhex("f802 19 f9ffff f801 19")).ok());
  DecodeLimits limits;
  limits.max_attrs = 65535;
  EXPECT_FALSE(DecodeNode(Unhex("f9ffff 19 55 55"), limits).ok());
  // A large but legal list of minimal children decodes.
  std::string body = Unhex("f802 19 f9ffff");
  for (int i = 0; i < 65535; ++i) body += Unhex("f801 19");
  auto node = DecodeNode(body);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(node->children().size(), 65535u);
}

}  // namespace
}  // namespace wa::binary

namespace wa::binary {
namespace {

TEST(DecoderShared, SlicesLargeBytesAndKeepsTheBufferAlive) {
  Node node("message");
  node.AddChild(Node("enc", {{"v", "2"}}, Bytes(std::string(kMinSharedBytes, 'L'))));
  node.AddChild(Node("small", {}, Bytes(std::string(kMinSharedBytes - 1, 's'))));
  auto buffer = std::make_shared<const std::string>(*EncodeNode(node));
  auto decoded = DecodeNodeShared(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, node);
  const Bytes& large = *decoded->children()[0].bytes();
  EXPECT_TRUE(large.is_shared());
  EXPECT_GE(large.data(), buffer->data());
  EXPECT_LE(large.data() + large.size(), buffer->data() + buffer->size());
  EXPECT_FALSE(decoded->children()[1].bytes()->is_shared());

  std::weak_ptr<const std::string> weak = buffer;
  buffer.reset();
  EXPECT_FALSE(weak.expired());  // the node holds it
  Node copy = *decoded;
  decoded = base::InvalidArgument("dropped");
  EXPECT_FALSE(weak.expired());  // the copy still holds it
  EXPECT_EQ(copy, node);
  copy.children()[0].content = Bytes();
  EXPECT_TRUE(weak.expired());
}

TEST(DecoderShared, DecodesAPartOfTheBuffer) {
  auto payload = std::make_shared<const std::string>(
      std::string(1, '\0') + *EncodeNode(Node("x", {}, Bytes(std::string(300, 'z')))));
  auto node = DecodeNodeShared(payload, std::string_view(*payload).substr(1));
  ASSERT_TRUE(node.ok());
  EXPECT_TRUE(node->bytes()->is_shared());
  EXPECT_EQ(node->bytes()->view(), std::string(300, 'z'));
}

TEST(Bytes, OwnsOrSharesAndDetaches) {
  Bytes owned(std::string("abc"));
  EXPECT_FALSE(owned.is_shared());
  EXPECT_EQ(owned, "abc");
  Bytes moved = std::move(owned);
  EXPECT_EQ(moved.view(), "abc");

  auto buffer = std::make_shared<const std::string>("0123456789");
  Bytes slice(buffer, std::string_view(*buffer).substr(2, 3));
  EXPECT_TRUE(slice.is_shared());
  EXPECT_EQ(slice, "234");
  EXPECT_EQ(slice, Bytes(std::string("234")));
  EXPECT_EQ(slice.str(), "234");
  std::weak_ptr<const std::string> weak = buffer;
  buffer.reset();
  slice.Detach();
  EXPECT_TRUE(weak.expired());
  EXPECT_FALSE(slice.is_shared());
  EXPECT_EQ(slice, "234");
}

}  // namespace
}  // namespace wa::binary
