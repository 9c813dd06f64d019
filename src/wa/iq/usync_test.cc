// usync, pre-key bundle and media_conn IQs (the sending side).
#include <gtest/gtest.h>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/iq/bundles.h"
#include "wa/iq/media_conn.h"
#include "wa/iq/usync.h"

namespace wa::iq {
namespace {

Node RoundTrip(const Node& node) {
  return binary::DecodeNode(binary::EncodeNode(node).value()).value();
}

Node Result(std::vector<Node> children) {
  Node iq("iq", {{"type", "result"}, {"id", "1"}});
  iq.content = std::move(children);
  return iq;
}

Node Bytes(std::string tag, std::string bytes) {
  return Node(std::move(tag), {}, binary::Bytes(std::move(bytes)));
}

TEST(Usync, QueryShape) {
  Node iq = RoundTrip(BuildUsyncDevices(
      {Jid::WithDevice("15550100002", "s.whatsapp.net", 3), Jid("100000000000002", "lid")},
      "sid-1"));
  EXPECT_EQ(iq.DebugString(),
            "<iq to='@s.whatsapp.net' type='get' xmlns='usync'><usync context='message' "
            "mode='query' sid='sid-1' last='true' index='0'><query><devices version='2'/><lid/>"
            "</query><list><user jid='15550100002@s.whatsapp.net'/><user "
            "jid='100000000000002@lid'/></list></usync></iq>");
}

TEST(Usync, ParsesDevicesAndDropsUnsignedOnes) {
  Node devices(
      "devices", {},
      std::vector<Node>{
          Node("device-list", {},
               std::vector<Node>{
                   Node("device", {{"id", "0"}}), Node("device", {{"id", "7"}, {"key-index", "1"}}),
                   Node("device", {{"id", "8"}}),
                   Node("device", {{"id", "99"}, {"key-index", "2"}, {"is_hosted", "true"}})})});
  Node user("user", {}, std::vector<Node>{devices});
  user.SetAttr("jid", Jid("15550100002", "s.whatsapp.net"));
  Node lid("lid");
  lid.SetAttr("val", Jid("100000000000002", "lid"));
  user.AddChild(lid);
  Node failed(
      "user", {},
      std::vector<Node>{Node("devices", {},
                             std::vector<Node>{Node("error", {{"code", "404"}, {"text", "nf"}})})});
  failed.SetAttr("jid", Jid("15550100003", "s.whatsapp.net"));
  Node reply = Result(
      {Node("usync", {},
            std::vector<Node>{Node("result"), Node("list", {}, std::vector<Node>{user, failed})})});
  std::vector<UsyncUser> users = ParseUsyncDevices(RoundTrip(reply)).value();
  ASSERT_EQ(users.size(), 2u);
  ASSERT_EQ(users[0].devices.size(), 3u);
  EXPECT_EQ(users[0].devices[1].id, 7);
  EXPECT_EQ(users[0].devices[1].key_index, 1u);
  EXPECT_TRUE(users[0].devices[2].hosted);
  EXPECT_EQ(users[0].lid->ToString(), "100000000000002@lid");
  EXPECT_FALSE(users[0].error);
  EXPECT_EQ(users[1].error->code, 404);
  EXPECT_FALSE(ParseUsyncDevices(Result({Node("usync")})).ok());
}

Node BundleUser(const Jid& jid, bool with_key, bool nested) {
  std::vector<Node> keys{Bytes("registration", std::string("\0\0\x01\x02", 4)),
                         Bytes("type", "\x05"), Bytes("identity", std::string(32, 'i')),
                         Node("skey", {},
                              std::vector<Node>{Bytes("id", std::string("\0\0\x01", 3)),
                                                Bytes("value", std::string(32, 's')),
                                                Bytes("signature", std::string(64, 'g'))})};
  if (with_key) {
    keys.push_back(Node("key", {},
                        std::vector<Node>{Bytes("id", std::string("\0\0\x05", 3)),
                                          Bytes("value", std::string(32, 'k'))}));
  }
  Node user("user");
  user.SetAttr("jid", jid);
  if (nested) {
    user.AddChild(Node("keys", {}, std::move(keys)));
  } else {
    user.content = std::move(keys);
  }
  return user;
}

TEST(Bundles, QueryAndParse) {
  Jid a = Jid::WithDevice("100000000000002", "lid", 0);
  Jid b = Jid::WithDevice("100000000000001", "lid", 7);
  Node query = RoundTrip(BuildPreKeyBundleQuery({a, b}, true));
  EXPECT_EQ(query.DebugString(),
            "<iq to='@s.whatsapp.net' type='get' xmlns='encrypt'><key><user "
            "jid='100000000000002:0@lid' reason='identity'/><user jid='100000000000001:7@lid' "
            "reason='identity'/></key></iq>");

  Node reply = Result({Node(
      "list", {}, std::vector<Node>{BundleUser(a, true, false), BundleUser(b, false, true)})});
  std::vector<PreKeyBundle> bundles = ParsePreKeyBundles(RoundTrip(reply)).value();
  ASSERT_EQ(bundles.size(), 2u);
  EXPECT_EQ(bundles[0].registration_id, 0x102u);
  EXPECT_EQ(bundles[0].signed_prekey.id, 1u);
  ASSERT_TRUE(bundles[0].prekey);
  EXPECT_EQ(bundles[0].prekey->id, 5u);
  EXPECT_FALSE(bundles[1].prekey);
  EXPECT_EQ(bundles[1].identity, std::string(32, 'i'));

  Node error_user("user", {}, std::vector<Node>{Node("error", {{"code", "404"}})});
  error_user.SetAttr("jid", a);
  Node failed =
      Result({Node("list", {}, std::vector<Node>{BundleUser(b, true, false), error_user})});
  EXPECT_EQ(ParsePreKeyBundles(failed).status().code(), base::Code::kFailedPrecondition);
}

TEST(MediaConn, QueryAndParse) {
  EXPECT_EQ(BuildMediaConnQuery().DebugString(),
            "<iq to='@s.whatsapp.net' type='set' xmlns='w:m'><media_conn/></iq>");
  Node conn("media_conn",
            {{"auth", "tok"}, {"ttl", "300"}, {"auth_ttl", "21600"}, {"max_buckets", "12"}},
            std::vector<Node>{Node(
                "host", {{"hostname", "127.0.0.1:8443"}, {"maxContentLengthBytes", "104857600"}})});
  MediaConn parsed = ParseMediaConn(RoundTrip(Result({conn}))).value();
  EXPECT_EQ(parsed.auth, "tok");
  EXPECT_EQ(parsed.ttl_s, 300);
  EXPECT_EQ(parsed.auth_ttl_s, 21600);
  EXPECT_EQ(parsed.max_buckets, 12);
  ASSERT_EQ(parsed.hosts.size(), 1u);
  EXPECT_EQ(parsed.hosts[0].hostname, "127.0.0.1:8443");
  EXPECT_EQ(parsed.hosts[0].max_content_length, 104857600);
  EXPECT_FALSE(ParseMediaConn(Result({Node("media_conn", {{"auth", "tok"}})})).ok());
  EXPECT_FALSE(ParseMediaConn(Result({Node("media_conn", {{"auth", "t"}, {"ttl", "1"}})})).ok());
}

}  // namespace
}  // namespace wa::iq
