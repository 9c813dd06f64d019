#include "wa/binary/encoder.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;
using testing::Unhex;

std::string EncodeHex(const Node& node) {
  auto bytes = EncodeNode(node);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? base::HexEncode(*bytes) : "";
}

std::string H(std::string_view spaced) { return base::HexEncode(Unhex(spaced)); }

Node Ping() {
  Node ping("iq");
  ping.SetAttr("id", "1").SetAttr("to", "s.whatsapp.net").SetAttr("type", "get");
  ping.SetAttr("xmlns", "w:p");
  ping.AddChild(Node("ping"));
  return ping;
}

// The examples of [whatsapp-protocol.md §4.5], produced there by rc14 encodeBinaryNode.
TEST(Encoder, MatchesProtocolDocVectors) {
  EXPECT_EQ(EncodeHex(Ping()), H("f80a 19 08 55 11 03 04 29 16 57 f801 f801 56"));
  EXPECT_EQ(EncodeHex(Node("to", {{"jid", J("15551234567:3@s.whatsapp.net")}})),
            H("f803 11 0c f7 00 03 ff86 15551234567f"));
  EXPECT_EQ(EncodeHex(Node("to", {{"jid", J("123456789012345:3@lid")}})),
            H("f803 11 0c f7 01 03 ff88 123456789012345f"));
  EXPECT_EQ(EncodeHex(Node("to", {{"jid", J("123456789012345@lid")}})),
            H("f803 11 0c fa ff88123456789012345f 76"));
  EXPECT_EQ(EncodeHex(Node("x", {{"jid", J("15551234567:99@hosted")}})),
            H("f803 fc0178 0c f7 80 63 ff86 15551234567f"));
  EXPECT_EQ(EncodeHex(Node("iq", {{"to", J("@g.us")}})), H("f803 19 11 fa 00 1c"));
  EXPECT_EQ(EncodeHex(Node("x", {{"a", "abc"}, {"h", "DEADBEEF"}, {"l", "deadbeef"}, {"e", ""}})),
            H("f809 fc0178 fc0161 fc03616263 fc0168 fb04deadbeef fc016c fc086465616462656566 "
              "edeb fc00"));
}

// More vectors, each produced by rc14 encodeBinaryNode from the same node with
// JID values given as their text form.
TEST(Encoder, MatchesBaileysVectors) {
  // The server JID is JID_PAIR with an empty user, not the bare token [§4.5, §14.1].
  EXPECT_EQ(EncodeHex(Node("iq", {{"to", ServerJid()}})), H("f803 19 11 fa 00 03"));
  EXPECT_EQ(EncodeHex(Node("to", {{"jid", J("15551234567:0@s.whatsapp.net")}})),
            H("f803 11 0c f7 00 00 ff86 15551234567f"));
  EXPECT_EQ(EncodeHex(Node("to", {{"jid", J("15551234567_5:2@s.whatsapp.net")}})),
            H("f803 11 0c f7 05 02 ff86 15551234567f"));
  EXPECT_EQ(EncodeHex(Node("x", {{"jid", J("123456789012345:99@hosted.lid")}})),
            H("f803 fc0178 0c f7 81 63 ff88 123456789012345f"));
  EXPECT_EQ(EncodeHex(Node("x", {{"n", "123-4.5"}, {"m", "12"}, {"h", "ABC"}, {"d", "deadbeef0"}})),
            H("f809 fc0178 fc016e ff84123a4b5f fc016d cf fc0168 fb82abcf fc0164 "
              "fc09646561646265656630"));
  EXPECT_EQ(EncodeHex(Node("item", {}, J("15551234567@s.whatsapp.net"))),
            H("f802 3f fa ff8615551234567f 03"));
  EXPECT_EQ(EncodeHex(Node("x", {}, std::vector<Node>{})), H("f802 fc0178 00"));
  EXPECT_EQ(EncodeHex(Node("enc", {{"v", "2"}, {"type", "pkmsg"}}, Bytes{"\x01\x02\x03"})),
            H("f806 1d 51 45 04 53 fc03010203"));
  EXPECT_EQ(EncodeHex(Node("body", {}, std::string("hello"))), H("f802 ed75 fc0568656c6c6f"));
}

TEST(Encoder, PacksUpTo127CharactersThenGoesRaw) {
  std::string hex127 = EncodeHex(Node("x", {{"n", std::string(127, '1')}}));
  EXPECT_EQ(hex127.substr(0, 16), "f803fc0178fc016e");
  EXPECT_EQ(hex127.substr(16, 4), "ffc0");  // NIBBLE_8, 64 pairs, odd
  EXPECT_EQ(hex127.size(), (8 + 2 + 64) * 2u);
  std::string hex128 = EncodeHex(Node("x", {{"n", std::string(128, '1')}}));
  EXPECT_EQ(hex128.substr(16, 4), "fc80");  // raw BINARY_8 of 128 bytes
}

TEST(Encoder, ChoosesByteLengthForm) {
  auto prefix = [](size_t n) {
    auto bytes = EncodeNode(Node("x", {}, Bytes{std::string(n, 'z')}));
    EXPECT_TRUE(bytes.ok());
    return base::HexEncode(std::string_view(*bytes).substr(0, 8));
  };
  EXPECT_EQ(prefix(255), "f802fc0178fcff7a");
  EXPECT_EQ(prefix(256), "f802fc0178fd0001");
  EXPECT_EQ(prefix((1 << 20) - 1), "f802fc0178fd0fff");
  EXPECT_EQ(prefix(1 << 20), "f802fc0178fe0010");
}

TEST(Encoder, ChoosesListForm) {
  auto list_header = [](size_t n) {
    Node node("x");
    node.content = std::vector<Node>(n, Node("a"));
    auto bytes = EncodeNode(node);
    EXPECT_TRUE(bytes.ok());
    return base::HexEncode(std::string_view(*bytes).substr(5, 3));
  };
  EXPECT_EQ(list_header(255), "f8fff8");
  EXPECT_EQ(list_header(256), "f90100");
}

TEST(Encoder, WritesMessengerAndInteropJidsTyped) {
  // whatsmeow's forms [§4.5]; Baileys never writes them.
  EXPECT_EQ(EncodeHex(Node("x", {{"j", J("15550100001:300@msgr")}})),
            H("f803 fc0178 fc016a f6 ff86 15550100001f 012c cc"));
  EXPECT_EQ(EncodeHex(Node("x", {{"j", J("7-15550100001:2@interop")}})),
            H("f803 fc0178 fc016a f5 ff86 15550100001f 0002 0007 fc07696e7465726f70"));
}

TEST(Encoder, NeverGuessesJidsFromStrings) {
  // Baileys would write JID_PAIR here [§4.3]; a string stays a string.
  EXPECT_EQ(EncodeHex(Node("x", {{"a", "a@b"}})), H("f803 fc0178 fc0161 fc03614062"));
}

TEST(Encoder, WritesPrototypeNamesAsThemselves) {
  // Baileys writes 00 for both (its TOKEN_MAP lookup finds Object.prototype).
  EXPECT_EQ(EncodeHex(Node("x", {{"constructor", "toString"}})),
            H("f803 fc0178 fc0b636f6e7374727563746f72 fc08746f537472696e67"));
}

TEST(Encoder, RejectsUnencodableNodesAndLeavesOutputAlone) {
  std::string out = "keep";
  EXPECT_EQ(EncodeNodeTo(Node(""), &out).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(out, "keep");

  Node bad_jid("x");
  bad_jid.AddChild(Node("y", {{"jid", Jid::WithDevice("1", "g.us", 1)}}));
  base::Status status = EncodeNodeTo(bad_jid, &out);
  EXPECT_EQ(status.message(), "encode node: invalid jid \"1:1@g.us\"");
  EXPECT_EQ(out, "keep");

  Node wide("x");
  wide.content = std::vector<Node>(65536, Node("a"));
  EXPECT_FALSE(EncodeNode(wide).ok());
  Node many_attrs("x");
  for (int i = 0; i < 32768; ++i) many_attrs.attrs.push_back({std::to_string(i), "v"});
  EXPECT_FALSE(EncodeNode(many_attrs).ok());
  many_attrs.attrs.pop_back();
  EXPECT_TRUE(EncodeNode(many_attrs).ok());
}

}  // namespace
}  // namespace wa::binary
