// A decoded tree lives in an arena owned by its root (node.h): these tests
// pin down that every node of it stays a safe value — moved out, copied,
// changed, kept after the input and the root are gone.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;

// Strings of every kind the decoder makes: tokens, raw strings longer than
// Str's inline room, packed digits, JIDs (typed and as text), short and long
// bytes.
Node Sample() {
  const std::string long_text(40, 'x');
  return Node("message",
              {{"id", "3EB0C7F1A4D2E98B51F2A03EB0C7F1A4D2E98B51F2A0"},
               {"to", J("15550100002@s.whatsapp.net")},
               {"type", "text"},
               {"t", "1700000000"}},
              std::vector<Node>{
                  Node("participants", {},
                       std::vector<Node>{
                           Node("to", {{"jid", J("15550100001:3@s.whatsapp.net")}},
                                std::vector<Node>{Node("enc", {{"v", "2"}, {"type", "msg"}},
                                                       Bytes(std::string(300, 'e')))}),
                           Node("to", {{"jid", J("123456789012345@lid")}},
                                std::vector<Node>{Node("enc", {{"v", "2"}, {"type", "pkmsg"}},
                                                       Bytes(std::string(20, 'p')))}),
                       }),
                  Node("a-rather-long-tag-that-is-no-token", {{long_text, long_text}},
                       std::string("123456789012345678901234567890")),
                  Node("device-identity", {}, Bytes(std::string(130, 'd'))),
                  Node("empty", {}, std::vector<Node>{}),
              });
}

// Decodes `node` from a buffer that is overwritten and freed right after.
Node DecodeFromTemporaryBuffer(const Node& node, bool shared) {
  auto encoded = EncodeNode(node);
  EXPECT_TRUE(encoded.ok());
  auto buffer = std::make_shared<std::string>(*encoded);
  auto decoded =
      shared ? DecodeNodeShared(std::shared_ptr<const std::string>(buffer)) : DecodeNode(*buffer);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (!shared) buffer->assign(buffer->size(), '\xff');
  buffer.reset();
  return decoded.ok() ? std::move(decoded).value() : Node();
}

class DecodedTree : public ::testing::TestWithParam<bool> {};

TEST_P(DecodedTree, OutlivesItsInput) {
  Node decoded = DecodeFromTemporaryBuffer(Sample(), GetParam());
  EXPECT_EQ(decoded, Sample()) << decoded.DebugString();
}

TEST_P(DecodedTree, ChildMovedOutOutlivesTheRoot) {
  Node child, grandchild;
  {
    Node root = DecodeFromTemporaryBuffer(Sample(), GetParam());
    child = std::move(root.children()[0]);
    grandchild = std::move(root.children()[1]);
    Node moved_again(std::move(child));
    child = std::move(moved_again);
  }
  EXPECT_EQ(child, Sample().children()[0]);
  EXPECT_EQ(grandchild, Sample().children()[1]);
}

TEST_P(DecodedTree, CopiesAreIndependent) {
  std::vector<Node> copies;
  {
    Node root = DecodeFromTemporaryBuffer(Sample(), GetParam());
    copies.push_back(root);
    copies.push_back(root.children()[0].children()[1]);
    copies[0].children()[0].SetAttr("extra", "1");
    EXPECT_EQ(root, Sample());
  }
  Node expected = Sample();
  expected.children()[0].SetAttr("extra", "1");
  EXPECT_EQ(copies[0], expected);
  EXPECT_EQ(copies[1], Sample().children()[0].children()[1]);
}

TEST_P(DecodedTree, MovingTheRootCopiesNothing) {
  Node root = DecodeFromTemporaryBuffer(Sample(), GetParam());
  const char* id = root.GetAttr("id")->data();
  const Node* first = &root.children()[0];
  std::vector<Node> queue;
  queue.push_back(std::move(root));
  for (int i = 0; i < 20; ++i) queue.push_back(Node("filler"));  // reallocates
  EXPECT_EQ(queue[0].GetAttr("id")->data(), id);
  EXPECT_EQ(&queue[0].children()[0], first);
  EXPECT_EQ(queue[0], Sample());
}

TEST_P(DecodedTree, ChildAssignedOverItsRoot) {
  Node root = DecodeFromTemporaryBuffer(Sample(), GetParam());
  root = std::move(root.children()[0]);
  EXPECT_EQ(root, Sample().children()[0]);
  root = root.children()[1];  // a copy, from inside too
  EXPECT_EQ(root, Sample().children()[0].children()[1]);
}

TEST_P(DecodedTree, ChangesLikeAnyNode) {
  Node root = DecodeFromTemporaryBuffer(Sample(), GetParam());
  Node expected = Sample();
  for (Node* node : {&root, &expected}) {
    Node& participants = node->children()[0];
    participants.AddChild(Node("to", {{"jid", J("15550100009@s.whatsapp.net")}}));
    participants.children()[0].SetAttr("jid", "replaced");
    participants.children()[1].children()[0].SetAttr("new", "attribute-value-longer-than-24");
    EXPECT_TRUE(participants.children()[1].children()[0].RemoveAttr("v"));
    node->children()[1].content = Bytes("now bytes");
    node->children()[2].tag = "renamed";
    node->SetAttr("type", "media");
    std::swap(node->children()[2], node->children()[3]);
  }
  EXPECT_EQ(root, expected);
  Node participants = std::move(root.children()[0]);
  root = Node();
  EXPECT_EQ(participants, expected.children()[0]);
}

INSTANTIATE_TEST_SUITE_P(CopyingAndShared, DecodedTree, ::testing::Bool());

TEST(Str, KeepsOrCopiesItsText) {
  static const char kToken[] = "message";
  Str token = Str::Static(kToken);
  Str copy = token;
  EXPECT_EQ(copy.data(), kToken);  // a static view stays one
  Str small = std::string("short");
  Str large = std::string(100, 'l');
  Str large_copy = large;
  EXPECT_EQ(large_copy, large);
  EXPECT_NE(large_copy.data(), large.data());
  const char* heap = large.data();
  Str large_moved = std::move(large);
  EXPECT_EQ(large_moved.data(), heap);  // the heap block moves
  EXPECT_EQ(small, "short");
  EXPECT_EQ("short", small);
  EXPECT_EQ(std::string("<") + small + ">", "<short>");
  std::string as_string = small;
  EXPECT_EQ(as_string, "short");
}

}  // namespace
}  // namespace wa::binary
