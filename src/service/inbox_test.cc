#include "service/inbox.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "store/memory/memory_store.h"
#include "wa/client/content.h"

namespace service {
namespace {

constexpr char kBob[] = "15550100002@s.whatsapp.net";
constexpr char kBobLid[] = "100000000000002@lid";
constexpr char kMe[] = "15550100001@s.whatsapp.net";

class InboxTest : public ::testing::Test {
 protected:
  template <typename T>
  T Run(boost::asio::awaitable<T> a) {
    auto f = boost::asio::co_spawn(io_, std::move(a), boost::asio::use_future);
    io_.run();
    io_.restart();
    return f.get();
  }

  wa::client::IncomingMessage Text(std::string id, std::string text) {
    wa::client::IncomingMessage m;
    m.id = std::move(id);
    m.chat = kBobLid;
    m.sender = kBobLid;
    m.sender_alt = kBob;
    m.timestamp_ms = 1'700'000'000'000;
    m.push_name = "Bob";
    m.message = wa::client::BuildTextMessage(text, std::nullopt);
    return m;
  }

  std::vector<std::string> Events(std::string_view name) {
    std::vector<std::string> out;
    auto events = bus_.ReadAfter(0, 1000);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return out;
    const std::vector<Event> list = std::move(events).value();
    for (const auto& e : list) {
      if (e.name == name) out.push_back(e.json);
    }
    return out;
  }

  std::unique_ptr<store::Store> store_ = store::memory::Create();
  base::FakeClock clock_{1'700'000'000'000};
  EventBus bus_{"default", *store_, clock_};
  boost::asio::io_context io_;
  boost::asio::thread_pool pool_{2};
  MediaStore media_{"/tmp/wagate-inbox-test-media", "http://127.0.0.1:3000"};
  MediaDownloads downloads_{"default", *store_, media_, clock_, 1 << 20};
  Inbox inbox_{"default", *store_, &bus_, pool_, media_, downloads_, [] { return kMe; }};
};

TEST_F(InboxTest, StoresOnceUnderThePhoneNumberChatAndPublishes) {
  ASSERT_TRUE(Run(inbox_.OnMessage(Text("A1", "hello"))).ok());
  // A redelivery (the receipt was lost): stored once, published once.
  ASSERT_TRUE(Run(inbox_.OnMessage(Text("A1", "hello"))).ok());
  auto page = store_->ListMessages("default", kBob, 10, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].content, "hello");
  EXPECT_EQ(page->items[0].sender, kBob);
  EXPECT_EQ(page->items[0].status, "delivered");
  auto chat = store_->GetChat("default", kBob);
  ASSERT_TRUE(chat.ok() && chat->has_value());
  EXPECT_EQ((*chat)->name, "Bob");
  EXPECT_EQ((*chat)->unread_count, 1);
  EXPECT_EQ(Events("new-message").size(), 1u);
  EXPECT_EQ(Events("chat-update").size(), 1u);
}

TEST_F(InboxTest, PlaceholderIsReplacedWhenTheResendDecrypts) {
  wa::client::IncomingMessage bad = Text("B1", "");
  bad.undecryptable = true;
  bad.message.clear();
  ASSERT_TRUE(Run(inbox_.OnMessage(bad)).ok());
  EXPECT_EQ((*store_->GetMessage("default", kBob, "B1"))->type, "undecryptable");
  ASSERT_TRUE(Run(inbox_.OnMessage(Text("B1", "now readable"))).ok());
  auto m = *store_->GetMessage("default", kBob, "B1");
  EXPECT_EQ(m->type, "text");
  EXPECT_EQ(m->content, "now readable");
  EXPECT_EQ(Events("new-message").size(), 2u);  // the placeholder, then the content
}

TEST_F(InboxTest, OwnMessagesFromThePhoneAreFromMe) {
  wa::client::IncomingMessage m = Text("C1", "sent from my phone");
  m.from_me = true;
  m.chat = kBob;
  m.sender = kMe;
  ASSERT_TRUE(Run(inbox_.OnMessage(m)).ok());
  auto stored = *store_->GetMessage("default", kBob, "C1");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->from_me);
  EXPECT_EQ(stored->sender, kMe);
  EXPECT_EQ(stored->status, "sent");
  EXPECT_EQ((*store_->GetChat("default", kBob))->unread_count, 0);
}

TEST_F(InboxTest, ProtocolPayloadsStoreNothing) {
  wa::client::IncomingMessage m = Text("D1", "");
  m.message = std::string("\x12\x00", 2);  // field 2: an empty sender-key distribution
  ASSERT_TRUE(Run(inbox_.OnMessage(m)).ok());
  EXPECT_FALSE(store_->GetMessage("default", kBob, "D1")->has_value());
}

TEST_F(InboxTest, AStoreFailureIsReturnedSoNothingIsAcked) {
  store_->Close();
  EXPECT_FALSE(Run(inbox_.OnMessage(Text("E1", "x"))).ok());
}

TEST_F(InboxTest, ReceiptsMoveTheStatusForwardOnly) {
  store::MessageRecord sent;
  sent.id = "S1";
  sent.jid = kBob;
  sent.sender = kMe;
  sent.from_me = true;
  sent.type = "text";
  sent.timestamp_ms = 1;
  sent.status = "sent";
  ASSERT_TRUE(store_->SaveMessage("default", sent, {}).ok());
  Run(inbox_.OnReceipt({kBob, {"S1", "unknown-id"}, "read", kBob, 2}));
  Run(inbox_.OnReceipt({kBob, {"S1"}, "delivered", kBob, 3}));  // late: no step back
  EXPECT_EQ((*store_->GetMessage("default", kBob, "S1"))->status, "read");
  ASSERT_EQ(Events("message-status").size(), 1u);
  EXPECT_NE(Events("message-status")[0].find(R"("status":"read")"), std::string::npos);
}

TEST_F(InboxTest, AReceiptFromAKnownLidMovesTheMessageStoredUnderTheNumber) {
  Inbox inbox{"default",
              *store_,
              &bus_,
              pool_,
              media_,
              downloads_,
              [] { return kMe; },
              [](const std::string& lid) -> std::optional<std::string> {
                if (lid == "100000000000002") return "15550100002";
                return std::nullopt;
              }};
  store::MessageRecord sent;
  sent.id = "S2";
  sent.jid = kBob;
  sent.sender = kMe;
  sent.from_me = true;
  sent.type = "text";
  sent.timestamp_ms = 1;
  sent.status = "sent";
  ASSERT_TRUE(store_->SaveMessage("default", sent, {}).ok());
  Run(inbox.OnReceipt({kBobLid, {"S2"}, "read", "100000000000002:1@lid", 2}));
  EXPECT_EQ((*store_->GetMessage("default", kBob, "S2"))->status, "read");
  ASSERT_EQ(Events("message-status").size(), 1u);
  EXPECT_NE(Events("message-status")[0].find(R"("jid":"15550100002@s.whatsapp.net")"),
            std::string::npos);
}

TEST(ChatJidFor, AKnownLidBecomesItsNumberAnythingElseIsKept) {
  const PnForLid known = [](const std::string& lid) -> std::optional<std::string> {
    if (lid == "100000000000002") return "15550100002";
    return std::nullopt;
  };
  EXPECT_EQ(ChatJidFor(kBobLid, known), kBob);
  EXPECT_EQ(ChatJidFor("100000000000009@lid", known), "100000000000009@lid");
  EXPECT_EQ(ChatJidFor(kBob, known), kBob);
  EXPECT_EQ(ChatJidFor("120363000000000001@g.us", known), "120363000000000001@g.us");
  EXPECT_EQ(ChatJidFor(kBobLid, {}), kBobLid);
}

TEST_F(InboxTest, MediaIsStoredWithItsUrlAndADownloadJob) {
  wa::client::MediaMessageInput in;
  in.media_type = "image";
  in.uploaded = {"https://127.0.0.1:1/m", "/m", std::string(32, 'k'), std::string(32, '\x01'),
                 std::string(32, 'e'),    10};
  in.mime_type = "image/jpeg";
  wa::client::IncomingMessage m = Text("F1", "");
  m.message = *wa::client::BuildMediaMessage(in);
  ASSERT_TRUE(Run(inbox_.OnMessage(m)).ok());
  auto stored = *store_->GetMessage("default", kBob, "F1");
  EXPECT_EQ(stored->type, "image");
  EXPECT_EQ(stored->content, "http://127.0.0.1:3000/whatsapp/media/" +
                                 MediaStore::NameFor(std::string(32, '\x01'), "image/jpeg"));
  EXPECT_EQ(downloads_.pending(), 1u);
  EXPECT_EQ(*downloads_.Problem(MediaStore::NameFor(std::string(32, '\x01'), "image/jpeg")),
            "media not downloaded yet");
}

}  // namespace
}  // namespace service
