#include "wa/binary/node.h"

#include <gtest/gtest.h>

#include "wa/binary/test_util.h"

namespace wa::binary {
namespace {

using testing::J;

TEST(Node, AttributeAccessors) {
  Node node("message");
  node.SetAttr("id", "ABC").SetAttr("from", J("15550100001@s.whatsapp.net"));
  node.SetAttr("participant", "123@lid").SetAttr("bad", "nope");
  EXPECT_EQ(*node.GetAttr("id"), "ABC");
  EXPECT_EQ(node.GetAttr("from"), nullptr);  // JID-typed
  EXPECT_EQ(*node.GetJidAttr("from"), J("15550100001@s.whatsapp.net"));
  EXPECT_EQ(node.GetJidAttr("id"), nullptr);
  EXPECT_EQ(node.GetAttrText("from"), "15550100001@s.whatsapp.net");
  EXPECT_EQ(node.GetAttrText("id"), "ABC");
  EXPECT_EQ(node.GetAttrText("missing"), std::nullopt);
  EXPECT_EQ(*node.GetAttrAsJid("from"), J("15550100001@s.whatsapp.net"));
  EXPECT_EQ(*node.GetAttrAsJid("participant"), J("123@lid"));
  EXPECT_EQ(node.GetAttrAsJid("missing").status().code(), base::Code::kNotFound);
  EXPECT_EQ(node.GetAttrAsJid("bad").status().code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(node.HasAttr("bad"));

  node.SetAttr("id", "DEF");  // replaced in place
  EXPECT_EQ(node.attrs[0].key, "id");
  EXPECT_EQ(*node.GetAttr("id"), "DEF");
  EXPECT_TRUE(node.RemoveAttr("bad"));
  EXPECT_FALSE(node.RemoveAttr("bad"));
  EXPECT_EQ(node.attrs.size(), 3u);
}

TEST(Node, ContentAccessors) {
  Node node("iq");
  EXPECT_FALSE(node.HasContent());
  EXPECT_TRUE(node.children().empty());
  node.content = std::string("text");
  EXPECT_EQ(*node.text(), "text");
  EXPECT_EQ(node.bytes(), nullptr);
  node.content = Bytes{"\x01\x02"};
  EXPECT_EQ(*node.bytes(), "\x01\x02");
  EXPECT_EQ(node.text(), nullptr);
  node.content = J("1@g.us");
  EXPECT_EQ(*node.jid(), J("1@g.us"));

  Node& first = node.AddChild(Node("item", {{"n", "1"}}));  // replaces the JID content
  first.SetAttr("m", "x");
  node.AddChild(Node("other"));
  node.AddChild(Node("item", {{"n", "2"}}));
  EXPECT_TRUE(node.HasChildren());
  ASSERT_EQ(node.children().size(), 3u);
  EXPECT_EQ(*node.GetChild("item")->GetAttr("m"), "x");
  EXPECT_EQ(node.GetChild("none"), nullptr);
  auto items = node.GetChildren("item");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(*items[1]->GetAttr("n"), "2");
}

TEST(Node, DebugString) {
  Node node("message", {{"to", J("@s.whatsapp.net")}, {"q", "it's <&>"}});
  node.AddChild(Node("enc", {}, Bytes{std::string(70, '\xab')}));
  node.AddChild(Node("body", {}, std::string("hi")));
  node.AddChild(Node("empty", {}, std::vector<Node>{}));
  std::string expected = "<message to='@s.whatsapp.net' q='it&apos;s &lt;&amp;&gt;'><enc>" +
                         std::string(128, 'a').replace(0, 128,
                                                       [] {
                                                         std::string s;
                                                         for (int i = 0; i < 64; ++i) s += "ab";
                                                         return s;
                                                       }()) +
                         "...(70 bytes)</enc><body>hi</body><empty></empty></message>";
  EXPECT_EQ(node.DebugString(), expected);
}

TEST(Node, Equality) {
  Node a("x", {{"k", "v"}});
  Node b("x", {{"k", "v"}});
  EXPECT_EQ(a, b);
  b.attrs[0].value = J("v@s.whatsapp.net");
  EXPECT_NE(a, b);
  Node empty_list("x", {{"k", "v"}}, std::vector<Node>{});
  EXPECT_NE(a, empty_list);
  Node text("x", {{"k", "v"}}, std::string("1"));
  Node bytes("x", {{"k", "v"}}, Bytes{"1"});
  EXPECT_NE(text, bytes);
}

}  // namespace
}  // namespace wa::binary
