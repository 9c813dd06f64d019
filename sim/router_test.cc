// Router: routing decisions, the pending (offline) queue and its acks, group
// fan-out, and a real Signal exchange between a simulated phone and an
// in-process companion (wa/signal on both sides). Sans-IO: no device is
// connected, so everything lands in the pending queues.
#include "sim/router.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sim/simulator.h"
#include "wa/noise/cert_chain.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_message.pb.h"
#include "wa/signal/padding.h"
#include "wa/signal/session.h"

namespace sim {
namespace {

constexpr int64_t kNowMs = 1'790'000'000'000;
const std::string kA = "15550100001";
const std::string kB = "15550100002";

wa::Jid Pn(const std::string& phone, uint16_t device) {
  return wa::Jid::WithDevice(phone, std::string(wa::kUserServer), device);
}

Node Enc(std::string type, std::string bytes) {
  return Node("enc", {{"v", "2"}, {"type", std::move(type)}}, wa::binary::Bytes(std::move(bytes)));
}

// A companion with real Signal keys, registered as device `id` of `account`.
struct Companion {
  Companion(base::Random& random, Account& account, uint16_t id) {
    context = wa::signal::Context::Create(random).value();
    auto identity = wa::signal::GenerateIdentityKeyPair(random).value();
    auto spk = wa::signal::GenerateSignedPreKey(identity, 1, random).value();
    auto prekeys = wa::signal::GeneratePreKeys(1, 5, random).value();
    stores = wa::signal::Stores::Create(*context, kv, {identity, 4321}).value();
    EXPECT_TRUE(stores->PutSignedPreKey(spk).ok());
    EXPECT_TRUE(stores->PutPreKeys(prekeys).ok());
    Device d;
    d.id = id;
    d.key_index = id;
    d.identity_key = identity.public_key;
    d.registration_id = 4321;
    d.signed_prekey = {spk.id, spk.key_pair.public_key, spk.signature};
    for (const auto& k : prekeys) d.prekeys[k.id] = k.key_pair.public_key;
    account.devices[id] = d;
  }
  std::unique_ptr<wa::signal::Context> context;
  wa::signal::MemoryKeyValueStore kv;
  std::unique_ptr<wa::signal::Stores> stores;
};

struct World {
  World() : store("", random), clock(kNowMs) {
    auto root = wa::crypto::KeyPair::Generate(random).value();
    auto inter = wa::crypto::KeyPair::Generate(random).value();
    auto leaf = wa::crypto::KeyPair::Generate(random).value();
    auto chain = wa::noise::BuildCertChain({.root = &root,
                                            .intermediate = &inter,
                                            .leaf_key = leaf.public_key,
                                            .not_before = 0,
                                            .not_after = kNowMs / 1000 + 1000},
                                           random)
                     .value();
    sim.emplace(store, ServerIdentity{root, leaf, chain}, random, clock);
    a = *store.CreateAccount(kA, "Alice");
    b = *store.CreateAccount(kB, "Bob");
  }
  Router& router() { return sim->router(); }
  base::SeededRandom random{7};
  AccountStore store;
  base::FakeClock clock;
  std::optional<Simulator> sim;
  Account* a = nullptr;
  Account* b = nullptr;
  std::vector<Node> replies;
  Router::Reply reply = [this](const Node& n) { replies.push_back(n); };
};

void AddBareDevice(Account& account, uint16_t id) {
  Device d;
  d.id = id;
  d.key_index = id;
  account.devices[id] = d;
}

TEST(RouterHelpers, ReceiptIdsIncludeTheList) {
  Node receipt("receipt", {{"id", "A1"}, {"type", "read"}});
  Node list("list");
  list.AddChild(Node("item", {{"id", "A2"}}));
  list.AddChild(Node("item", {{"id", "A3"}}));
  receipt.AddChild(std::move(list));
  EXPECT_EQ(ReceiptIds(receipt), (std::vector<std::string>{"A1", "A2", "A3"}));
}

TEST(RouterTest, OneToOneGoesOutInLidFormAndStaysPendingUntilTheReceipt) {
  World w;
  AddBareDevice(*w.a, 1);
  AddBareDevice(*w.a, 2);
  AddBareDevice(*w.b, 1);
  Node message("message", {{"id", "3EB0AA"}, {"type", "text"}});
  message.SetAttr("to", w.b->PnJid());
  Node participants("participants");
  for (auto [jid, bytes] : {std::pair{wa::Jid::WithDevice(w.b->lid, "lid", 1), "to-b1"},
                            std::pair{Pn(kA, 2), "to-a2"}, std::pair{Pn(kA, 1), "to-self"}}) {
    Node to("to");
    to.SetAttr("jid", jid);
    to.AddChild(Enc("msg", bytes));
    participants.AddChild(std::move(to));
  }
  message.AddChild(std::move(participants));
  w.router().OnMessage(Pn(kA, 1), message, w.reply);

  ASSERT_EQ(w.replies.size(), 1u);
  EXPECT_EQ(w.replies[0].tag, "ack");
  EXPECT_EQ(w.replies[0].GetAttrText("class"), "message");
  EXPECT_EQ(w.replies[0].GetAttrText("id"), "3EB0AA");
  EXPECT_EQ(w.replies[0].GetAttrText("from"), kB + "@s.whatsapp.net");

  auto to_b = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(to_b[0].GetAttrText("from"), w.a->lid + ":1@lid");
  EXPECT_EQ(to_b[0].GetAttrText("sender_pn"), kA + "@s.whatsapp.net");
  EXPECT_EQ(to_b[0].GetAttrText("addressing_mode"), "lid");
  EXPECT_EQ(to_b[0].GetAttrText("notify"), "Alice");
  EXPECT_EQ(ContentBytes(*to_b[0].GetChild("enc")), "to-b1");
  auto to_a2 = w.router().Pending(Pn(kA, 2));
  ASSERT_EQ(to_a2.size(), 1u);
  EXPECT_EQ(to_a2[0].GetAttrText("from"), kA + ":1@s.whatsapp.net");
  EXPECT_EQ(to_a2[0].GetAttrText("recipient"), kB + "@s.whatsapp.net");
  EXPECT_EQ(w.router().PendingCount(Pn(kA, 1)), 0u);  // never to the sender itself

  // B:1's receipt acks the message and travels to the sender, queued too.
  w.replies.clear();
  Node receipt("receipt", {{"id", "3EB0AA"}});
  receipt.SetAttr("to", w.a->LidJid());
  w.router().OnReceipt(Pn(kB, 1), receipt, w.reply);
  EXPECT_EQ(w.router().PendingCount(Pn(kB, 1)), 0u);
  ASSERT_EQ(w.replies.size(), 1u);
  EXPECT_EQ(w.replies[0].GetAttrText("class"), "receipt");
  auto to_a1 = w.router().Pending(Pn(kA, 1));
  ASSERT_EQ(to_a1.size(), 1u);
  EXPECT_EQ(to_a1[0].tag, "receipt");
  EXPECT_EQ(to_a1[0].GetAttrText("from"), kB + "@s.whatsapp.net");
  EXPECT_EQ(to_a1[0].GetAttrText("id"), "3EB0AA");
  // The sender's ack of the receipt clears it.
  w.router().OnAck(Pn(kA, 1), Node("ack", {{"class", "receipt"}, {"id", "3EB0AA"}}));
  EXPECT_EQ(w.router().PendingCount(Pn(kA, 1)), 0u);
  // A:2 never acked: its copy is still there for the next login.
  EXPECT_EQ(w.router().PendingCount(Pn(kA, 2)), 1u);
}

TEST(RouterTest, UnknownTargetsAreAckedWithAnError) {
  World w;
  AddBareDevice(*w.a, 1);
  Node message("message", {{"id", "3EB0BB"}, {"to", "15550100999@s.whatsapp.net"}});
  w.router().OnMessage(Pn(kA, 1), message, w.reply);
  ASSERT_EQ(w.replies.size(), 1u);
  EXPECT_EQ(w.replies[0].GetAttrText("error"), "404");
  w.replies.clear();
  w.router().OnMessage(Pn(kA, 1), Node("message", {{"to", "x"}}), w.reply);
  EXPECT_EQ(w.replies.at(0).GetAttrText("error"), "400");
}

TEST(RouterTest, RetryResendsReachOnlyTheRequestingDeviceWithOneCopy) {
  World w;
  AddBareDevice(*w.a, 1);
  AddBareDevice(*w.b, 1);
  AddBareDevice(*w.b, 2);
  // 1:1 device_fanout='false' with only the direct <enc count>.
  Node direct("message", {{"id", "3EB0R1"}, {"type", "text"}, {"device_fanout", "false"}});
  direct.SetAttr("to", Pn(kB, 2));
  direct.AddChild(Node("enc", {{"v", "2"}, {"type", "msg"}, {"count", "1"}},
                       wa::binary::Bytes(std::string("again"))));
  w.router().OnMessage(Pn(kA, 1), direct, w.reply);
  EXPECT_EQ(w.router().PendingCount(Pn(kB, 1)), 0u);
  auto b2 = w.router().Pending(Pn(kB, 2));
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(ContentBytes(*b2[0].GetChild("enc")), "again");
  // Group retry resend: direct copy + <participants> copy → one copy.
  auto group = w.router().CreateGroup("R", {kA, kB});
  ASSERT_TRUE(group.ok());
  Node resend("message", {{"id", "3EB0R2"}, {"type", "text"}});
  resend.SetAttr("to", (*group)->Jid());
  resend.SetAttr("participant", wa::Jid::WithDevice(w.b->lid, "lid", 1));
  resend.AddChild(Enc("msg", "direct"));
  Node participants("participants");
  Node to("to");
  to.SetAttr("jid", wa::Jid::WithDevice(w.b->lid, "lid", 1));
  to.AddChild(Enc("msg", "listed"));
  participants.AddChild(std::move(to));
  resend.AddChild(std::move(participants));
  w.router().OnMessage(Pn(kA, 1), resend, w.reply);
  auto b1 = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(b1.back().GetAttrText("id"), "3EB0R2");
  ASSERT_EQ(b1.back().GetChildren("enc").size(), 1u);
  EXPECT_EQ(ContentBytes(*b1.back().GetChild("enc")), "listed");
  EXPECT_NE(w.router().Pending(Pn(kB, 2)).back().GetAttrText("id"), "3EB0R2");
}

TEST(RouterTest, PendingQueueIsBounded) {
  World w;
  AddBareDevice(*w.b, 1);
  Router router(*w.sim, {.max_pending_per_device = 2});
  for (int i = 0; i < 5; ++i) {
    router.Deliver(Pn(kB, 1), Node("message", {{"id", "M" + std::to_string(i)}}));
  }
  auto pending = router.Pending(Pn(kB, 1));
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].GetAttrText("id"), "M0");
  router.ForgetDevice(Pn(kB, 1));
  EXPECT_EQ(router.PendingCount(Pn(kB, 1)), 0u);
}

TEST(RouterTest, GroupFanOutPutsThePairwiseCopyBeforeTheSharedSkmsg) {
  World w;
  AddBareDevice(*w.a, 1);
  AddBareDevice(*w.b, 1);
  AddBareDevice(*w.b, 2);
  auto group = w.router().CreateGroup("Sim group", {kA, kB});
  ASSERT_TRUE(group.ok());
  const wa::Jid gjid = (*group)->Jid();
  EXPECT_EQ(gjid.user().substr(0, 6), "120363");
  // Every member device got the w:gp2 create notification; acks clear it.
  for (const auto& dev : {Pn(kA, 1), Pn(kB, 1), Pn(kB, 2)}) {
    auto p = w.router().Pending(dev);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].GetAttrText("type"), "w:gp2");
    ASSERT_NE(p[0].GetChild("create"), nullptr);
    w.router().OnAck(dev,
                     Node("ack", {{"class", "notification"}, {"id", *p[0].GetAttrText("id")}}));
    EXPECT_EQ(w.router().PendingCount(dev), 0u);
  }
  Node message("message", {{"id", "3EB0CC"}, {"type", "text"}});
  message.SetAttr("to", gjid);
  message.AddChild(Enc("skmsg", "shared"));
  Node participants("participants");
  Node to("to");
  to.SetAttr("jid", wa::Jid::WithDevice(w.b->lid, "lid", 1));
  to.AddChild(Enc("pkmsg", "skdm-b1"));
  participants.AddChild(std::move(to));
  message.AddChild(std::move(participants));
  w.router().OnMessage(Pn(kA, 1), message, w.reply);
  EXPECT_EQ(w.replies.at(0).GetAttrText("from"), gjid.ToString());

  auto b1 = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_EQ(b1[0].GetAttrText("from"), gjid.ToString());
  EXPECT_EQ(b1[0].GetAttrText("participant"), w.a->lid + ":1@lid");
  EXPECT_EQ(b1[0].GetAttrText("participant_pn"), kA + "@s.whatsapp.net");
  auto encs = b1[0].GetChildren("enc");
  ASSERT_EQ(encs.size(), 2u);
  EXPECT_EQ(encs[0]->GetAttrText("type"), "pkmsg");
  EXPECT_EQ(encs[1]->GetAttrText("type"), "skmsg");
  auto b2 = w.router().Pending(Pn(kB, 2));
  ASSERT_EQ(b2.size(), 1u);
  ASSERT_EQ(b2[0].GetChildren("enc").size(), 1u);
  EXPECT_EQ(b2[0].GetChild("enc")->GetAttrText("type"), "skmsg");
  EXPECT_EQ(w.router().PendingCount(Pn(kA, 1)), 0u);
  // A receipt from a member comes back to the sender with participant.
  w.router().OnReceipt(Pn(kB, 2), Node("receipt", {{"id", "3EB0CC"}, {"type", "read"}}), w.reply);
  auto a1 = w.router().Pending(Pn(kA, 1));
  ASSERT_EQ(a1.size(), 1u);
  EXPECT_EQ(a1[0].GetAttrText("from"), gjid.ToString());
  EXPECT_EQ(a1[0].GetAttrText("participant"), w.b->lid + ":2@lid");
  EXPECT_EQ(a1[0].GetAttrText("type"), "read");
}

// A removal names its actor and reaches the old members' devices; a removed
// phone marked as an eavesdropper gets later skmsgs (only those), records
// what it could not read and answers no retry receipt; its companion gets
// nothing.
TEST(RouterTest, RemovalNotifiesWithTheActorAndEavesdroppersGetOnlyTheSkmsg) {
  World w;
  const std::string kC = "15550100003";
  Account* c = *w.store.CreateAccount(kC, "Carol");
  AddBareDevice(*w.a, 1);
  AddBareDevice(*w.b, 1);
  AddBareDevice(*c, 1);
  auto group = w.router().CreateGroup("Team", {kA, kB, kC});
  ASSERT_TRUE(group.ok());
  const wa::Jid gjid = (*group)->Jid();
  for (const auto& dev : {Pn(kA, 1), Pn(kB, 1), Pn(kC, 1)}) w.router().ForgetDevice(dev);

  auto removed = w.router().ChangeMembers(
      gjid, Router::MemberChange{.add = {}, .remove = {kC}, .actor = kB, .eavesdrop = true});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ((*removed)->phones, (std::vector<std::string>{kA, kB}));
  for (const auto& dev : {Pn(kA, 1), Pn(kB, 1), Pn(kC, 1)}) {
    auto p = w.router().Pending(dev);
    ASSERT_EQ(p.size(), 1u) << dev.ToString();
    EXPECT_EQ(p[0].GetAttrText("type"), "w:gp2");
    EXPECT_EQ(p[0].GetAttrText("participant"), w.b->lid + "@lid");
    EXPECT_EQ(p[0].GetAttrText("participant_pn"), kB + "@s.whatsapp.net");
    const Node* remove = p[0].GetChild("remove");
    ASSERT_NE(remove, nullptr);
    ASSERT_NE(remove->GetChild("participant"), nullptr);
    EXPECT_EQ(remove->GetChild("participant")->GetAttrText("jid"), c->lid + "@lid");
    w.router().ForgetDevice(dev);
  }

  Node message("message", {{"id", "3EB0EV"}, {"type", "text"}});
  message.SetAttr("to", gjid);
  message.AddChild(Enc("skmsg", "not for carol"));
  w.router().OnMessage(Pn(kA, 1), message, w.reply);
  EXPECT_EQ(w.router().PendingCount(Pn(kB, 1)), 1u);
  EXPECT_EQ(w.router().PendingCount(Pn(kC, 1)), 0u);  // not a member: nothing
  const auto& got = w.router().Received(kC);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, "3EB0EV");
  EXPECT_EQ(got[0].error.rfind("skmsg", 0), 0u) << got[0].error;
  EXPECT_TRUE(w.router().Pending(Pn(kA, 1)).empty());  // no retry receipt

  // Added back: a member again, no longer an eavesdropper.
  ASSERT_TRUE(w.router()
                  .ChangeMembers(gjid,
                                 Router::MemberChange{
                                     .add = {kC}, .remove = {}, .actor = {}, .eavesdrop = false})
                  .ok());
  EXPECT_TRUE(w.router().FindGroup(gjid)->eavesdroppers.empty());
}

TEST(RouterTest, PhoneAndCompanionExchangeRealSignalMessages) {
  World w;
  Companion b1(w.random, *w.b, 1);
  // Phone A → B: a pkmsg the companion decrypts with its own keys.
  auto id = w.router().PhoneSend(kA, {.to = kB, .text = "hello from the phone"});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto pending = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(pending.size(), 1u);
  const Node& stanza = pending[0];
  EXPECT_EQ(stanza.GetAttrText("from"), w.a->lid + "@lid");
  EXPECT_EQ(stanza.GetAttrText("id"), *id);
  const Node* enc = stanza.GetChild("enc");
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(enc->GetAttrText("type"), "pkmsg");
  auto padded = wa::signal::Decrypt(*b1.stores, wa::signal::Address{w.a->lid + "_1", 0},
                                    wa::signal::MessageType::kPreKey, *ContentBytes(*enc));
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  auto m = wa::proto::Parse<wa::proto::Message>(*wa::signal::Unpad(*padded));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->conversation(), "hello from the phone");
  // The other phone recorded it end to end.
  ASSERT_EQ(w.router().Received(kB).size(), 1u);
  EXPECT_EQ(w.router().Received(kB)[0].text, "hello from the phone");

  // B:1 → phone A on the same session: the phone decrypts and records it,
  // and its delivery receipt waits for B:1.
  wa::proto::Message reply;
  reply.set_conversation("and back");
  auto sealed = wa::signal::Encrypt(*b1.stores, wa::signal::Address{w.a->lid + "_1", 0},
                                    wa::signal::Pad(*wa::proto::Serialize(reply), w.random));
  ASSERT_TRUE(sealed.ok());
  w.router().OnReceipt(Pn(kB, 1), Node("receipt", {{"id", *id}}), w.reply);  // ack of the first
  Node message("message", {{"id", "3EB0DD"}, {"type", "text"}});
  message.SetAttr("to", w.a->PnJid());
  Node participants("participants");
  Node to("to");
  to.SetAttr("jid", w.a->PnJid());
  to.AddChild(Enc(std::string(wa::signal::MessageTypeName(sealed->type)), sealed->ciphertext));
  participants.AddChild(std::move(to));
  message.AddChild(std::move(participants));
  w.router().OnMessage(Pn(kB, 1), message, w.reply);
  const auto& got = w.router().Received(kA);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text, "and back");
  EXPECT_EQ(got[0].from, kB + "@s.whatsapp.net");
  EXPECT_EQ(got[0].error, "");
  auto to_b1 = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(to_b1.size(), 1u);
  EXPECT_EQ(to_b1[0].tag, "receipt");
  EXPECT_EQ(to_b1[0].GetAttrText("id"), "3EB0DD");
  EXPECT_EQ(to_b1[0].GetAttrText("from"), kA + "@s.whatsapp.net");
}

TEST(RouterTest, StateSurvivesSaveAndLoad) {
  World w;
  Companion b1(w.random, *w.b, 1);
  AddBareDevice(*w.a, 1);
  auto group = w.router().CreateGroup("Kept", {kA, kB});
  ASSERT_TRUE(group.ok());
  auto first = w.router().PhoneSend(kA, {.to = kB, .text = "one"});
  ASSERT_TRUE(first.ok());
  const std::string path = ::testing::TempDir() + "/router_state_test.json";
  ASSERT_TRUE(w.router().Save(path).ok());

  Router loaded(*w.sim);
  ASSERT_TRUE(loaded.Load(path).ok());
  EXPECT_EQ(loaded.PendingCount(Pn(kB, 1)), w.router().PendingCount(Pn(kB, 1)));
  EXPECT_EQ(loaded.Pending(Pn(kA, 1)), w.router().Pending(Pn(kA, 1)));
  ASSERT_NE(loaded.FindGroup((*group)->Jid()), nullptr);
  EXPECT_EQ(loaded.FindGroup((*group)->Jid())->subject, "Kept");
  // The phone continues the same Signal session: the companion decrypts the
  // first message and then the second, sent by the reloaded router.
  auto second = loaded.PhoneSend(kA, {.to = kB, .text = "two"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto pending = loaded.Pending(Pn(kB, 1));
  ASSERT_GE(pending.size(), 3u);  // create notification, one, two
  std::vector<std::string> texts;
  for (const Node& stanza : pending) {
    const Node* enc = stanza.GetChild("enc");
    if (stanza.tag != "message" || enc == nullptr) continue;
    auto type = wa::signal::ParseMessageType(*enc->GetAttrText("type"));
    auto padded = wa::signal::Decrypt(*b1.stores, wa::signal::Address{w.a->lid + "_1", 0}, *type,
                                      *ContentBytes(*enc));
    ASSERT_TRUE(padded.ok()) << padded.status().ToString();
    texts.push_back(
        wa::proto::Parse<wa::proto::Message>(*wa::signal::Unpad(*padded))->conversation());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"one", "two"}));
  // A missing file is an empty state; garbage is an error.
  Router empty(*w.sim);
  EXPECT_TRUE(empty.Load(path + ".missing").ok());
  { std::ofstream(path) << "[1,2"; }
  EXPECT_FALSE(empty.Load(path).ok());
}

TEST(RouterTest, GarbageForThePhoneIsRecordedAndAnsweredWithARetryReceipt) {
  World w;
  AddBareDevice(*w.b, 1);
  Node message("message", {{"id", "3EB0EE"}, {"type", "text"}});
  message.SetAttr("to", w.a->PnJid());
  Node participants("participants");
  Node to("to");
  to.SetAttr("jid", w.a->PnJid());
  to.AddChild(Enc("pkmsg", "\x33garbage"));
  to.AddChild(Node("enc", {{"type", "msg"}}));  // no bytes
  to.AddChild(Enc("nonsense", "x"));
  participants.AddChild(std::move(to));
  message.AddChild(std::move(participants));
  message.AddChild(Enc("skmsg", "also garbage"));
  w.router().OnMessage(Pn(kB, 1), message, w.reply);
  EXPECT_EQ(w.replies.at(0).GetAttrText("error"), std::nullopt);
  const auto& got = w.router().Received(kA);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].error, "");
  auto to_b1 = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(to_b1.size(), 1u);
  EXPECT_EQ(to_b1[0].GetAttrText("type"), "retry");
  EXPECT_EQ(to_b1[0].GetAttrText("from"), w.a->lid + "@lid");
  ASSERT_NE(to_b1[0].GetChild("retry"), nullptr);
  EXPECT_EQ(to_b1[0].GetChild("retry")->GetAttrText("id"), "3EB0EE");
  // Receipts and acks for unknown ids, stray stanzas: no effect, no crash.
  w.router().OnReceipt(Pn(kB, 1), Node("receipt"), w.reply);
  w.router().OnReceipt(Pn(kB, 1), Node("receipt", {{"id", "nope"}, {"type", "read"}}), w.reply);
  w.router().OnAck(Pn(kB, 1), Node("ack", {{"class", "receipt"}, {"id", "nope"}}));
  w.router().OnMessage(Pn(kB, 1), Node("message", {{"id", "x"}, {"to", "1@g.us"}}), w.reply);
  EXPECT_EQ(w.replies.back().GetAttrText("error"), "404");
  EXPECT_EQ(w.router().PendingCount(Pn(kB, 1)), 1u);
}

TEST(RouterTest, LowPreKeysAreAnnouncedOnceUntilTheNextUpload) {
  World w;
  AddBareDevice(*w.b, 1);
  w.b->devices[1].prekeys = {{1, std::string(32, 'k')}};
  Node iq("iq", {{"xmlns", "encrypt"}, {"type", "get"}});
  Node key("key");
  Node user("user");
  user.SetAttr("jid", wa::Jid::WithDevice(w.b->lid, "lid", 1));
  key.AddChild(std::move(user));
  iq.AddChild(std::move(key));
  w.router().AfterBundleFetch(iq);
  w.router().AfterBundleFetch(iq);
  auto p = w.router().Pending(Pn(kB, 1));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].GetAttrText("type"), "encrypt");
  EXPECT_EQ(p[0].GetChild("count")->GetAttrText("value"), "1");
  w.router().OnPreKeysUploaded(Pn(kB, 1));  // (also its first: the history sync)
  w.router().AfterBundleFetch(iq);
  EXPECT_EQ(w.router().Pending(Pn(kB, 1)).back().GetAttrText("type"), "encrypt");
}

TEST(RouterTest, PhoneSendRejectsBadInput) {
  World w;
  EXPECT_EQ(w.router().PhoneSend("15550100009", {.to = kB, .text = "x"}).status().code(),
            base::Code::kNotFound);
  EXPECT_EQ(w.router().PhoneSend(kA, {.to = "15550100009", .text = "x"}).status().code(),
            base::Code::kNotFound);
  EXPECT_EQ(w.router().PhoneSend(kA, {.to = kB}).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(w.router().PhoneSend(kA, {.to = kB, .media_type = "ppic", .data = "x"}).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(w.router().PhoneSend(kA, {.to = kA, .text = "x"}).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_FALSE(w.router().CreateGroup("", {kA}).ok());
  EXPECT_FALSE(w.router().CreateGroup("g", {"15550100009"}).ok());
}

}  // namespace
}  // namespace sim
