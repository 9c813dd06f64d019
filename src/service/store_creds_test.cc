#include "service/store_creds.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "service/session_manager.h"
#include "store/memory/memory_store.h"

namespace service {
namespace {

class StoreCredsTest : public ::testing::Test {
 protected:
  wa::client::Creds Linked() {
    auto creds = wa::client::NewCreds(random_);
    EXPECT_TRUE(creds.ok());
    creds->registered = true;
    creds->me = wa::client::Me{"15550100001:3@s.whatsapp.net", "100000000000001:3@lid", "Alice"};
    return *creds;
  }

  std::unique_ptr<store::Store> store_ = store::memory::Create();
  base::FakeClock clock_{1'700'000'000'000};
  base::SeededRandom random_{11};
  StoreCredsStore creds_{"default", *store_, clock_};
};

TEST_F(StoreCredsTest, NothingStoredLoadsAsNone) {
  auto loaded = creds_.LoadCreds();
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->has_value());
  // Recording a status creates no record for an unlinked instance.
  ASSERT_TRUE(creds_.SaveStatus("connecting").ok());
  EXPECT_FALSE(store_->GetSession("default")->has_value());
}

TEST_F(StoreCredsTest, SavedCredsLoadBackAndShowTheLinkedAccount) {
  const wa::client::Creds creds = Linked();
  ASSERT_TRUE(creds_.SaveCreds(creds).ok());
  ASSERT_TRUE(creds_.SaveStatus("open").ok());
  auto loaded = creds_.LoadCreds();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(wa::client::CredsToJson(**loaded), wa::client::CredsToJson(creds));
  auto record = store_->GetSession("default");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, "open");
  EXPECT_EQ((*record)->me, wa::client::MeToJson(*creds.me));
}

TEST_F(StoreCredsTest, CredsOfADeviceNotLinkedYetShowNoAccount) {
  auto creds = wa::client::NewCreds(random_);
  ASSERT_TRUE(creds.ok());
  ASSERT_TRUE(creds_.SaveCreds(*creds).ok());
  EXPECT_EQ((*store_->GetSession("default"))->me, "");
}

TEST_F(StoreCredsTest, DeleteRemovesCredsAndEveryKey) {
  ASSERT_TRUE(creds_.SaveCreds(Linked()).ok());
  ASSERT_TRUE(store_
                  ->WriteKeys("default", {{"pre-key", "1", std::string("k1")},
                                          {"session", "a.0", std::string("s")}})
                  .ok());
  ASSERT_TRUE(store_->WriteKeys("other", {{"pre-key", "1", std::string("k")}}).ok());
  ASSERT_TRUE(creds_.DeleteCredsAndKeys().ok());
  EXPECT_FALSE(creds_.LoadCreds()->has_value());
  EXPECT_EQ(*store_->CountKeys("default"), 0);
  EXPECT_EQ(*store_->CountKeys("other"), 1);  // another instance keeps its keys
}

TEST_F(StoreCredsTest, CorruptStoredCredsAreAnErrorNotAFreshDevice) {
  store::SessionRecord record;
  record.instance = "default";
  record.creds = R"({"noiseKey":5})";
  record.status = "closed";
  ASSERT_TRUE(store_->PutSession(record).ok());
  auto loaded = creds_.LoadCreds();
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("stored creds of default"), std::string::npos)
      << loaded.status().ToString();
}

// Start() with linked creds shows the account before any socket opened.
TEST_F(StoreCredsTest, SessionManagerStartShowsTheStoredAccount) {
  ASSERT_TRUE(creds_.SaveCreds(Linked()).ok());
  boost::asio::io_context io;
  boost::asio::thread_pool pool(1);
  SessionOptions options;
  options.auto_connect = false;  // no socket in a unit test
  SessionManager session(io.get_executor(), pool, "default", *store_, nullptr, options, random_,
                         clock_);
  ASSERT_TRUE(session.Start().ok());
  SessionView view = session.View();
  EXPECT_EQ(view.status, "closed");
  EXPECT_TRUE(view.linked);
  EXPECT_NE(view.me.find("15550100001:3@s.whatsapp.net"), std::string::npos) << view.me;
  pool.join();
}

}  // namespace
}  // namespace service
