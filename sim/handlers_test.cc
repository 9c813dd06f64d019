// Stanza handlers on decoded nodes: usync, the encrypt namespace, misc iqs.
#include <gtest/gtest.h>

#include "sim/misc_iq.h"
#include "sim/prekeys.h"
#include "sim/usync.h"

namespace sim {
namespace {

struct World {
  World() : store("", random) {
    alice = *store.CreateAccount("15550100001", "Alice");
    bob = *store.CreateAccount("15550100002", "Bob");
    Device d;
    d.id = 3;
    d.key_index = 2;
    d.identity_key = std::string(32, 'I');
    d.registration_id = 77;
    d.signed_prekey = {1, std::string(32, 'S'), std::string(64, 'G')};
    d.prekeys = {{10, std::string(32, 'a')}, {11, std::string(32, 'b')}};
    bob->devices[3] = d;
    Device self;
    self.id = 1;
    self.key_index = 1;
    self.identity_key = std::string(32, 'M');
    alice->devices[1] = self;
  }
  base::SeededRandom random{3};
  AccountStore store;
  Account* alice;
  Account* bob;
};

Node Iq(std::string xmlns, std::string type, std::vector<Node> children) {
  return Node("iq", {{"id", "c-1"}, {"xmlns", xmlns}, {"type", type}}, std::move(children));
}

TEST(Usync, ListsDevicesWithKeyIndexAndLid) {
  World w;
  Node user("user");
  user.SetAttr("jid", wa::Jid("15550100002", "s.whatsapp.net"));
  Node unknown("user");
  unknown.SetAttr("jid", wa::Jid("15550100099", "s.whatsapp.net"));
  Node usync(
      "usync", {{"sid", "s1"}, {"index", "0"}, {"last", "true"}, {"context", "message"}},
      std::vector<Node>{
          Node("query", {}, std::vector<Node>{Node("devices", {{"version", "2"}}), Node("lid")}),
          Node("list", {}, std::vector<Node>{user, unknown})});
  Node reply = HandleUsyncIq(w.store, Iq("usync", "get", {usync}), 1'790'000'000);
  EXPECT_EQ(reply.GetAttrText("type"), "result");
  EXPECT_EQ(reply.GetAttrText("id"), "c-1");
  const Node* out = reply.GetChild("usync");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->GetAttrText("sid"), "s1");
  auto users = out->GetChild("list")->GetChildren("user");
  ASSERT_EQ(users.size(), 2u);
  auto devices = users[0]->GetChild("devices")->GetChild("device-list")->GetChildren("device");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0]->GetAttrText("id"), "0");
  EXPECT_FALSE(devices[0]->HasAttr("key-index"));
  EXPECT_EQ(devices[1]->GetAttrText("id"), "3");
  EXPECT_EQ(devices[1]->GetAttrText("key-index"), "2");
  // JID-typed on the wire [§4.5].
  ASSERT_NE(users[0]->GetChild("lid")->GetJidAttr("val"), nullptr);
  EXPECT_EQ(users[0]->GetChild("lid")->GetAttrText("val"), "100000000000002@lid");
  EXPECT_TRUE(users[1]->GetChild("devices")->GetChild("device-list")->children().empty());
  EXPECT_EQ(users[1]->GetChild("lid"), nullptr);
}

TEST(Encrypt, CountIsTruthfulAndUploadStores) {
  World w;
  Device& self = w.alice->devices[1];
  bool changed = false;
  Node count = HandleEncryptIq(w.store, self, Iq("encrypt", "get", {Node("count")}), &changed);
  EXPECT_EQ(count.GetChild("count")->GetAttrText("value"), "0");
  Node list("list");
  for (uint32_t id : {1u, 2u, 3u}) {
    list.AddChild(Node("key", {},
                       std::vector<Node>{BytesNode("id", BigEndian(id, 3)),
                                         BytesNode("value", std::string(32, 'k'))}));
  }
  Node skey(
      "skey", {},
      std::vector<Node>{BytesNode("id", BigEndian(5, 3)), BytesNode("value", std::string(32, 'v')),
                        BytesNode("signature", std::string(64, 's'))});
  Node upload = Iq("encrypt", "set",
                   {BytesNode("registration", BigEndian(99, 4)), BytesNode("type", "\x05"),
                    BytesNode("identity", self.identity_key), list, skey});
  Node ok = HandleEncryptIq(w.store, self, upload, &changed);
  EXPECT_EQ(ok.GetAttrText("type"), "result");
  EXPECT_TRUE(changed);
  EXPECT_EQ(self.prekeys.size(), 3u);
  EXPECT_EQ(self.signed_prekey.id, 5u);
  EXPECT_EQ(self.registration_id, 99u);
  count = HandleEncryptIq(w.store, self, Iq("encrypt", "get", {Node("count")}), &changed);
  EXPECT_EQ(count.GetChild("count")->GetAttrText("value"), "3");
  Node digest = HandleEncryptIq(w.store, self, Iq("encrypt", "get", {Node("digest")}), &changed);
  EXPECT_NE(digest.GetChild("digest"), nullptr);

  Node rotate = Iq("encrypt", "set", {Node("rotate", {}, std::vector<Node>{skey})});
  rotate.GetChild("rotate")->GetChild("skey")->GetChild("id")->content =
      wa::binary::Bytes(BigEndian(6, 3));
  EXPECT_EQ(HandleEncryptIq(w.store, self, rotate, &changed).GetAttrText("type"), "result");
  EXPECT_EQ(self.signed_prekey.id, 6u);

  // Another identity than the one bound at pairing is refused.
  upload.GetChild("identity")->content = wa::binary::Bytes(std::string(32, 'X'));
  Node refused = HandleEncryptIq(w.store, self, upload, &changed);
  EXPECT_EQ(refused.GetAttrText("type"), "error");
}

TEST(Encrypt, BundleFetchConsumesOneTimePreKeys) {
  World w;
  Device& self = w.alice->devices[1];
  auto fetch = [&](wa::Jid jid) {
    Node user("user");
    user.SetAttr("jid", jid);
    bool changed = false;
    return HandleEncryptIq(
        w.store, self, Iq("encrypt", "get", {Node("key", {}, std::vector<Node>{user})}), &changed);
  };
  const wa::Jid bob3 = wa::Jid::WithDevice("100000000000002", "lid", 3);
  Node first = fetch(bob3);
  const Node* user = first.GetChild("list")->GetChild("user");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->GetAttrText("jid"), "100000000000002:3@lid");
  EXPECT_EQ(*ChildBytes(*user, "registration"), BigEndian(77, 4));
  EXPECT_EQ(*ChildBytes(*user, "identity"), std::string(32, 'I'));
  EXPECT_EQ(*ChildBytes(*user->GetChild("key"), "id"), BigEndian(10, 3));
  EXPECT_EQ(w.bob->devices[3].prekeys.size(), 1u);
  Node second = fetch(bob3);
  EXPECT_EQ(*ChildBytes(*second.GetChild("list")->GetChild("user")->GetChild("key"), "id"),
            BigEndian(11, 3));
  Node third = fetch(bob3);  // exhausted: bundle without <key>
  EXPECT_EQ(third.GetChild("list")->GetChild("user")->GetChild("key"), nullptr);
  EXPECT_NE(third.GetChild("list")->GetChild("user")->GetChild("skey"), nullptr);

  // The phone (device 0) answers with the ADV account key as identity.
  const size_t before = w.bob->primary.prekeys.size();
  Node phone = fetch(wa::Jid("15550100002", "s.whatsapp.net"));
  const Node* pu = phone.GetChild("list")->GetChild("user");
  EXPECT_EQ(*ChildBytes(*pu, "identity"), w.bob->primary.account_key.public_key);
  EXPECT_NE(pu->GetChild("key"), nullptr);
  EXPECT_EQ(w.bob->primary.prekeys.size(), before - 1);

  Node unknown = fetch(wa::Jid::WithDevice("15550100002", "s.whatsapp.net", 9));
  EXPECT_NE(unknown.GetChild("list")->GetChild("user")->GetChild("error"), nullptr);
}

TEST(MiscIq, AnswersLoginQueriesAndLeavesOthers) {
  auto ping = HandleMiscIq(Iq("w:p", "get", {Node("ping")}));
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->GetAttrText("type"), "result");
  ASSERT_NE(ping->GetJidAttr("from"), nullptr);
  EXPECT_TRUE(ping->GetJidAttr("from")->IsServer());
  auto privacy = HandleMiscIq(Iq("privacy", "get", {Node("privacy")}));
  ASSERT_TRUE(privacy.has_value());
  bool readreceipts = false;
  for (const Node* c : privacy->GetChild("privacy")->GetChildren("category")) {
    readreceipts |= c->GetAttrText("name") == "readreceipts";
  }
  EXPECT_TRUE(readreceipts);
  EXPECT_NE(HandleMiscIq(Iq("blocklist", "get", {}))->GetChild("list"), nullptr);
  EXPECT_NE(HandleMiscIq(Iq("abt", "get", {Node("props")}))->GetChild("props"), nullptr);
  EXPECT_EQ(HandleMiscIq(Iq("w:profile:picture", "get", {Node("picture")}))
                ->GetChild("error")
                ->GetAttrText("code"),
            "404");
  EXPECT_FALSE(HandleMiscIq(Iq("w:g2", "get", {Node("participating")})).has_value());
}

}  // namespace
}  // namespace sim
