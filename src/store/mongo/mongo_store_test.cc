// Backend-specific checks of the mongo store: failure modes without a
// server, and the document shapes of api.md read back as raw BSON. The
// behaviour shared by every backend is in tests/conformance.
#include "store/mongo/mongo_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "store/mongo/bson_convert.h"
#include "store/mongo/client_pool.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/test_database.h"

namespace store::mongo {
namespace {

constexpr char kInst[] = "inst-a";
constexpr char kAlice[] = "15550100101@s.whatsapp.net";

int64_t NowMs() { return base::SystemClock::Instance().MonotonicNs() / 1'000'000; }

// A loopback listening socket; connections queue in its backlog and are
// never answered, like a server that hangs.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 && listen(fd_, 16) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~SilentServer() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A TCP forwarder from a loopback port to `target_port` that a test can cut,
// closing every connection and the listener: the database "dies".
class CuttableProxy {
 public:
  explicit CuttableProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(0);
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        pipe(wake_) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~CuttableProxy() { Cut(); }
  int port() const { return port_; }

  void Cut() {
    if (!thread_.joinable()) return;
    char c = 'x';
    (void)!write(wake_[1], &c, 1);
    thread_.join();
    close(wake_[0]);
    close(wake_[1]);
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    return addr;
  }

  void Run() {
    std::vector<std::pair<int, int>> pairs;  // (client, server)
    for (;;) {
      std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (auto [a, b] : pairs) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), -1) < 0) break;
      if (fds[0].revents != 0) break;
      // Pump the pairs polled above first; a pair accepted now joins the
      // next round (it has no pollfd in this one).
      std::vector<std::pair<int, int>> alive;
      for (size_t i = 0; i < pairs.size(); ++i) {
        auto [a, b] = pairs[i];
        bool ok = Pump(fds[2 + 2 * i], b) && Pump(fds[3 + 2 * i], a);
        if (ok) {
          alive.emplace_back(a, b);
        } else {
          close(a);
          close(b);
        }
      }
      if (fds[1].revents & POLLIN) {
        int client = accept(listen_fd_, nullptr, nullptr);
        int server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in target = Loopback(target_port_);
        if (connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0) {
          alive.emplace_back(client, server);
        } else {
          close(client);
          close(server);
        }
      }
      pairs = std::move(alive);
    }
    for (auto [a, b] : pairs) {
      close(a);
      close(b);
    }
    close(listen_fd_);
  }

  // Copies what `from` has to `to`; false when the connection is over.
  static bool Pump(const pollfd& from, int to) {
    if ((from.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
    char buf[16384];
    ssize_t n = read(from.fd, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buf + done, static_cast<size_t>(n - done));
      if (w <= 0) return false;
      done += w;
    }
    return true;
  }

  int target_port_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

TEST(MongoStoreOpen, DeadServerIsUnavailableWithinTheTimeout) {
  Options options;
  options.uri = "mongodb://127.0.0.1:1/";  // nothing listens on port 1
  options.timeout_ms = 1000;
  const int64_t start = NowMs();
  auto opened = Open(options);
  const int64_t elapsed_ms = NowMs() - start;
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kUnavailable) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find("mongo: ping"), std::string::npos)
      << opened.status().message();
  EXPECT_LT(elapsed_ms, 4000);
}

TEST(MongoStoreOpen, SilentServerIsUnavailableWithinTheTimeout) {
  SilentServer silent;
  ASSERT_NE(silent.port(), 0);
  Options options;
  options.uri = "mongodb://127.0.0.1:" + std::to_string(silent.port()) + "/";
  options.timeout_ms = 1000;
  const int64_t start = NowMs();
  auto opened = Open(options);
  const int64_t elapsed_ms = NowMs() - start;
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kUnavailable) << opened.status().ToString();
  EXPECT_LT(elapsed_ms, 4000);
}

TEST(MongoStoreOpen, MalformedUriIsInvalidArgument) {
  Options options;
  options.uri = "postgres://127.0.0.1/";
  auto opened = Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kInvalidArgument);
  options.uri = "mongodb://127.0.0.1/";
  options.pool_max = 0;
  EXPECT_EQ(Open(options).status().code(), base::Code::kInvalidArgument);
}

class MongoStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason = db_.SkipReason();
    if (!reason.empty()) {
      if (testing::TestDatabase::Required()) FAIL() << reason;
      GTEST_SKIP() << reason;
    }
    auto opened = Open({.uri = db_.uri()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    client_ = db_.NewClient();
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->Close();
    if (client_ != nullptr) mongoc_client_destroy(client_);
  }

  // The one document of `collection` matching {instanceName: kInst} plus
  // `extra` as a JSON filter; empty document when there is none.
  bson_t* RawDocument(const char* collection, const std::string& extra_json = "{}") {
    bson_error_t error;
    bson_t* filter = bson_new_from_json(reinterpret_cast<const uint8_t*>(extra_json.data()),
                                        static_cast<ssize_t>(extra_json.size()), &error);
    BSON_APPEND_UTF8(filter, "instanceName", kInst);
    mongoc_collection_t* coll =
        mongoc_client_get_collection(client_, db_.name().c_str(), collection);
    mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll, filter, nullptr, nullptr);
    const bson_t* doc = nullptr;
    bson_t* copy = mongoc_cursor_next(cursor, &doc) ? bson_copy(doc) : bson_new();
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(coll);
    bson_destroy(filter);
    return copy;
  }

  static bson_type_t TypeOf(const bson_t* doc, const char* dotted) {
    bson_iter_t it, found;
    if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, dotted, &found)) {
      return BSON_TYPE_EOD;
    }
    return bson_iter_type(&found);
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  mongoc_client_t* client_ = nullptr;
};

TEST_F(MongoStoreTest, OpenCreatesTheIndexes) {
  // name → unique, per collection.
  const std::map<std::string, std::map<std::string, bool>> expected = {
      {"whatsapp_sessions", {{"instanceName_1", true}}},
      {"whatsapp_keys", {{"instanceName_1_type_1_id_1", true}}},
      {"chats", {{"instanceName_1_jid_1", true}, {"instanceName_1_updatedAt_-1_jid_1", false}}},
      {"messages",
       {{"instanceName_1_jid_1_id_1", true}, {"instanceName_1_jid_1_timestamp_-1_seq_-1", false}}},
  };
  for (const auto& [collection, indexes] : expected) {
    mongoc_collection_t* coll =
        mongoc_client_get_collection(client_, db_.name().c_str(), collection.c_str());
    mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(coll, nullptr);
    std::map<std::string, bool> found;
    const bson_t* index = nullptr;
    while (mongoc_cursor_next(cursor, &index)) {
      bson_iter_t it;
      std::string name;
      if (bson_iter_init_find(&it, index, "name")) name = bson_iter_utf8(&it, nullptr);
      found[name] = bson_iter_init_find(&it, index, "unique") && bson_iter_as_bool(&it);
    }
    bson_error_t error;
    EXPECT_FALSE(mongoc_cursor_error(cursor, &error)) << error.message;
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(coll);
    for (const auto& [name, unique] : indexes) {
      ASSERT_TRUE(found.count(name)) << collection << " lacks index " << name;
      EXPECT_EQ(found[name], unique) << collection << "." << name;
    }
  }
  // A second Open of the same database finds them in place.
  auto again = Open({.uri = db_.uri()});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  (*again)->Close();
}

TEST_F(MongoStoreTest, DocumentsUseNativeBsonTypes) {
  MessageRecord m;
  m.id = "3EB0TYPES";
  m.jid = kAlice;
  m.sender = kAlice;
  m.type = "image";
  m.content = "http://127.0.0.1/whatsapp/media/x";
  m.size = 5'000'000'000;
  m.timestamp_ms = 1'700'000'000'123;
  m.status = "delivered";
  ASSERT_TRUE(store_->SaveMessage(kInst, m, {"Alice"}).ok());
  ASSERT_TRUE(store_->WriteKeys(kInst, {{"pre-key", "7", std::string("\x00\xff", 2)}}).ok());
  SessionRecord session{kInst, R"({"registrationId":7,"me":{"id":"x"}})", "open",
                        R"({"jid":"15550100001@s.whatsapp.net"})", 1'700'000'000'000};
  ASSERT_TRUE(store_->PutSession(session).ok());

  bson_t* message = RawDocument("messages");
  EXPECT_EQ(TypeOf(message, "timestamp"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(TypeOf(message, "seq"), BSON_TYPE_INT64);
  EXPECT_EQ(TypeOf(message, "size"), BSON_TYPE_INT64);
  EXPECT_EQ(TypeOf(message, "fromMe"), BSON_TYPE_BOOL);
  EXPECT_EQ(TypeOf(message, "mimeType"), BSON_TYPE_UTF8);
  EXPECT_EQ(TypeOf(message, "quotedId"), BSON_TYPE_NULL);
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, message, "timestamp"));
  EXPECT_EQ(bson_iter_date_time(&it), m.timestamp_ms);
  bson_destroy(message);

  bson_t* chat = RawDocument("chats");
  EXPECT_EQ(TypeOf(chat, "updatedAt"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(TypeOf(chat, "unreadCount"), BSON_TYPE_INT64);
  EXPECT_EQ(TypeOf(chat, "isGroup"), BSON_TYPE_BOOL);
  EXPECT_EQ(TypeOf(chat, "lastMessage"), BSON_TYPE_DOCUMENT);
  EXPECT_EQ(TypeOf(chat, "lastMessage.timestamp"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(TypeOf(chat, "lastMessage.instanceName"), BSON_TYPE_EOD);
  bson_destroy(chat);

  bson_t* key = RawDocument("whatsapp_keys");
  ASSERT_TRUE(bson_iter_init_find(&it, key, "value"));
  ASSERT_TRUE(BSON_ITER_HOLDS_BINARY(&it));
  bson_subtype_t subtype;
  uint32_t len = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(&it, &subtype, &len, &data);
  EXPECT_EQ(subtype, BSON_SUBTYPE_BINARY);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), len), std::string("\x00\xff", 2));
  bson_destroy(key);

  bson_t* stored = RawDocument("whatsapp_sessions");
  EXPECT_EQ(TypeOf(stored, "creds"), BSON_TYPE_DOCUMENT);
  EXPECT_EQ(TypeOf(stored, "creds.registrationId"), BSON_TYPE_INT32);
  EXPECT_EQ(TypeOf(stored, "creds.me.id"), BSON_TYPE_UTF8);
  EXPECT_EQ(TypeOf(stored, "me"), BSON_TYPE_DOCUMENT);
  EXPECT_EQ(TypeOf(stored, "updatedAt"), BSON_TYPE_DATE_TIME);
  bson_destroy(stored);

  // Not linked: no "me" field at all.
  session.me = "";
  ASSERT_TRUE(store_->PutSession(session).ok());
  stored = RawDocument("whatsapp_sessions");
  EXPECT_EQ(TypeOf(stored, "me"), BSON_TYPE_EOD);
  bson_destroy(stored);
}

TEST_F(MongoStoreTest, SessionJsonMustBeAnObject) {
  SessionRecord session{kInst, "[1,2]", "open", "", 1};
  EXPECT_EQ(store_->PutSession(session).code(), base::Code::kInvalidArgument);
  session.creds = "{\"a\":";
  EXPECT_EQ(store_->PutSession(session).code(), base::Code::kInvalidArgument);
  session.creds = "{}";
  session.me = "not json";
  EXPECT_EQ(store_->PutSession(session).code(), base::Code::kInvalidArgument);
}

TEST_F(MongoStoreTest, SessionJsonKeepsNumberKinds) {
  SessionRecord session{kInst,
                        R"({"small":1,"big":12345678901,"neg":-5,"real":1.5,"zero":0.0,)"
                        R"("t":true,"n":null,"s":"\"q\" \\ \n","a":[],"o":{}})",
                        "open", "", 1};
  ASSERT_TRUE(store_->PutSession(session).ok());
  auto got = store_->GetSession(kInst);
  ASSERT_TRUE(got.ok() && got->has_value());
  // Integers stay integers and reals stay reals through BSON.
  const std::string& creds = (*got)->creds;
  EXPECT_NE(creds.find("\"big\" : 12345678901"), std::string::npos) << creds;
  EXPECT_NE(creds.find("\"real\" : 1.5"), std::string::npos) << creds;
  EXPECT_NE(creds.find("\"n\" : null"), std::string::npos) << creds;
}

TEST_F(MongoStoreTest, UsesTheDatabaseOfTheUri) {
  ASSERT_TRUE(store_->WriteKeys(kInst, {{"session", "a", std::string("v")}}).ok());
  bson_t* key = RawDocument("whatsapp_keys");
  EXPECT_FALSE(bson_empty(key));
  bson_destroy(key);
}

TEST_F(MongoStoreTest, ServerDyingMidwayGivesUnavailableNotAHang) {
  mongoc_uri_t* uri = mongoc_uri_new(db_.uri().c_str());
  ASSERT_NE(uri, nullptr);
  const int target_port = mongoc_uri_get_hosts(uri)->port;
  mongoc_uri_destroy(uri);
  CuttableProxy proxy(target_port);
  ASSERT_NE(proxy.port(), 0);
  std::string via_proxy = db_.uri();
  via_proxy.replace(via_proxy.find(":" + std::to_string(target_port)),
                    std::to_string(target_port).size() + 1, ":" + std::to_string(proxy.port()));
  auto opened = Open({.uri = via_proxy, .pool_max = 2, .timeout_ms = 1000});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> store = std::move(opened).value();
  MessageRecord m;
  m.id = "BEFORE";
  m.jid = kAlice;
  m.timestamp_ms = 1;
  ASSERT_TRUE(store->SaveMessage(kInst, m, {}).ok());

  proxy.Cut();
  const int64_t start = NowMs();
  m.id = "AFTER";
  auto saved = store->SaveMessage(kInst, m, {});
  EXPECT_EQ(saved.status().code(), base::Code::kUnavailable) << saved.status().ToString();
  EXPECT_NE(saved.status().message().find("mongo: save message"), std::string::npos)
      << saved.status().message();
  EXPECT_EQ(store->ListMessages(kInst, kAlice, 50, std::nullopt).status().code(),
            base::Code::kUnavailable);
  EXPECT_EQ(store->Ping().code(), base::Code::kUnavailable);
  EXPECT_LT(NowMs() - start, 9000);
  store->Close();
}

// The reply parsing FerretDB compatibility rests on: findAndModify tells an
// upsert apart from an update.
TEST_F(MongoStoreTest, FindAndModifyReportsUpserts) {
  mongoc_collection_t* coll = mongoc_client_get_collection(client_, db_.name().c_str(), "scratch");
  BsonPtr filter = IdFilter("k");
  BsonPtr update(BCON_NEW("$inc", "{", "n", BCON_INT64(1), "}"));
  auto first = FindAndModify(coll, *filter, *update, /*upsert=*/true, "test");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->upserted);
  ASSERT_NE(first->doc, nullptr);
  auto second = FindAndModify(coll, *filter, *update, /*upsert=*/true, "test");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->upserted);
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, second->doc.get(), "n"));
  EXPECT_EQ(bson_iter_as_int64(&it), 2);
  BsonPtr missing = IdFilter("nope");
  auto none = FindAndModify(coll, *missing, *update, /*upsert=*/false, "test");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->doc, nullptr);
  mongoc_collection_destroy(coll);
}

TEST(MongoDocumentIds, AreInjective) {
  EXPECT_EQ(MessageId("a", "b@s.whatsapp.net", "c"), "a|b@s.whatsapp.net|c");
  EXPECT_NE(ChatId("a|b", "c"), ChatId("a", "b|c"));
  EXPECT_NE(KeyId("a\\", "b", "c"), KeyId("a", "\\b", "c"));
  EXPECT_EQ(ChatId("a|b", "c"), "a\\|b|c");
}

TEST_F(MongoStoreTest, CallsAfterCloseAreUnavailable) {
  store_->Close();
  EXPECT_EQ(store_->Ping().code(), base::Code::kUnavailable);
  EXPECT_EQ(store_->CountKeys(kInst).status().code(), base::Code::kUnavailable);
  EXPECT_EQ(store_->ListChats(kInst, 1, 0).status().code(), base::Code::kUnavailable);
}

}  // namespace
}  // namespace store::mongo
