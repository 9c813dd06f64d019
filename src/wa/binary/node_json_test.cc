#include "wa/binary/node_json.h"

#include <gtest/gtest.h>

#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;

Node Sample() {
  Node node("iq", {{"id", "1"}, {"to", J("@s.whatsapp.net")}, {"type", "get"}});
  node.AddChild(Node("ping"));
  node.AddChild(Node("enc", {{"v", "2"}}, Bytes{"\x01\xab"}));
  node.AddChild(Node("body", {}, std::string("caf\xC3\xA9")));
  node.AddChild(Node("item", {}, J("15550100001:0@s.whatsapp.net")));
  node.AddChild(Node("empty", {}, std::vector<Node>{}));
  return node;
}

constexpr std::string_view kSampleJson =
    R"({"tag":"iq","attrs":{"id":"1","to":{"jid":"@s.whatsapp.net"},"type":"get"},"content":[)"
    R"({"tag":"ping","attrs":{},"content":null},)"
    R"({"tag":"enc","attrs":{"v":"2"},"content":{"hex":"01ab"}},)"
    R"({"tag":"body","attrs":{},"content":"café"},)"
    R"({"tag":"item","attrs":{},"content":{"jid":"15550100001:0@s.whatsapp.net"}},)"
    R"({"tag":"empty","attrs":{},"content":[]}]})";

TEST(NodeJson, WritesTheDocumentedForm) { EXPECT_EQ(NodeToJsonText(Sample()), kSampleJson); }

TEST(NodeJson, ReadsItBack) {
  auto node = NodeFromJsonText(kSampleJson);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(*node, Sample());
}

TEST(NodeJson, AttrsAndContentAreOptionalOnInput) {
  auto node = NodeFromJsonText(R"({"tag":"x","content":{"hex":"ABCD"}})");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, Node("x", {}, Bytes{"\xab\xcd"}));
  node = NodeFromJsonText(R"({"tag":"x","attrs":null})");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, Node("x"));
}

TEST(NodeJson, RejectsWithAPath) {
  auto error = [](std::string_view text) {
    auto node = NodeFromJsonText(text);
    EXPECT_FALSE(node.ok());
    return node.ok() ? "" : node.status().message();
  };
  EXPECT_EQ(error(R"([])"), "node json: node: a node must be an object");
  EXPECT_EQ(error(R"({"attrs":{}})"), "node json: node: \"tag\" must be a non-empty string");
  EXPECT_EQ(error(R"({"tag":""})"), "node json: node: \"tag\" must be a non-empty string");
  EXPECT_EQ(error(R"({"tag":"x","child":[]})"), "node json: node: unknown key \"child\"");
  EXPECT_EQ(error(R"({"tag":"x","attrs":{"a":1}})"),
            "node json: node.attrs.a: expected a string or {\"jid\": \"...\"}");
  EXPECT_EQ(error(R"({"tag":"x","attrs":{"a":{"jid":"nope"}}})"),
            "node json: node.attrs.a: jid: missing '@' in \"nope\"");
  EXPECT_EQ(error(R"({"tag":"x","content":[{"tag":"y","content":{"hex":"abc"}}]})")
                .rfind("node json: node.content[0].content: ", 0),
            0u);
  EXPECT_EQ(error(R"({"tag":"x","content":7})"),
            "node json: node.content: expected null, a string, {\"hex\"}, {\"jid\"} or a list of "
            "nodes");
  EXPECT_EQ(error(R"({"tag":"x","content":{"hex":"00","jid":"a@b"}})"),
            "node json: node.content: expected {\"hex\": \"...\"}");
  EXPECT_EQ(error("{").rfind("node json: ", 0), 0u);
}

TEST(NodeJson, HandlesDeepNesting) {
  Node root("x");
  Node* at = &root;
  for (int i = 0; i < 100; ++i) at = &at->AddChild(Node("x"));
  auto back = NodeFromJsonText(NodeToJsonText(root));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, root);
}

TEST(NodeJson, ReplacesInvalidUtf8InHandBuiltNodes) {
  Node node("x", {{"a", "\xff"}});
  EXPECT_EQ(NodeToJsonText(node), R"({"tag":"x","attrs":{"a":"�"},"content":null})");
}

}  // namespace
}  // namespace wa::binary
