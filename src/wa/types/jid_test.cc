#include "wa/types/jid.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace wa {
namespace {

Jid MustParse(std::string_view text) {
  auto jid = Jid::Parse(text);
  EXPECT_TRUE(jid.ok()) << text << ": " << jid.status().ToString();
  return jid.ok() ? *jid : Jid();
}

TEST(Jid, ParsesPhoneNumberUser) {
  Jid jid = MustParse("15550100001@s.whatsapp.net");
  EXPECT_EQ(jid.user(), "15550100001");
  EXPECT_EQ(jid.server(), "s.whatsapp.net");
  EXPECT_EQ(jid.agent(), 0);
  EXPECT_EQ(jid.device(), 0);
  EXPECT_FALSE(jid.has_device());
  EXPECT_TRUE(jid.IsPnUser());
  EXPECT_TRUE(jid.IsUser());
  EXPECT_EQ(jid.ToString(), "15550100001@s.whatsapp.net");
  EXPECT_EQ(jid, Jid("15550100001", "s.whatsapp.net"));
}

TEST(Jid, ParsesDeviceAndKeepsExplicitDeviceZero) {
  Jid jid = MustParse("15550100001:3@s.whatsapp.net");
  EXPECT_TRUE(jid.has_device());
  EXPECT_EQ(jid.device(), 3);
  EXPECT_EQ(jid.ToString(), "15550100001:3@s.whatsapp.net");

  // Baileys encodes "x:0@s.whatsapp.net" as AD_JID and "x@..." as JID_PAIR
  // [whatsapp-protocol.md §4.5], so ":0" is kept.
  Jid zero = MustParse("15550100001:0@s.whatsapp.net");
  EXPECT_TRUE(zero.has_device());
  EXPECT_EQ(zero.device(), 0);
  EXPECT_EQ(zero.ToString(), "15550100001:0@s.whatsapp.net");
  EXPECT_NE(zero, MustParse("15550100001@s.whatsapp.net"));
  EXPECT_EQ(zero, Jid::WithDevice("15550100001", "s.whatsapp.net", 0));
}

TEST(Jid, ImpliesAgentFromServer) {
  EXPECT_EQ(MustParse("123456789012345@lid").agent(), kLidAgent);
  EXPECT_EQ(MustParse("123456789012345:3@lid").agent(), kLidAgent);
  EXPECT_EQ(MustParse("15550100001:99@hosted").agent(), kHostedAgent);
  EXPECT_EQ(MustParse("123456789012345:99@hosted.lid").agent(), kHostedLidAgent);
  // An explicit agent equal to the implied one is accepted and not printed.
  Jid lid = MustParse("123456789012345_1:3@lid");
  EXPECT_EQ(lid, MustParse("123456789012345:3@lid"));
  EXPECT_EQ(lid.ToString(), "123456789012345:3@lid");
}

TEST(Jid, KeepsUnknownRawAgentOnPhoneNumberServer) {
  Jid jid = MustParse("15550100001_5:2@s.whatsapp.net");
  EXPECT_EQ(jid.agent(), 5);
  EXPECT_EQ(jid.ToString(), "15550100001_5:2@s.whatsapp.net");
  EXPECT_EQ(jid, Jid::FromAd(5, 2, "15550100001"));
  EXPECT_EQ(MustParse("15550100001_0:2@s.whatsapp.net").ToString(), "15550100001:2@s.whatsapp.net");
}

TEST(Jid, FromAdMapsDomainToServer) {
  EXPECT_EQ(Jid::FromAd(0, 1, "u").ToString(), "u:1@s.whatsapp.net");
  EXPECT_EQ(Jid::FromAd(1, 1, "u").ToString(), "u:1@lid");
  EXPECT_EQ(Jid::FromAd(128, 99, "u").ToString(), "u:99@hosted");
  EXPECT_EQ(Jid::FromAd(129, 99, "u").ToString(), "u:99@hosted.lid");
  Jid odd = Jid::FromAd(200, 0, "u");
  EXPECT_EQ(odd.server(), "s.whatsapp.net");
  EXPECT_EQ(odd.ToString(), "u_200:0@s.whatsapp.net");
  EXPECT_EQ(MustParse(odd.ToString()), odd);
  EXPECT_TRUE(odd.IsValid());
}

TEST(Jid, ParsesServerOnlyJids) {
  Jid server = MustParse("@s.whatsapp.net");
  EXPECT_TRUE(server.IsServer());
  EXPECT_EQ(server, ServerJid());
  EXPECT_EQ(ServerJid().ToString(), "@s.whatsapp.net");
  EXPECT_EQ(MustParse("@g.us"), GroupServerJid());
  EXPECT_EQ(GroupServerJid().ToString(), "@g.us");
  EXPECT_FALSE(MustParse("15550100001@s.whatsapp.net").IsServer());
}

TEST(Jid, ParsesMessengerAndInteropJids) {
  Jid fb = MustParse("100000001:300@msgr");
  EXPECT_EQ(fb.device(), 300);
  EXPECT_EQ(fb.ToString(), "100000001:300@msgr");

  Jid interop = MustParse("7-user:2@interop");
  EXPECT_EQ(interop.user(), "user");
  EXPECT_EQ(interop.integrator(), 7);
  EXPECT_EQ(interop.device(), 2);
  EXPECT_EQ(interop.ToString(), "7-user:2@interop");
  EXPECT_EQ(interop, Jid::Interop("user", 2, 7));
  EXPECT_EQ(MustParse("1-a-b:2@interop").user(), "a-b");
  EXPECT_EQ(MustParse("a-b@interop").user(), "a-b");
}

TEST(Jid, RejectsMalformedText) {
  for (std::string_view bad : {
           "",
           "15550100001",
           "user@",
           "a@b@c",
           "a:@s.whatsapp.net",
           "a:x@s.whatsapp.net",
           "a:1:2@s.whatsapp.net",
           "a:256@s.whatsapp.net",
           "a:70000@msgr",
           "a:1@g.us",
           "a:1@c.us",
           "a_@s.whatsapp.net",
           "a_x:1@s.whatsapp.net",
           "a_256:1@s.whatsapp.net",
           "a_1_2:1@s.whatsapp.net",
           "a_5@s.whatsapp.net",      // an agent needs a device
           "a_1:2@s.whatsapp.net",    // agent 1 is the lid server
           "a_128:2@s.whatsapp.net",  // agent 128 is hosted
           "a_2:3@lid",
           "a_5:1@g.us",
           "user:2@interop",
           "x-user:2@interop",
       }) {
    auto jid = Jid::Parse(bad);
    EXPECT_FALSE(jid.ok()) << bad << " parsed as " << jid->ToString();
    if (!jid.ok()) {
      EXPECT_EQ(jid.status().code(), base::Code::kInvalidArgument);
      EXPECT_EQ(jid.status().message().rfind("jid: ", 0), 0u) << jid.status().message();
    }
  }
}

TEST(Jid, TextFormRoundTrips) {
  for (std::string_view text : {
           "15550100001@s.whatsapp.net",
           "15550100001:7@s.whatsapp.net",
           "15550100001:0@s.whatsapp.net",
           "123456789012345:255@lid",
           "123456789012345@lid",
           "15550100001:99@hosted",
           "123456789012345:99@hosted.lid",
           "120363000000000001@g.us",
           "15550100001-1600000000@g.us",
           "status@broadcast",
           "1234567890@newsletter",
           "@s.whatsapp.net",
           "@call",
           "13135550002@bot",
           "0@c.us",
           "100000001:65535@msgr",
           "65535-x:0@interop",
           "u_7:1@s.whatsapp.net",
           "\xc3\xa9t\xc3\xa9@s.whatsapp.net",
       }) {
    Jid jid = MustParse(text);
    EXPECT_EQ(jid.ToString(), text);
    EXPECT_TRUE(jid.IsValid()) << text;
    EXPECT_EQ(MustParse(jid.ToString()), jid) << text;
  }
}

TEST(Jid, Predicates) {
  EXPECT_TRUE(MustParse("120363000000000001@g.us").IsGroup());
  EXPECT_FALSE(MustParse("120363000000000001@g.us").IsUser());
  EXPECT_TRUE(StatusBroadcastJid().IsStatusBroadcast());
  EXPECT_EQ(StatusBroadcastJid().ToString(), "status@broadcast");
  EXPECT_TRUE(MustParse("1234@broadcast").IsBroadcast());
  EXPECT_FALSE(MustParse("1234@broadcast").IsStatusBroadcast());
  EXPECT_TRUE(MustParse("1234567890@newsletter").IsNewsletter());
  EXPECT_TRUE(MustParse("123@lid").IsLid());
  EXPECT_TRUE(MustParse("123@lid").IsUser());
  EXPECT_TRUE(MustParse("1:99@hosted").IsHostedPn());
  EXPECT_TRUE(MustParse("1:99@hosted.lid").IsHostedLid());
  EXPECT_TRUE(MetaAiJid().IsBot());
  EXPECT_TRUE(MustParse("13165550012@c.us").IsBot());
  EXPECT_TRUE(MustParse("1@bot").IsBot());
  EXPECT_FALSE(MustParse("13135550002@s.whatsapp.net").IsBot());
  EXPECT_FALSE(MustParse("1313555000x@c.us").IsBot());
  EXPECT_EQ(PsaJid().ToString(), "0@c.us");
  EXPECT_EQ(OfficialBusinessJid().ToString(), "16505361212@c.us");
  EXPECT_TRUE(Jid().IsEmpty());
  EXPECT_EQ(Jid().ToString(), "");
}

TEST(Jid, NonAdAndNormalisedForms) {
  Jid device = MustParse("15550100001_5:2@s.whatsapp.net");
  EXPECT_EQ(device.ToNonAd().ToString(), "15550100001@s.whatsapp.net");
  EXPECT_EQ(MustParse("123:4@lid").ToNonAd(), MustParse("123@lid"));
  EXPECT_EQ(MustParse("15550100001@c.us").NormalizedUser(),
            MustParse("15550100001@s.whatsapp.net"));
  EXPECT_EQ(MustParse("15550100001@c.us").ToNonAd().server(), "c.us");
  EXPECT_EQ(MustParse("123@lid").WithDeviceOf(4), MustParse("123:4@lid"));
  EXPECT_TRUE(MustParse("123:4@lid").IsSameUser(MustParse("123@lid")));
}

TEST(Jid, SignalAddresses) {
  // [whatsapp-protocol.md §8.3]: "100000000000002_1.0", "15550002222.3".
  EXPECT_EQ(MustParse("15550002222:3@s.whatsapp.net").SignalAddress(), "15550002222.3");
  EXPECT_EQ(MustParse("100000000000002@lid").SignalAddress(), "100000000000002_1.0");
  EXPECT_EQ(MustParse("100000000000002:2@lid").SignalAddressName(), "100000000000002_1");
  EXPECT_EQ(MustParse("15550100001:99@hosted").SignalAddress(), "15550100001_128.99");
  EXPECT_EQ(MustParse("1:99@hosted.lid").SignalAddress(), "1_129.99");
  EXPECT_EQ(MustParse("1:99@hosted.lid").SignalDeviceId(), 99u);
}

TEST(Jid, HashesAndOrders) {
  std::unordered_set<Jid> set{MustParse("1@s.whatsapp.net"), MustParse("1:0@s.whatsapp.net"),
                              MustParse("1@lid"), MustParse("1@s.whatsapp.net")};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_LT(MustParse("1@s.whatsapp.net"), MustParse("2@s.whatsapp.net"));
}

TEST(Jid, ValidityOfConstructedJids) {
  EXPECT_TRUE(Jid("1", "s.whatsapp.net").IsValid());
  EXPECT_FALSE(Jid("a@b", "s.whatsapp.net").IsValid());
  EXPECT_FALSE(Jid("a:1", "s.whatsapp.net").IsValid());
  EXPECT_FALSE(Jid("1", "").IsValid());
  EXPECT_FALSE(Jid::WithDevice("1", "g.us", 1).IsValid());
  EXPECT_FALSE(Jid::WithDevice("1", "lid", 256).IsValid());
  EXPECT_TRUE(Jid::WithDevice("1", "msgr", 256).IsValid());
  EXPECT_FALSE(Jid().IsValid());
}

}  // namespace
}  // namespace wa
