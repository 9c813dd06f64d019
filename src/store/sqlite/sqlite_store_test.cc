// Tests of what is specific to the SQLite backend: files, schema versions,
// locking, concurrency. The shared behaviour is covered by the conformance
// suite (tests/conformance/sqlite_conformance_test.cc).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"

namespace store::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInst = "inst-a";
constexpr const char* kAlice = "15550100101@s.whatsapp.net";

MessageRecord Msg(std::string id, int64_t ts) {
  MessageRecord m;
  m.id = std::move(id);
  m.jid = kAlice;
  m.sender = kAlice;
  m.type = "text";
  m.content = "hello " + m.id;
  m.timestamp_ms = ts;
  m.status = "delivered";
  return m;
}

// Raw access to the file, as another process (or the sqlite3 shell) would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return std::string("error: ") + sqlite3_errmsg(db_);
    }
    // All rows, one per line, columns separated by '|', as the shell does.
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c > 0) out += "|";
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        out += t != nullptr ? t : "";
      }
      out += "\n";
    }
    sqlite3_finalize(stmt);
    if (!out.empty()) out.pop_back();
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "wagate-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "data" / "wagate.db").string();  // "data" does not exist yet
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Store> MustOpen(Options options = {}) {
    if (options.path.empty()) options.path = path_;
    auto opened = Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, FreshFileIsCreatedAndMigrated) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Backend(), "sqlite");
  EXPECT_TRUE(store->Ping().ok());
  EXPECT_TRUE(fs::exists(path_));
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(SchemaMigrations().size()));
    EXPECT_EQ(raw.Text("PRAGMA application_id"), std::to_string(kApplicationId));
    EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.Text("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                       "'sqlite_%' ORDER BY name"),
              "chats\nevent_counters\nevents\nmessages\nwhatsapp_keys\nwhatsapp_sessions");
  }
  store->Close();
  // The last connection checkpointed and removed the WAL.
  EXPECT_FALSE(fs::exists(path_ + "-wal"));
}

TEST_F(SqliteStoreTest, ReopenKeepsData) {
  int64_t seq = 0;
  {
    auto store = MustOpen();
    ASSERT_NE(store, nullptr);
    SessionRecord s{kInst, R"({"a":1})", "open", R"({"jid":"x"})", 42};
    ASSERT_TRUE(store->PutSession(s).ok());
    auto saved = store->SaveMessage(kInst, Msg("M1", 1000), {"Alice"});
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    seq = saved->message.seq;
    // Destroyed without Close(): the destructor closes.
  }
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  auto session = store->GetSession(kInst);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->creds, R"({"a":1})");
  auto chat = store->GetChat(kInst, kAlice);
  ASSERT_TRUE(chat.ok() && chat->has_value());
  EXPECT_EQ((*chat)->name, "Alice");
  ASSERT_TRUE((*chat)->last_message.has_value());
  EXPECT_EQ((*chat)->last_message->seq, seq);
  RawDb raw(path_);
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(SchemaMigrations().size()));
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  MustOpen()->Close();
  RawDb(path_).Exec("PRAGMA user_version = 99");
  auto opened = Open({.path = path_});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("schema version 99 is newer"), std::string::npos)
      << opened.status().message();
  EXPECT_NE(opened.status().message().find(path_), std::string::npos);
  // Refusing did not touch the file.
  EXPECT_EQ(RawDb(path_).Text("PRAGMA user_version"), "99");
}

TEST_F(SqliteStoreTest, NonDatabaseFileIsRefusedUntouched) {
  fs::create_directories(fs::path(path_).parent_path());
  const std::string garbage(8192, 'x');
  std::ofstream(path_, std::ios::binary) << garbage;
  auto opened = Open({.path = path_});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kDataLoss);
  EXPECT_NE(opened.status().message().find("not a database"), std::string::npos)
      << opened.status().message();
  std::ifstream in(path_, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, garbage);
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefused) {
  fs::create_directories(fs::path(path_).parent_path());
  RawDb(path_).Exec("CREATE TABLE notes (x)");
  auto opened = Open({.path = path_});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("not a wagate database"), std::string::npos);

  RawDb(path_).Exec("PRAGMA application_id = 1234");
  opened = Open({.path = path_});
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("application_id 1234"), std::string::npos);
}

TEST_F(SqliteStoreTest, MigrationStepsApplyInOrderAndAFailedStepRollsBack) {
  fs::create_directories(fs::path(path_).parent_path());
  auto conn = Connection::Open(path_, Connection::Mode::kWriter, 1000);
  ASSERT_TRUE(conn.ok());
  const std::vector<Migration> broken = {
      {"one", "CREATE TABLE t1 (a INTEGER)"},
      {"two", "CREATE TABLE t2 (a INTEGER); INSERT INTO nope VALUES (1)"},
  };
  base::Status status = Migrate(**conn, broken);
  EXPECT_EQ(status.code(), base::Code::kInternal);
  EXPECT_NE(status.message().find("migrate to version 2 (two)"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("no such table: nope"), std::string::npos);
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.Text("PRAGMA user_version"), "1");
    EXPECT_EQ(raw.Text("SELECT group_concat(name) FROM sqlite_schema"), "t1");  // no t2
  }
  const std::vector<Migration> fixed = {
      broken[0],
      {"two", "CREATE TABLE t2 (a INTEGER)"},
      {"three", "ALTER TABLE t2 ADD COLUMN b TEXT"},
  };
  ASSERT_TRUE(Migrate(**conn, fixed).ok());
  ASSERT_TRUE(Migrate(**conn, fixed).ok());  // already there: nothing to do
  RawDb raw(path_);
  EXPECT_EQ(raw.Text("PRAGMA user_version"), "3");
  EXPECT_EQ(raw.Text("SELECT group_concat(name, ',') FROM pragma_table_info('t2')"), "a,b");
}

TEST_F(SqliteStoreTest, InvalidOptionsAreRefused) {
  EXPECT_EQ(Open({.path = ""}).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Open({.path = ":memory:"}).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Open({.path = path_, .reader_connections = 0}).status().code(),
            base::Code::kInvalidArgument);
  // A parent that cannot be created (it is a file).
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  auto opened = Open({.path = (dir_ / "file" / "db").string()});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kUnavailable);
}

TEST_F(SqliteStoreTest, ConcurrentReadersAndWritersSeeNoBusy) {
  // Two stores on one file stand in for two processes: their writers contend
  // for the file's write lock, which only busy_timeout + retry resolve.
  // Fewer reader connections than reader threads exercises the pool's wait.
  auto a = MustOpen({.reader_connections = 2});
  auto b = MustOpen({.reader_connections = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kWriters = 3, kEach = 200, kReaders = 5;
  std::atomic<int> writers_done{0};
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex error_mu;
  auto fail = [&](const base::Status& s) {
    ++failures;
    std::lock_guard lock(error_mu);
    if (first_error.empty()) first_error = s.ToString();
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Store& s = w % 2 ? *b : *a;
      for (int i = 0; i < kEach; ++i) {
        auto r = s.SaveMessage(kInst, Msg("W" + std::to_string(w) + "-" + std::to_string(i), i),
                               {"Alice"});
        if (!r.ok()) fail(r.status());
        auto k = s.WriteKeys(kInst, {{"session", std::to_string(w), std::to_string(i)}});
        if (!k.ok()) fail(k);
      }
      ++writers_done;
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      Store& s = r % 2 ? *b : *a;
      size_t last_seen = 0;
      while (writers_done.load() < kWriters) {
        auto page = s.ListMessages(kInst, kAlice, 500, std::nullopt);
        if (!page.ok()) {
          fail(page.status());
          continue;
        }
        // Committed data never disappears from a later read.
        if (page->items.size() < std::min<size_t>(last_seen, 500)) {
          fail(base::Internal("page shrank"));
        }
        last_seen = page->items.size();
        auto chats = s.ListChats(kInst, 10, 0);
        if (!chats.ok()) fail(chats.status());
        auto keys = s.GetKeys(kInst, "session", {"0", "1", "2"});
        if (!keys.ok()) fail(keys.status());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_error;

  auto page = a->ListMessages(kInst, kAlice, kWriters * kEach + 1, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), static_cast<size_t>(kWriters * kEach));
  std::set<int64_t> seqs;
  for (const auto& m : page->items) seqs.insert(m.seq);
  EXPECT_EQ(seqs.size(), page->items.size());
  auto chat = b->GetChat(kInst, kAlice);
  ASSERT_TRUE(chat.ok() && chat->has_value());
  EXPECT_EQ((*chat)->unread_count, kWriters * kEach);
}

TEST_F(SqliteStoreTest, LockedFileGivesUnavailableThenRecovers) {
  auto store = MustOpen({.busy_timeout_ms = 50});
  ASSERT_NE(store, nullptr);
  RawDb other(path_);
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), SQLITE_OK);  // holds the write lock
  base::Status status = store->SaveMessage(kInst, Msg("L1", 1), {}).status();
  EXPECT_EQ(status.code(), base::Code::kUnavailable);
  EXPECT_NE(status.message().find("sqlite: save message: begin: database is locked"),
            std::string::npos)
      << status.message();
  EXPECT_TRUE(store->Ping().ok());  // WAL: reads go on while another writes
  ASSERT_EQ(other.Exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE(store->SaveMessage(kInst, Msg("L1", 1), {}).ok());
}

TEST_F(SqliteStoreTest, CloseThenEveryCallIsUnavailable) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  store->Close();
  store->Close();
  const auto kUnavailable = base::Code::kUnavailable;
  EXPECT_EQ(store->Ping().code(), kUnavailable);
  EXPECT_EQ(store->GetSession(kInst).status().code(), kUnavailable);
  EXPECT_EQ(store->PutSession({kInst, "{}", "closed", "", 1}).code(), kUnavailable);
  EXPECT_EQ(store->DeleteSession(kInst).code(), kUnavailable);
  EXPECT_EQ(store->GetKeys(kInst, "t", {"1"}).status().code(), kUnavailable);
  EXPECT_EQ(store->GetKeys(kInst, "t", {}).status().code(), kUnavailable);
  EXPECT_EQ(store->WriteKeys(kInst, {{"t", "1", "v"}}).code(), kUnavailable);
  EXPECT_EQ(store->WriteKeys(kInst, {}).code(), kUnavailable);
  EXPECT_EQ(store->DeleteAllKeys(kInst).code(), kUnavailable);
  EXPECT_EQ(store->CountKeys(kInst).status().code(), kUnavailable);
  EXPECT_EQ(store->SaveMessage(kInst, Msg("C", 1), {}).status().code(), kUnavailable);
  EXPECT_EQ(store->GetMessage(kInst, kAlice, "C").status().code(), kUnavailable);
  EXPECT_EQ(store->ListMessages(kInst, kAlice, 5, std::nullopt).status().code(), kUnavailable);
  EXPECT_EQ(store->UpdateMessageStatus(kInst, kAlice, "C", "read").status().code(), kUnavailable);
  EXPECT_EQ(store->UpdateMessageStatus(kInst, kAlice, "C", "bogus").status().code(), kUnavailable);
  EXPECT_EQ(store->GetChat(kInst, kAlice).status().code(), kUnavailable);
  EXPECT_EQ(store->PutChat(kInst, {}).code(), kUnavailable);
  EXPECT_EQ(store->ListChats(kInst, 5, 0).status().code(), kUnavailable);
  EXPECT_EQ(store->MarkChatRead(kInst, kAlice).status().code(), kUnavailable);
}

TEST_F(SqliteStoreTest, AnyBytesRoundTripThroughChatSnapshot) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  MessageRecord m = Msg("B1", 5);
  constexpr char kOdd[] = "nul\0 and \xff\xfe invalid utf-8, \"quote\" \\ \n";
  m.content = std::string(kOdd, sizeof(kOdd) - 1);
  m.caption = "\xe2\x9c\x93";
  m.quoted_id = "";
  auto saved = store->SaveMessage(kInst, m, {});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  auto chat = store->GetChat(kInst, kAlice);
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  ASSERT_TRUE(chat->has_value() && (*chat)->last_message.has_value());
  EXPECT_EQ(*(*chat)->last_message, saved->message);
  auto got = store->GetMessage(kInst, kAlice, "B1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, saved->message);
}

TEST_F(SqliteStoreTest, DamagedChatSnapshotIsDataLossNotACrash) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->SaveMessage(kInst, Msg("D1", 5), {}).ok());
  RawDb(path_).Exec("UPDATE chats SET last_message = '{\"id\": 3'");
  auto chat = store->GetChat(kInst, kAlice);
  EXPECT_EQ(chat.status().code(), base::Code::kDataLoss);
  RawDb(path_).Exec("UPDATE chats SET last_message = '{\"id\": 3}'");
  EXPECT_EQ(store->ListChats(kInst, 5, 0).status().code(), base::Code::kDataLoss);
}

// The hot read path must walk the index in order: no sort, no full scan.
TEST_F(SqliteStoreTest, ListQueriesUseTheirIndexes) {
  MustOpen()->Close();
  RawDb raw(path_);
  std::string plan = raw.Text("EXPLAIN QUERY PLAN " + std::string(QuerySql(kListMessages)));
  EXPECT_NE(plan.find("USING INDEX messages_by_time (instance_name=? AND jid=? AND timestamp<?)"),
            std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  plan = raw.Text("EXPLAIN QUERY PLAN " + std::string(QuerySql(kListChats)));
  EXPECT_NE(plan.find("USING INDEX chats_by_activity"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  plan = raw.Text("EXPLAIN QUERY PLAN " + std::string(QuerySql(kGetKeysFirst + 5)));
  EXPECT_NE(plan.find("USING PRIMARY KEY"), std::string::npos) << plan;
  plan = raw.Text("EXPLAIN QUERY PLAN " + std::string(QuerySql(kListEventsAfter)));
  EXPECT_NE(plan.find("USING PRIMARY KEY (instance_name=? AND seq>?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  plan = raw.Text("EXPLAIN QUERY PLAN " + std::string(QuerySql(kPruneEventsOlder)));
  EXPECT_NE(plan.find("events_by_age"), std::string::npos) << plan;
}

// A database written by the first release (schema version 1) is migrated to
// the event log in place, keeping its data.
TEST_F(SqliteStoreTest, VersionOneDatabaseGainsTheEventLog) {
  fs::create_directories(fs::path(path_).parent_path());
  {
    auto conn = Connection::Open(path_, Connection::Mode::kWriter, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(Migrate(**conn, SchemaMigrations().subspan(0, 1)).ok());
  }
  RawDb(path_).Exec("INSERT INTO whatsapp_sessions VALUES ('inst-a', '{}', 'closed', NULL, 1)");
  EXPECT_EQ(RawDb(path_).Text("PRAGMA user_version"), "1");
  auto store = MustOpen();
  EXPECT_EQ(RawDb(path_).Text("PRAGMA user_version"), "2");
  auto session = store->GetSession(kInst);
  ASSERT_TRUE(session.ok() && session->has_value());
  auto e = store->AppendEvent(kInst, "new-message", "{}", 5);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->seq, 1);
  store->Close();
}

}  // namespace
}  // namespace store::sqlite
