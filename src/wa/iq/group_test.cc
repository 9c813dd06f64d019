// Group metadata query/reply and w:gp2 notifications, in the shapes wasim
// sends and Baileys 7 parses (src/Socket/groups.ts `extractGroupMetadata`,
// src/Socket/messages-recv.ts `handleGroupNotification`).
#include "wa/iq/group.h"

#include <gtest/gtest.h>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"

namespace wa::iq {
namespace {

using binary::Node;

Node RoundTrip(const Node& node) {
  return binary::DecodeNode(binary::EncodeNode(node).value()).value();
}

Node Participant(const std::string& jid, const std::string& pn) {
  Node p("participant");
  p.SetAttr("jid", Jid::Parse(jid).value());
  if (!pn.empty()) p.SetAttr("phone_number", Jid::Parse(pn).value());
  return p;
}

TEST(GroupMetadata, QueryShape) {
  Node iq = RoundTrip(BuildGroupMetadataQuery(Jid::Parse("120363000000000001@g.us").value()));
  EXPECT_EQ(iq.GetAttrText("xmlns"), "w:g2");
  EXPECT_EQ(iq.GetAttrText("type"), "get");
  EXPECT_EQ(iq.GetAttrText("to"), "120363000000000001@g.us");
  ASSERT_NE(iq.GetChild("query"), nullptr);
  EXPECT_EQ(iq.GetChild("query")->GetAttrText("request"), "interactive");
}

TEST(GroupMetadata, ParsesLidGroup) {
  Node group("group", {{"id", "120363000000000001"},
                       {"subject", "Team"},
                       {"addressing_mode", "lid"},
                       {"size", "2"}});
  group.AddChild(Participant("100000000000001@lid", "15550100001@s.whatsapp.net"));
  group.AddChild(Participant("100000000000002@lid", ""));
  Node reply("iq", {{"type", "result"}, {"id", "1"}});
  reply.AddChild(std::move(group));
  base::Result<GroupMetadata> meta = ParseGroupMetadata(RoundTrip(reply));
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->jid.ToString(), "120363000000000001@g.us");
  EXPECT_EQ(meta->addressing_mode, "lid");
  ASSERT_EQ(meta->participants.size(), 2u);
  EXPECT_EQ(meta->participants[0].jid.ToString(), "100000000000001@lid");
  EXPECT_EQ(meta->participants[0].phone_number.ToString(), "15550100001@s.whatsapp.net");
  EXPECT_TRUE(meta->participants[1].phone_number.IsEmpty());
}

TEST(GroupMetadata, DefaultsToPnAndRejectsBadShapes) {
  Node group("group", {{"id", "120363000000000001@g.us"}});
  group.AddChild(Participant("15550100002@s.whatsapp.net", ""));
  Node reply("iq", {{"type", "result"}});
  reply.AddChild(group);
  base::Result<GroupMetadata> meta = ParseGroupMetadata(reply);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->addressing_mode, "pn");

  EXPECT_FALSE(ParseGroupMetadata(Node("iq")).ok());  // no <group>
  Node bad_member = reply;
  bad_member.GetChild("group")->AddChild(Node("participant", {{"jid", "@@"}}));
  EXPECT_FALSE(ParseGroupMetadata(bad_member).ok());
}

Node Notification(std::vector<Node> children) {
  Node n("notification", {{"id", "n1"}, {"type", "w:gp2"}, {"t", "1790000000"}});
  n.SetAttr("from", Jid::Parse("120363000000000001@g.us").value());
  n.SetAttr("participant", Jid::Parse("100000000000001@lid").value());
  n.SetAttr("participant_pn", Jid::Parse("15550100001@s.whatsapp.net").value());
  n.content = std::move(children);
  return n;
}

TEST(GroupNotification, RemoveAndAdd) {
  Node remove("remove");
  remove.AddChild(Participant("100000000000003@lid", "15550100003@s.whatsapp.net"));
  std::vector<Node> children;
  children.push_back(std::move(remove));
  base::Result<GroupNotification> parsed =
      ParseGroupNotification(RoundTrip(Notification(std::move(children))));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->group.ToString(), "120363000000000001@g.us");
  EXPECT_EQ(parsed->actor.ToString(), "100000000000001@lid");
  ASSERT_EQ(parsed->changes.size(), 1u);
  EXPECT_EQ(parsed->changes[0].action, "remove");
  EXPECT_TRUE(parsed->changes[0].RemovesMembers());
  EXPECT_TRUE(parsed->changes[0].ChangesMembers());
  ASSERT_EQ(parsed->changes[0].participants.size(), 1u);
  EXPECT_EQ(parsed->changes[0].participants[0].jid.ToString(), "100000000000003@lid");
  EXPECT_EQ(parsed->changes[0].participants[0].phone_number.ToString(),
            "15550100003@s.whatsapp.net");

  std::vector<Node> more;
  more.push_back(Node("add", {}, std::vector<Node>{Participant("100000000000004@lid", "")}));
  more.push_back(Node("subject", {{"subject", "New"}}));
  parsed = ParseGroupNotification(Notification(std::move(more)));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->changes.size(), 2u);
  EXPECT_TRUE(parsed->changes[0].ChangesMembers());
  EXPECT_FALSE(parsed->changes[0].RemovesMembers());
  EXPECT_FALSE(parsed->changes[1].ChangesMembers());
}

TEST(GroupNotification, LeaveAndCreate) {
  Node create("create");
  Node group("group", {{"id", "120363000000000001"}});
  group.AddChild(Participant("100000000000001@lid", ""));
  create.AddChild(std::move(group));
  std::vector<Node> children;
  children.push_back(std::move(create));
  children.push_back(Node("leave", {}, std::vector<Node>{Participant("100000000000002@lid", "")}));
  base::Result<GroupNotification> parsed =
      ParseGroupNotification(Notification(std::move(children)));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->changes.size(), 2u);
  EXPECT_EQ(parsed->changes[0].participants.size(), 1u);
  EXPECT_TRUE(parsed->changes[1].RemovesMembers());
}

TEST(GroupNotification, RejectsOtherStanzas) {
  Node devices("notification", {{"type", "devices"}});
  EXPECT_FALSE(ParseGroupNotification(devices).ok());
  Node not_group("notification", {{"type", "w:gp2"}});
  not_group.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  EXPECT_FALSE(ParseGroupNotification(not_group).ok());
  Node bad = Notification({});
  bad.AddChild(Node("remove", {}, std::vector<Node>{Node("participant", {{"jid", "x@@y"}})}));
  EXPECT_FALSE(ParseGroupNotification(bad).ok());
}

}  // namespace
}  // namespace wa::iq
