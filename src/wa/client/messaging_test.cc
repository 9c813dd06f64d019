// Sans-IO parts of the messaging layer: the Signal KV overlay, stanza
// parsing and building, device-sent wrappers, MessagingState bounds.
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/random.h"
#include "wa/client/messaging.h"
#include "wa/client/signal_kv.h"
#include "wa/client/stanzas.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_message.pb.h"

namespace wa::client {
namespace {

using binary::Node;

// Counts WriteKeys batches of an in-memory KeyStore.
class CountingKeyStore final : public store::KeyStore {
 public:
  base::Result<std::map<std::string, std::string>> GetKeys(
      std::string_view instance, std::string_view type,
      const std::vector<std::string>& ids) override {
    std::map<std::string, std::string> out;
    for (const std::string& id : ids) {
      auto it = data.find(Key(instance, type, id));
      if (it != data.end()) out[id] = it->second;
    }
    return out;
  }
  base::Status WriteKeys(std::string_view instance,
                         const std::vector<store::KeyWrite>& writes) override {
    ++batches;
    for (const store::KeyWrite& w : writes) {
      if (w.value) {
        data[Key(instance, w.type, w.id)] = *w.value;
      } else {
        data.erase(Key(instance, w.type, w.id));
      }
    }
    return base::Status::Ok();
  }
  base::Result<std::map<std::string, std::string>> ListKeys(std::string_view, std::string_view,
                                                            int) override {
    return base::Unimplemented("not used here");
  }
  base::Status DeleteAllKeys(std::string_view) override { return base::Status::Ok(); }
  base::Result<int64_t> CountKeys(std::string_view) override {
    return static_cast<int64_t>(data.size());
  }
  static std::string Key(std::string_view instance, std::string_view type, std::string_view id) {
    return std::string(instance) + "/" + std::string(type) + "/" + std::string(id);
  }
  std::map<std::string, std::string> data;
  int batches = 0;
};

TEST(OverlayKv, ReadsSeeWritesCommitIsOneBatch) {
  CountingKeyStore keys;
  KeyStoreKv base(keys, "inst");
  ASSERT_TRUE(base.Put("session", "a.0", "old").ok());
  ASSERT_TRUE(base.Put("session", "gone.0", "x").ok());
  keys.batches = 0;

  OverlayKv overlay(base);
  ASSERT_TRUE(overlay.Put("session", "a.0", "new").ok());
  ASSERT_TRUE(overlay.Put("pre-key", "5", "pk").ok());
  ASSERT_TRUE(overlay.Delete("session", "gone.0").ok());
  auto got = overlay.Get("session", {"a.0", "gone.0", "missing.0"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (std::map<std::string, std::string>{{"a.0", "new"}}));
  EXPECT_EQ(keys.batches, 0);
  EXPECT_EQ(keys.data.at(CountingKeyStore::Key("inst", "session", "a.0")), "old");

  ASSERT_TRUE(overlay.Commit().ok());
  EXPECT_EQ(keys.batches, 1);
  EXPECT_TRUE(overlay.empty());
  EXPECT_EQ(keys.data.at(CountingKeyStore::Key("inst", "session", "a.0")), "new");
  EXPECT_EQ(keys.data.at(CountingKeyStore::Key("inst", "pre-key", "5")), "pk");
  EXPECT_FALSE(keys.data.contains(CountingKeyStore::Key("inst", "session", "gone.0")));
}

TEST(OverlayKv, DiscardLeavesTheStoreUntouched) {
  CountingKeyStore keys;
  KeyStoreKv base(keys, "inst");
  ASSERT_TRUE(base.Put("session", "a.0", "old").ok());
  auto before = keys.data;
  keys.batches = 0;
  OverlayKv overlay(base);
  ASSERT_TRUE(overlay.Put("session", "a.0", "new").ok());
  ASSERT_TRUE(overlay.Delete("pre-key", "1").ok());
  overlay.Discard();
  EXPECT_EQ(overlay.GetOne("session", "a.0")->value_or(""), "old");
  ASSERT_TRUE(overlay.Commit().ok());  // nothing left: no batch at all
  EXPECT_EQ(keys.batches, 0);
  EXPECT_EQ(keys.data, before);
}

OwnIds Own() {
  return ParseOwnIds("15550100001:7@s.whatsapp.net", "100000000000001:7@lid").value();
}

TEST(Stanzas, ParsesAPeerMessageAndBuildsItsReceipt) {
  Node message("message", {{"from", "100000000000002:3@lid"},
                           {"id", "ABC"},
                           {"t", "1700000000"},
                           {"type", "text"},
                           {"notify", "Bob"},
                           {"addressing_mode", "lid"},
                           {"sender_pn", "15550100002:3@s.whatsapp.net"},
                           {"offline", "1"}});
  auto info = ParseMessageInfo(message, Own());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->chat.ToString(), "100000000000002@lid");
  EXPECT_EQ(info->author.ToString(), "100000000000002:3@lid");
  EXPECT_EQ(info->sender_alt.ToString(), "15550100002@s.whatsapp.net");
  EXPECT_FALSE(info->from_me);
  EXPECT_FALSE(info->is_group);
  EXPECT_TRUE(info->offline);
  EXPECT_EQ(info->timestamp_s, 1700000000);
  Node receipt = BuildDeliveryReceipt(*info);
  EXPECT_EQ(receipt.DebugString(), "<receipt id='ABC' to='100000000000002:3@lid'/>");
}

TEST(Stanzas, OwnDeviceMessageIsFromMeWithSenderReceipt) {
  Node message("message", {{"from", "15550100001:2@s.whatsapp.net"},
                           {"recipient", "15550100002@s.whatsapp.net"},
                           {"id", "X1"},
                           {"t", "5"}});
  auto info = ParseMessageInfo(message, Own());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->from_me);
  EXPECT_EQ(info->chat.ToString(), "15550100002@s.whatsapp.net");
  Node receipt = BuildDeliveryReceipt(*info);
  EXPECT_EQ(receipt.GetAttrText("type"), "sender");
  EXPECT_EQ(receipt.GetAttrText("recipient"), "15550100002@s.whatsapp.net");
  EXPECT_EQ(receipt.GetAttrText("to"), "15550100001:2@s.whatsapp.net");
}

TEST(Stanzas, GroupMessageReceiptNamesTheParticipant) {
  Node message("message", {{"from", "120363000000000001@g.us"},
                           {"participant", "100000000000002:3@lid"},
                           {"id", "G1"}});
  auto info = ParseMessageInfo(message, Own());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_group);
  EXPECT_EQ(info->chat.ToString(), "120363000000000001@g.us");
  Node receipt = BuildDeliveryReceipt(*info);
  EXPECT_EQ(receipt.DebugString(),
            "<receipt id='G1' to='120363000000000001@g.us' participant='100000000000002:3@lid'/>");
  EXPECT_FALSE(ParseMessageInfo(Node("message", {{"from", "1@g.us"}, {"id", "x"}}), Own()).ok());
}

TEST(Stanzas, RetryReceiptWithAndWithoutKeys) {
  Node message("message", {{"from", "15550100002:3@s.whatsapp.net"}, {"id", "R1"}, {"t", "9"}});
  MessageInfo info = ParseMessageInfo(message, Own()).value();
  Node first = BuildRetryReceipt(info, 1, 0x1234, std::nullopt);
  EXPECT_EQ(first.GetAttrText("type"), "retry");
  ASSERT_NE(first.GetChild("retry"), nullptr);
  EXPECT_EQ(first.GetChild("retry")->GetAttrText("count"), "1");
  EXPECT_EQ(first.GetChild("retry")->GetAttrText("t"), "9");
  EXPECT_EQ(first.GetChild("registration")->bytes()->str(), std::string("\0\0\x12\x34", 4));
  EXPECT_EQ(first.GetChild("keys"), nullptr);

  Node keys("keys");
  keys.AddChild(Node("type", {}, binary::Bytes(std::string(1, '\x05'))));
  keys.AddChild(Node("identity", {}, binary::Bytes(std::string(32, 'i'))));
  Node skey("skey");
  skey.AddChild(Node("id", {}, binary::Bytes(std::string("\0\0\x01", 3))));
  skey.AddChild(Node("value", {}, binary::Bytes(std::string(32, 's'))));
  skey.AddChild(Node("signature", {}, binary::Bytes(std::string(64, 'g'))));
  keys.AddChild(std::move(skey));
  Node second = BuildRetryReceipt(info, 2, 0x1234, keys);
  second.SetAttr("from", "15550100002:3@s.whatsapp.net");
  auto retry = ParseRetry(second);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->count, 2);
  EXPECT_EQ(retry->registration_id, 0x1234u);
  EXPECT_TRUE(retry->has_keys);
  EXPECT_EQ(retry->signed_pre_key_id, 1u);
  EXPECT_FALSE(retry->pre_key_id);
}

TEST(Stanzas, ReceiptsParseAndAck) {
  Node receipt(
      "receipt",
      {{"from", "15550100002:3@s.whatsapp.net"}, {"id", "A"}, {"type", "read"}, {"t", "10"}});
  Node list("list");
  list.AddChild(Node("item", {{"id", "B"}}));
  list.AddChild(Node("item", {{"id", "C"}}));
  receipt.AddChild(std::move(list));
  auto parsed = ParseReceipt(receipt);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ids, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(parsed->type, "read");
  EXPECT_EQ(BuildReceiptAck(receipt).DebugString(),
            "<ack id='A' to='15550100002:3@s.whatsapp.net' class='receipt' type='read'/>");
}

TEST(Stanzas, ReadReceiptListsTheOtherIds) {
  Node read = BuildReadReceipt(Jid::Parse("15550100002@s.whatsapp.net").value(), std::nullopt,
                               {"A", "B"}, 77);
  EXPECT_EQ(read.DebugString(),
            "<receipt id='A' to='15550100002@s.whatsapp.net' type='read' t='77'>"
            "<list><item id='B'/></list></receipt>");
}

TEST(Stanzas, MessageStanzaShape) {
  OutgoingStanza out;
  out.id = "3EB0AA";
  out.to = Jid::Parse("15550100002@s.whatsapp.net").value();
  out.type = "media";
  out.media_type = "image";
  out.participants.push_back(
      {Jid::Parse("15550100002@s.whatsapp.net").value(), "pkmsg", std::string("ct")});
  out.device_identity = "acct";
  Node node = BuildMessageStanza(out);
  EXPECT_EQ(node.DebugString(),
            "<message id='3EB0AA' to='15550100002@s.whatsapp.net' type='media'><participants>"
            "<to jid='15550100002@s.whatsapp.net'><enc v='2' type='pkmsg' mediatype='image'>"
            "6374</enc></to></participants><device-identity>61636374</device-identity></message>");
  base::SeededRandom random(1);
  std::string id = NewMessageId(random);
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(id.substr(0, 4), "3EB0");
}

TEST(Stanzas, DeviceSentWrapAndUnwrap) {
  proto::Message text;
  text.set_conversation("hi");
  text.mutable_message_context_info()->set_message_secret(std::string(32, 's'));
  std::string bytes = proto::Serialize(text).value();
  std::string wrapped = WrapDeviceSent(bytes, "15550100002@s.whatsapp.net").value();
  auto unwrapped = UnwrapMessage(wrapped);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->destination, "15550100002@s.whatsapp.net");
  EXPECT_EQ(unwrapped->message, bytes);
  EXPECT_FALSE(unwrapped->protocol_only);

  std::string skdm_only = WithSenderKeyDistribution("", "1@g.us", "dist").value();
  auto protocol = UnwrapMessage(skdm_only);
  ASSERT_TRUE(protocol.ok());
  EXPECT_TRUE(protocol->protocol_only);
  EXPECT_EQ(protocol->skdm_group, "1@g.us");
  EXPECT_EQ(protocol->skdm, "dist");
  auto merged = UnwrapMessage(WithSenderKeyDistribution(bytes, "1@g.us", "dist").value());
  ASSERT_TRUE(merged.ok());
  EXPECT_FALSE(merged->protocol_only);
  EXPECT_EQ(merged->skdm, "dist");
}

TEST(MessagingState, DevicesExpireAndAreBounded) {
  base::FakeClock clock;
  MessagingState state(clock);
  state.PutDevices("a@s.whatsapp.net", {.ids = {0, 5}, .fetched_ms = 0});
  ASSERT_TRUE(state.GetDevices("a@s.whatsapp.net"));
  EXPECT_EQ(state.GetDevices("a@s.whatsapp.net")->ids, (std::vector<uint32_t>{0, 5}));
  clock.AdvanceMs(MessagingState::kDeviceTtlMs + 1);
  EXPECT_FALSE(state.GetDevices("a@s.whatsapp.net"));
  state.PutDevices("b@s.whatsapp.net", {.ids = {0}, .fetched_ms = 0});
  state.InvalidateDevices("b@s.whatsapp.net");
  EXPECT_FALSE(state.GetDevices("b@s.whatsapp.net"));
  for (size_t i = 0; i < MessagingState::kMaxDeviceUsers + 10; ++i) {
    clock.AdvanceMs(1);
    state.PutDevices(std::to_string(i) + "@s.whatsapp.net", {.ids = {0}, .fetched_ms = 0});
  }
  EXPECT_FALSE(state.GetDevices("0@s.whatsapp.net"));
  EXPECT_TRUE(
      state.GetDevices(std::to_string(MessagingState::kMaxDeviceUsers + 9) + "@s.whatsapp.net"));
}

TEST(MessagingState, LidMappingsBothWays) {
  base::FakeClock clock;
  MessagingState state(clock);
  state.PutLidMapping("15550100002", "100000000000002");
  EXPECT_EQ(state.LidForPn("15550100002"), "100000000000002");
  EXPECT_EQ(state.PnForLid("100000000000002"), "15550100002");
  state.PutLidMapping("15550100002", "100000000000009");
  EXPECT_FALSE(state.PnForLid("100000000000002"));
  EXPECT_EQ(state.LidForPn("15550100002"), "100000000000009");
}

TEST(MessagingState, SentIsBounded) {
  base::FakeClock clock;
  MessagingState state(clock);
  for (size_t i = 0; i < MessagingState::kMaxSent + 50; ++i) {
    state.RememberSent("id" + std::to_string(i), {.to = "x", .message = "m"});
  }
  EXPECT_FALSE(state.FindSent("id0"));
  auto last = state.FindSent("id" + std::to_string(MessagingState::kMaxSent + 49));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->message, "m");
  EXPECT_EQ(last->sent_ms, clock.NowMs());
}

// The PN ↔ LID map is saved with the next commit: new or changed pairs are
// handed out once, come back when that commit fails, and pairs loaded from
// the store are not saved again.
TEST(MessagingState, LidMappingsAreHandedOutForSavingOnce) {
  base::FakeClock clock;
  MessagingState state(clock);
  state.LoadLidMappings({{"15550100001", "100000000000001"}});
  EXPECT_TRUE(state.TakeUnsavedLidMappings().empty());
  EXPECT_EQ(state.PnForLid("100000000000001"), "15550100001");

  state.PutLidMapping("15550100001", "100000000000001");  // known: nothing new
  state.PutLidMapping("15550100002", "100000000000002");
  auto taken = state.TakeUnsavedLidMappings();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0], (std::pair<std::string, std::string>{"15550100002", "100000000000002"}));
  EXPECT_TRUE(state.TakeUnsavedLidMappings().empty());

  // The commit failed: back in line, ahead of a pair learned meanwhile.
  state.PutLidMapping("15550100003", "100000000000003");
  state.ReturnUnsavedLidMappings(taken);
  auto again = state.TakeUnsavedLidMappings();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].first, "15550100002");
  EXPECT_EQ(again[1].first, "15550100003");
}

// The group cache: a notification drops the entry, an answer asked for
// before a change is not cached, entries expire and are bounded.
TEST(MessagingState, GroupCacheInvalidation) {
  base::FakeClock clock;
  MessagingState state(clock);
  const std::string g = "120363000000000001@g.us";
  uint64_t epoch = state.GroupEpoch();
  state.PutGroup(g, {.addressing_mode = "lid", .participants = {"1@lid", "2@lid"}}, epoch);
  ASSERT_TRUE(state.GetGroup(g));
  EXPECT_EQ(state.GetGroup(g)->participants, (std::vector<std::string>{"1@lid", "2@lid"}));
  EXPECT_EQ(state.GetGroup(g)->addressing_mode, "lid");

  state.InvalidateGroup(g);
  EXPECT_FALSE(state.GetGroup(g));
  EXPECT_NE(state.GroupEpoch(), epoch);

  // Asked before the change, answered after: not cached.
  uint64_t before = state.GroupEpoch();
  EXPECT_FALSE(state.GroupChangedSince(g, before));
  state.InvalidateGroup(g);
  EXPECT_TRUE(state.GroupChangedSince(g, before));
  state.PutGroup(g, {.addressing_mode = "lid", .participants = {"1@lid"}}, before);
  EXPECT_FALSE(state.GetGroup(g));
  state.PutGroup(g, {.addressing_mode = "lid", .participants = {"1@lid"}}, state.GroupEpoch());
  EXPECT_TRUE(state.GetGroup(g));
  // Another group's change does not hold this one up.
  uint64_t now = state.GroupEpoch();
  state.InvalidateGroup("other@g.us");
  EXPECT_FALSE(state.GroupChangedSince(g, now));
  state.PutGroup(g, {.addressing_mode = "pn", .participants = {}}, now);
  EXPECT_EQ(state.GetGroup(g)->addressing_mode, "pn");

  clock.AdvanceMs(MessagingState::kGroupTtlMs + 1);
  EXPECT_FALSE(state.GetGroup(g));

  for (size_t i = 0; i < MessagingState::kMaxGroups + 5; ++i) {
    clock.AdvanceMs(1);
    state.PutGroup(std::to_string(i) + "@g.us", {.addressing_mode = "pn", .participants = {}},
                   state.GroupEpoch());
  }
  EXPECT_FALSE(state.GetGroup("0@g.us"));
  EXPECT_TRUE(state.GetGroup(std::to_string(MessagingState::kMaxGroups + 4) + "@g.us"));

  // The record of changes is bounded too; a dropped one counts as a change.
  uint64_t start = state.GroupEpoch();
  for (size_t i = 0; i < MessagingState::kMaxGroups + 1; ++i) {
    state.InvalidateGroup(std::to_string(i) + "@g.us");
  }
  EXPECT_TRUE(state.GroupChangedSince("0@g.us", start));      // dropped: safe answer
  EXPECT_TRUE(state.GroupChangedSince("never@g.us", start));  // cannot tell: safe answer
  EXPECT_FALSE(state.GroupChangedSince("never@g.us", state.GroupEpoch()));
}

}  // namespace
}  // namespace wa::client
