#include "service/whatsapp_service.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "store/memory/memory_store.h"
#include "wa/client/content.h"

namespace service {
namespace {

store::MessageRecord Msg(std::string jid, std::string id, int64_t ts) {
  store::MessageRecord m;
  m.id = std::move(id);
  m.jid = jid;
  m.sender = jid;
  m.type = "text";
  m.content = "hello";
  m.timestamp_ms = ts;
  m.status = "delivered";
  return m;
}

class WhatsappServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> store_ = store::memory::Create();
  boost::asio::thread_pool pool_{1};
  base::FakeClock clock_{1'700'000'000'000};
  boost::asio::io_context io_;
  SessionManager session_{io_.get_executor(),
                          pool_,
                          "default",
                          *store_,
                          nullptr,
                          {},
                          base::SecureRandom::Instance(),
                          clock_};
  WhatsappService service_{"default", *store_, pool_, session_, clock_};
};

TEST_F(WhatsappServiceTest, StatusIsClosedSinceStartWithoutSession) {
  clock_.AdvanceMs(5000);
  auto state = service_.SessionStatus();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->instance, "default");
  EXPECT_EQ(state->status, "closed");
  EXPECT_EQ(state->me, "");
  EXPECT_FALSE(state->last_disconnect.has_value());
  EXPECT_EQ(state->since_ms, 1'700'000'000'000);
}

TEST_F(WhatsappServiceTest, MarkChatReadZeroesUnreadOrIsNotFound) {
  ASSERT_TRUE(store_->SaveMessage("default", Msg("15550100001@s.whatsapp.net", "A", 1), {}).ok());
  auto missing = service_.MarkChatRead("15550100002@s.whatsapp.net");
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
  auto chat = service_.MarkChatRead("15550100001@s.whatsapp.net");
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  EXPECT_EQ(chat->unread_count, 0);
}

// Received media that is not here yet says why on the message (the list
// shows it as mediaError); text and media that is here say nothing.
TEST_F(WhatsappServiceTest, MediaNotHereYetIsExplainedPerMessage) {
  wa::client::MediaMessageInput in;
  in.media_type = "image";
  in.uploaded = {"https://127.0.0.1:1/m", "/m", std::string(32, 'k'), std::string(32, '\x02'),
                 std::string(32, 'e'),    10};
  in.mime_type = "image/jpeg";
  wa::client::IncomingMessage m;
  m.id = "IMG1";
  m.chat = m.sender = "15550100002@s.whatsapp.net";
  m.timestamp_ms = 1'700'000'000'000;
  m.message = *wa::client::BuildMediaMessage(in);
  auto stored = boost::asio::co_spawn(io_, service_.sink().OnMessage(m), boost::asio::use_future);
  io_.run();
  ASSERT_TRUE(stored.get().ok());
  ASSERT_TRUE(store_->SaveMessage("default", Msg("15550100002@s.whatsapp.net", "TXT", 2), {}).ok());

  auto page = service_.ListMessages("15550100002@s.whatsapp.net", 10, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 2u);
  auto errors = service_.MediaErrors(page->items);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.at("IMG1"), "media not downloaded yet");
}

TEST_F(WhatsappServiceTest, ClosedStoreMakesPingFail) {
  EXPECT_TRUE(service_.PingStore().ok());
  store_->Close();
  EXPECT_FALSE(service_.PingStore().ok());
}

}  // namespace
}  // namespace service

namespace service {
namespace {

TEST(UnreadBySender, IncomingNotYetReadByAuthorOldestFirst) {
  auto m = [](std::string id, std::string sender, bool mine, std::string status = "delivered") {
    store::MessageRecord r;
    r.id = std::move(id);
    r.jid = "120363000000000001@g.us";
    r.sender = std::move(sender);
    r.from_me = mine;
    r.type = "text";
    r.status = std::move(status);
    return r;
  };
  const std::string b = "15550100002@s.whatsapp.net";
  const std::string c = "15550100003@s.whatsapp.net";
  // Newest first: C3, (mine), B2, C1, B0 (read already).
  std::vector<store::MessageRecord> page{m("C3", c, false), m("M", "", true, "sent"),
                                         m("B2", b, false), m("C1", c, false),
                                         m("B0", b, false, "read")};
  auto broken = m("U", b, false);
  broken.type = "undecryptable";
  page.push_back(broken);
  std::map<std::string, std::vector<std::string>> want{{b, {"B2"}}, {c, {"C1", "C3"}}};
  EXPECT_EQ(UnreadBySender(page), want);
  EXPECT_TRUE(UnreadBySender({}).empty());
}

}  // namespace
}  // namespace service
