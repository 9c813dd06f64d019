#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <system_error>
#include <thread>
#include <type_traits>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/reader_pool.h"
#include "store/sqlite/record_codec.h"

namespace store::sqlite {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// Durability. WAL with synchronous=NORMAL: COMMIT appends to the WAL with
// write(2) and returns; the WAL is fsynced at checkpoints. A commit therefore
// survives a crash of the process (the data is in the OS page cache) and the
// database is never corrupted, but the last commits may be lost on power loss
// or a kernel crash. Persist-then-ack (architecture.md §4.1) is about the
// process dying between decrypting and acking, which NORMAL covers; losing
// the last acked messages needs a power cut at that moment. FULL would add an
// fsync to every SaveMessage, i.e. milliseconds per message on ordinary
// disks, serialized behind the single writer — history syncs of thousands of
// messages would crawl. Operators who want power-loss durability set
// Options::fsync_each_commit.
constexpr std::string_view kSynchronousNormal = "PRAGMA synchronous = NORMAL";
constexpr std::string_view kSynchronousFull = "PRAGMA synchronous = FULL";
// After a checkpoint the WAL file is truncated back to this size, so one
// burst of writes does not leave a huge WAL behind.
constexpr std::string_view kJournalSizeLimit = "PRAGMA journal_size_limit = 67108864";
// Checkpoint after ~32 MiB of WAL instead of SQLite's 4 MiB: a busy chat
// rewrites the same pages (its chat row, the right edge of every index)
// commit after commit; a longer WAL copies each of them into the database
// once per checkpoint instead of eight times, and fsyncs an eighth as often.
constexpr std::string_view kWalAutocheckpoint = "PRAGMA wal_autocheckpoint = 8192";

// Result<T> and Status, viewed alike by the transaction helpers.
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

Status Closed() { return base::Unavailable("sqlite: store is closed"); }

// Steps a statement that returns no rows.
Status Run(Connection& db, Stmt& stmt, std::string_view what) {
  int rc = stmt.Step();
  return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, what);
}

Result<std::optional<MessageRecord>> FindMessage(Connection& db, std::string_view instance,
                                                 std::string_view jid, std::string_view id,
                                                 std::string_view what) {
  WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kGetMessage, what));
  stmt.Text(1, instance);
  stmt.Text(2, jid);
  stmt.Text(3, id);
  int rc = stmt.Step();
  if (rc == SQLITE_ROW) return std::optional<MessageRecord>(MessageFromRow(stmt));
  if (rc == SQLITE_DONE) return std::optional<MessageRecord>();
  return db.Error(rc, what);
}

Result<std::optional<ChatRecord>> FindChat(Connection& db, std::string_view instance,
                                           std::string_view jid, std::string_view what) {
  WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kGetChat, what));
  stmt.Text(1, instance);
  stmt.Text(2, jid);
  int rc = stmt.Step();
  if (rc == SQLITE_DONE) return std::optional<ChatRecord>();
  if (rc != SQLITE_ROW) return db.Error(rc, what);
  WAGATE_ASSIGN_OR_RETURN(ChatRecord chat, ChatFromRow(stmt));
  return std::optional<ChatRecord>(std::move(chat));
}

Status WriteChat(Connection& db, std::string_view instance, const ChatRecord& chat,
                 std::string_view what) {
  // Serialized before binding: the statement keeps a pointer to the text.
  std::optional<std::string> last_json;
  std::optional<std::string> last_id;
  if (chat.last_message) {
    last_json = MessageToJson(*chat.last_message);
    last_id = chat.last_message->id;
  }
  WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kPutChat, what));
  stmt.Text(1, instance);
  stmt.Text(2, chat.jid);
  stmt.Text(3, chat.name);
  stmt.Int(4, chat.is_group ? 1 : 0);
  stmt.Int(5, chat.unread_count);
  stmt.OptText(6, last_json);
  stmt.OptText(7, last_id);
  stmt.Int(8, chat.updated_at_ms);
  return Run(db, stmt, what);
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers)
      : writer_(std::move(writer)), readers_(std::move(readers)) {}
  ~SqliteStore() override { Close(); }

  std::string_view Backend() const override { return "sqlite"; }

  Status Ping() override {
    return Read([&](Connection& db) -> Status {
      constexpr std::string_view kWhat = "ping";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kPing, kWhat));
      int rc = stmt.Step();
      return rc == SQLITE_ROW ? Status::Ok() : db.Error(rc, kWhat);
    });
  }

  void Close() override {
    // Exclusive: waits for the calls in flight, and later calls see closed_.
    std::unique_lock life(life_mu_);
    if (closed_) return;
    closed_ = true;
    readers_.CloseAll();
    std::lock_guard write(write_mu_);
    // Closed last: the last connection to a WAL database checkpoints it into
    // the main file and deletes the WAL.
    writer_->Close();
  }

  // --- SessionStore ---

  Result<std::optional<SessionRecord>> GetSession(std::string_view instance) override {
    return Read([&](Connection& db) -> Result<std::optional<SessionRecord>> {
      constexpr std::string_view kWhat = "get session";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kGetSession, kWhat));
      stmt.Text(1, instance);
      int rc = stmt.Step();
      if (rc == SQLITE_DONE) return std::optional<SessionRecord>();
      if (rc != SQLITE_ROW) return db.Error(rc, kWhat);
      SessionRecord s;
      s.instance = std::string(instance);
      s.creds = stmt.ColString(0);
      s.status = stmt.ColString(1);
      s.me = stmt.ColString(2);  // NULL reads as ""
      s.updated_at_ms = stmt.ColInt(3);
      return std::optional<SessionRecord>(std::move(s));
    });
  }

  Status PutSession(const SessionRecord& session) override {
    return Write("put session", [&](Connection& db) -> Status {
      constexpr std::string_view kWhat = "put session";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kPutSession, kWhat));
      stmt.Text(1, session.instance);
      stmt.Text(2, session.creds);
      stmt.Text(3, session.status);
      // An unlinked session has no `me`: NULL reads better in the sqlite3 shell.
      if (session.me.empty()) {
        stmt.Null(4);
      } else {
        stmt.Text(4, session.me);
      }
      stmt.Int(5, session.updated_at_ms);
      return Run(db, stmt, kWhat);
    });
  }

  Status DeleteSession(std::string_view instance) override {
    return Write("delete session", [&](Connection& db) -> Status {
      constexpr std::string_view kWhat = "delete session";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kDeleteSession, kWhat));
      stmt.Text(1, instance);
      return Run(db, stmt, kWhat);
    });
  }

  // --- KeyStore ---

  Result<std::map<std::string, std::string>> GetKeys(std::string_view instance,
                                                     std::string_view type,
                                                     const std::vector<std::string>& ids) override {
    using Found = std::map<std::string, std::string>;
    return Read([&](Connection& db) -> Result<Found> {
      constexpr std::string_view kWhat = "get keys";
      Found found;
      if (ids.empty()) return found;
      // Several chunks share one snapshot, so a concurrent WriteKeys is seen
      // whole or not at all, as with a single query.
      // (Inside InTransaction the writer's transaction is that snapshot.)
      const bool chunked =
          ids.size() > static_cast<size_t>(kGetKeysMaxChunk) && !InOwnTransaction();
      if (chunked) WAGATE_RETURN_IF_ERROR(db.BeginRead(kWhat));
      for (size_t start = 0; start < ids.size(); start += kGetKeysMaxChunk) {
        size_t n = std::min(ids.size() - start, static_cast<size_t>(kGetKeysMaxChunk));
        Status status = GetKeysChunk(db, instance, type, &ids[start], n, found);
        if (!status.ok()) {
          if (chunked) db.RollbackIfOpen();
          return status;
        }
      }
      if (chunked) WAGATE_RETURN_IF_ERROR(db.Commit(kWhat));
      return found;
    });
  }

  Status WriteKeys(std::string_view instance, const std::vector<KeyWrite>& writes) override {
    if (writes.empty()) {
      std::shared_lock life(life_mu_);
      return closed_ ? Closed() : Status::Ok();
    }
    return Write("write keys", [&](Connection& db) -> Status {
      constexpr std::string_view kWhat = "write keys";
      for (const KeyWrite& w : writes) {
        WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(w.value ? kPutKey : kDeleteKey, kWhat));
        stmt.Text(1, instance);
        stmt.Text(2, w.type);
        stmt.Text(3, w.id);
        if (w.value) stmt.Blob(4, *w.value);
        WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
      }
      return Status::Ok();
    });
  }

  Status DeleteAllKeys(std::string_view instance) override {
    return Write("delete all keys", [&](Connection& db) -> Status {
      constexpr std::string_view kWhat = "delete all keys";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kDeleteAllKeys, kWhat));
      stmt.Text(1, instance);
      return Run(db, stmt, kWhat);
    });
  }

  Result<std::map<std::string, std::string>> ListKeys(std::string_view instance,
                                                      std::string_view type, int limit) override {
    if (limit < 1) return base::InvalidArgument("list keys: limit must be >= 1");
    using Found = std::map<std::string, std::string>;
    return Read([&](Connection& db) -> Result<Found> {
      constexpr std::string_view kWhat = "list keys";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kListKeys, kWhat));
      stmt.Text(1, instance);
      stmt.Text(2, type);
      stmt.Int(3, limit);
      Found found;
      int rc;
      while ((rc = stmt.Step()) == SQLITE_ROW) found[stmt.ColString(0)] = stmt.ColString(1);
      if (rc != SQLITE_DONE) return db.Error(rc, kWhat);
      return found;
    });
  }

  Result<int64_t> CountKeys(std::string_view instance) override {
    return Read([&](Connection& db) -> Result<int64_t> {
      constexpr std::string_view kWhat = "count keys";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kCountKeys, kWhat));
      stmt.Text(1, instance);
      int rc = stmt.Step();
      if (rc != SQLITE_ROW) return db.Error(rc, kWhat);
      return stmt.ColInt(0);
    });
  }

  // --- MessageStore ---

  Result<SaveResult> SaveMessage(std::string_view instance, const MessageRecord& message,
                                 const ChatHint& hint) override {
    // One transaction for the message and its chat: a crash never leaves a
    // stored message without its chat bookkeeping, or the reverse.
    return Write("save message", [&](Connection& db) -> Result<SaveResult> {
      constexpr std::string_view kWhat = "save message";
      SaveResult result;
      WAGATE_ASSIGN_OR_RETURN(result.inserted, InsertMessage(db, instance, message, kWhat));
      if (result.inserted) {
        result.message = message;
        result.message.seq = db.LastInsertRowid();
      } else {
        WAGATE_ASSIGN_OR_RETURN(auto stored,
                                FindMessage(db, instance, message.jid, message.id, kWhat));
        if (!stored) return base::Internal("sqlite: save message: conflicting row vanished");
        result.message = std::move(*stored);
        if (ReplacesPlaceholder(result.message, message)) {
          MessageRecord filled = FillPlaceholder(result.message, message);
          WAGATE_RETURN_IF_ERROR(ReplaceMessage(db, filled, kWhat));
          result.message = std::move(filled);
          result.replaced = true;
        }
      }

      WAGATE_ASSIGN_OR_RETURN(auto found, FindChat(db, instance, message.jid, kWhat));
      ChatRecord chat;
      if (found) {
        chat = std::move(*found);
      } else {
        chat.jid = message.jid;
        chat.is_group = hint.is_group;
      }
      if (!hint.name.empty()) chat.name = hint.name;
      if (result.inserted) {
        if (!message.from_me) ++chat.unread_count;
        if (message.timestamp_ms >= chat.updated_at_ms) {
          chat.last_message = result.message;
          chat.updated_at_ms = message.timestamp_ms;
        }
      } else if (chat.last_message && chat.last_message->id == message.id) {
        chat.last_message = result.message;
      }
      WAGATE_RETURN_IF_ERROR(WriteChat(db, instance, chat, kWhat));
      result.chat = std::move(chat);
      return result;
    });
  }

  Result<std::optional<MessageRecord>> GetMessage(std::string_view instance, std::string_view jid,
                                                  std::string_view id) override {
    return Read([&](Connection& db) { return FindMessage(db, instance, jid, id, "get message"); });
  }

  Result<Page> ListMessages(std::string_view instance, std::string_view jid, int limit,
                            std::optional<MessageCursor> before) override {
    return Read([&](Connection& db) -> Result<Page> {
      constexpr std::string_view kWhat = "list messages";
      if (limit <= 0) return base::InvalidArgument("sqlite: list messages: limit must be positive");
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kListMessages, kWhat));
      stmt.Text(1, instance);
      stmt.Text(2, jid);
      stmt.Int(3, before ? before->timestamp_ms : kMaxInt64);
      stmt.Int(4, before ? before->seq : kMaxInt64);
      stmt.Int(5, static_cast<int64_t>(limit) + 1);
      Page page;
      page.items.reserve(std::min(limit, 512));
      int rc;
      while ((rc = stmt.Step()) == SQLITE_ROW) {
        if (page.items.size() == static_cast<size_t>(limit)) {
          const MessageRecord& last = page.items.back();
          page.next = MessageCursor{last.timestamp_ms, last.seq};
          rc = SQLITE_DONE;
          break;
        }
        page.items.push_back(MessageFromRow(stmt));
      }
      if (rc != SQLITE_DONE) return db.Error(rc, kWhat);
      return page;
    });
  }

  Result<bool> UpdateMessageStatus(std::string_view instance, std::string_view jid,
                                   std::string_view id, std::string_view status) override {
    const std::vector<std::string>& allowed = StatusesBefore(status);
    return Write("update message status", [&](Connection& db) -> Result<bool> {
      constexpr std::string_view kWhat = "update message status";
      // Checked inside Write so that a closed store still says kUnavailable.
      if (!IsKnownStatus(status)) {
        return base::InvalidArgument("sqlite: update message status: unknown status '" +
                                     std::string(status) + "'");
      }
      if (allowed.empty()) return false;  // nothing comes before "pending"
      {
        WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kUpdateStatus, kWhat));
        stmt.Text(1, instance);
        stmt.Text(2, jid);
        stmt.Text(3, id);
        stmt.Text(4, status);
        for (int i = 0; i < 3; ++i) {
          if (static_cast<size_t>(i) < allowed.size()) {
            stmt.Text(5 + i, allowed[static_cast<size_t>(i)]);
          } else {
            stmt.Null(5 + i);
          }
        }
        WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
        if (db.Changes() == 0) return false;
      }
      // Refresh the chat's snapshot when it shows this message.
      WAGATE_ASSIGN_OR_RETURN(auto stored, FindMessage(db, instance, jid, id, kWhat));
      if (!stored) return base::Internal("sqlite: update message status: updated row vanished");
      const std::string json = MessageToJson(*stored);
      WAGATE_ASSIGN_OR_RETURN(Stmt refresh, db.Get(kRefreshLastMessage, kWhat));
      refresh.Text(1, instance);
      refresh.Text(2, jid);
      refresh.Text(3, id);
      refresh.Text(4, json);
      WAGATE_RETURN_IF_ERROR(Run(db, refresh, kWhat));
      return true;
    });
  }

  // --- ChatStore ---

  Result<std::optional<ChatRecord>> GetChat(std::string_view instance,
                                            std::string_view jid) override {
    return Read([&](Connection& db) { return FindChat(db, instance, jid, "get chat"); });
  }

  Status PutChat(std::string_view instance, const ChatRecord& chat) override {
    return Write("put chat",
                 [&](Connection& db) { return WriteChat(db, instance, chat, "put chat"); });
  }

  Result<std::vector<ChatRecord>> ListChats(std::string_view instance, int limit,
                                            int offset) override {
    return Read([&](Connection& db) -> Result<std::vector<ChatRecord>> {
      constexpr std::string_view kWhat = "list chats";
      if (limit <= 0 || offset < 0) {
        return base::InvalidArgument("sqlite: list chats: limit must be positive and offset >= 0");
      }
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kListChats, kWhat));
      stmt.Text(1, instance);
      stmt.Int(2, limit);
      stmt.Int(3, offset);
      std::vector<ChatRecord> chats;
      int rc;
      while ((rc = stmt.Step()) == SQLITE_ROW) {
        WAGATE_ASSIGN_OR_RETURN(ChatRecord chat, ChatFromRow(stmt));
        chats.push_back(std::move(chat));
      }
      if (rc != SQLITE_DONE) return db.Error(rc, kWhat);
      return chats;
    });
  }

  Result<bool> MarkChatRead(std::string_view instance, std::string_view jid) override {
    return Write("mark chat read", [&](Connection& db) -> Result<bool> {
      constexpr std::string_view kWhat = "mark chat read";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kMarkChatRead, kWhat));
      stmt.Text(1, instance);
      stmt.Text(2, jid);
      WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
      // Counts matched rows, also when unread_count was already 0.
      return db.Changes() > 0;
    });
  }

  Result<EventRecord> AppendEvent(std::string_view instance, std::string_view name,
                                  std::string_view payload, int64_t created_at_ms) override {
    return Write("append event", [&](Connection& db) -> Result<EventRecord> {
      constexpr std::string_view kWhat = "append event";
      EventRecord e{0, std::string(name), std::string(payload), created_at_ms};
      {
        WAGATE_ASSIGN_OR_RETURN(Stmt bump, db.Get(kBumpEventSeq, kWhat));
        bump.Text(1, instance);
        int rc = bump.Step();
        if (rc != SQLITE_ROW) return db.Error(rc, kWhat);
        e.seq = bump.ColInt(0);
        rc = bump.Step();
        if (rc != SQLITE_DONE) return db.Error(rc, kWhat);
      }
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kInsertEvent, kWhat));
      stmt.Text(1, instance);
      stmt.Int(2, e.seq);
      stmt.Text(3, e.name);
      stmt.Text(4, e.payload);
      stmt.Int(5, created_at_ms);
      WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
      return e;
    });
  }

  Result<std::vector<EventRecord>> ListEventsAfter(std::string_view instance, int64_t after_seq,
                                                   int limit) override {
    if (limit < 1) return base::InvalidArgument("sqlite: list events: limit must be positive");
    return Read([&](Connection& db) -> Result<std::vector<EventRecord>> {
      constexpr std::string_view kWhat = "list events";
      WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kListEventsAfter, kWhat));
      stmt.Text(1, instance);
      stmt.Int(2, after_seq);
      stmt.Int(3, limit);
      std::vector<EventRecord> events;
      int rc;
      while ((rc = stmt.Step()) == SQLITE_ROW) {
        events.push_back({stmt.ColInt(0), stmt.ColString(1), stmt.ColString(2), stmt.ColInt(3)});
      }
      if (rc != SQLITE_DONE) return db.Error(rc, kWhat);
      return events;
    });
  }

  Result<int64_t> PruneEvents(std::string_view instance, int64_t keep_last,
                              int64_t older_than_ms) override {
    return Write("prune events", [&](Connection& db) -> Result<int64_t> {
      constexpr std::string_view kWhat = "prune events";
      int64_t removed = 0;
      if (keep_last >= 0) {
        WAGATE_ASSIGN_OR_RETURN(int64_t last, LastSeq(db, instance, kWhat));
        WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kPruneEventsUpTo, kWhat));
        stmt.Text(1, instance);
        stmt.Int(2, last - keep_last);
        WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
        removed += db.Changes();
      }
      if (older_than_ms > 0) {
        WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kPruneEventsOlder, kWhat));
        stmt.Text(1, instance);
        stmt.Int(2, older_than_ms);
        WAGATE_RETURN_IF_ERROR(Run(db, stmt, kWhat));
        removed += db.Changes();
      }
      return removed;
    });
  }

  Status InTransaction(const std::function<Status()>& body) override {
    if (InOwnTransaction()) {
      return Write("nested transaction", [&](Connection&) { return body(); });
    }
    std::shared_lock life(life_mu_);
    if (closed_) return Closed();
    std::lock_guard lock(write_mu_);
    Connection& db = *writer_;
    constexpr std::string_view kWhat = "transaction";
    WAGATE_RETURN_IF_ERROR(db.BeginImmediate(kWhat));
    tx_thread_.store(std::this_thread::get_id());
    Status status = body();
    tx_thread_.store(std::thread::id());
    if (!status.ok()) {
      db.RollbackIfOpen();
      return status;
    }
    return db.Commit(kWhat);
  }

  Result<int64_t> LastEventSeq(std::string_view instance) override {
    return Read([&](Connection& db) { return LastSeq(db, instance, "last event seq"); });
  }

 private:
  // Seqs are dense (one per append, no gaps), so "all but the newest n" is
  // "seq <= last - n".
  static Result<int64_t> LastSeq(Connection& db, std::string_view instance, std::string_view what) {
    WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kLastEventSeq, what));
    stmt.Text(1, instance);
    int rc = stmt.Step();
    if (rc == SQLITE_DONE) return int64_t{0};
    if (rc != SQLITE_ROW) return db.Error(rc, what);
    return stmt.ColInt(0);
  }

  // Runs `body` on a leased read connection. Each statement in autocommit
  // mode reads the latest committed snapshot.
  // Inside this thread's InTransaction, on the writer: it sees the writes
  // made so far (a reader's snapshot would not).
  template <typename F>
  auto Read(F&& body) -> std::invoke_result_t<F, Connection&> {
    if (InOwnTransaction()) return body(*writer_);
    std::shared_lock life(life_mu_);
    if (closed_) return Closed();
    ReaderPool::Lease lease = readers_.Acquire();
    return body(*lease);
  }

  // Runs `body` in one write transaction on the writer connection; commits
  // when it succeeds, rolls back when it fails. Inside this thread's
  // InTransaction (which holds the locks) it is a savepoint instead.
  template <typename F>
  auto Write(std::string_view what, F&& body) -> std::invoke_result_t<F, Connection&> {
    if (InOwnTransaction()) {
      Connection& db = *writer_;
      WAGATE_RETURN_IF_ERROR(db.Savepoint(what));
      auto result = body(db);
      if (!StatusOf(result).ok()) {
        db.RollbackToSavepoint();
        return result;
      }
      WAGATE_RETURN_IF_ERROR(db.ReleaseSavepoint(what));
      return result;
    }
    std::shared_lock life(life_mu_);
    if (closed_) return Closed();
    std::lock_guard lock(write_mu_);
    Connection& db = *writer_;
    WAGATE_RETURN_IF_ERROR(db.BeginImmediate(what));
    auto result = body(db);
    if (!StatusOf(result).ok()) {
      db.RollbackIfOpen();
      return result;
    }
    WAGATE_RETURN_IF_ERROR(db.Commit(what));
    return result;
  }

  // Inserts a new message; false when (instance, jid, id) is already stored.
  static Result<bool> InsertMessage(Connection& db, std::string_view instance,
                                    const MessageRecord& m, std::string_view what) {
    WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kInsertMessage, what));
    stmt.Text(1, instance);
    stmt.Text(2, m.jid);
    stmt.Text(3, m.id);
    BindMessageBody(stmt, m);
    WAGATE_RETURN_IF_ERROR(Run(db, stmt, what));
    return db.Changes() > 0;
  }

  static Status ReplaceMessage(Connection& db, const MessageRecord& m, std::string_view what) {
    WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kReplaceMessage, what));
    stmt.Int(1, m.seq);
    stmt.Text(2, m.sender);
    stmt.Int(3, m.from_me ? 1 : 0);
    stmt.Text(4, m.type);
    stmt.Text(5, m.content);
    stmt.Text(6, m.caption);
    stmt.Text(7, m.mime_type);
    stmt.Text(8, m.file_name);
    stmt.Int(9, m.size);
    stmt.Int(10, m.timestamp_ms);
    stmt.Text(11, m.push_name);
    stmt.OptText(12, m.quoted_id);
    return Run(db, stmt, what);
  }

  static Status GetKeysChunk(Connection& db, std::string_view instance, std::string_view type,
                             const std::string* ids, size_t n,
                             std::map<std::string, std::string>& found) {
    constexpr std::string_view kWhat = "get keys";
    size_t bucket = 0;
    while (static_cast<size_t>(kGetKeysBuckets[bucket]) < n) ++bucket;
    WAGATE_ASSIGN_OR_RETURN(Stmt stmt, db.Get(kGetKeysFirst + static_cast<int>(bucket), kWhat));
    stmt.Text(1, instance);
    stmt.Text(2, type);
    for (int i = 0; i < kGetKeysBuckets[bucket]; ++i) {
      if (static_cast<size_t>(i) < n) {
        stmt.Text(3 + i, ids[i]);
      } else {
        stmt.Null(3 + i);
      }
    }
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) {
      found.insert_or_assign(stmt.ColString(0), stmt.ColString(1));
    }
    return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, kWhat);
  }

  // Shared by every call for its whole duration; Close() takes it exclusively.
  std::shared_mutex life_mu_;
  bool closed_ = false;  // guarded by life_mu_
  // Serializes write transactions on writer_. SQLite would serialize them
  // too, but by failing with SQLITE_BUSY and retrying; a mutex queues them.
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  // The thread running InTransaction's body (holding write_mu_), if any.
  std::atomic<std::thread::id> tx_thread_{};
  bool InOwnTransaction() const { return tx_thread_.load() == std::this_thread::get_id(); }
  ReaderPool readers_;
};

Status OpenError(const std::string& path, std::string_view message) {
  return base::InvalidArgument("sqlite: open " + path + ": " + std::string(message));
}

}  // namespace

Result<std::unique_ptr<Store>> Open(const Options& options) {
  const std::string& path = options.path;
  if (path.empty()) return OpenError(path, "empty path");
  if (path == ":memory:" || path.starts_with("file:")) {
    return OpenError(path, "in-memory and URI databases are not supported, give a file path");
  }
  if (options.reader_connections < 1) return OpenError(path, "reader_connections must be >= 1");
  if (options.busy_timeout_ms < 0) return OpenError(path, "busy_timeout_ms must be >= 0");

  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return base::Unavailable("sqlite: open " + path + ": cannot create directory " +
                               parent.string() + ": " + ec.message());
    }
  }

  const std::string what = "open " + path;
  WAGATE_ASSIGN_OR_RETURN(
      auto writer, Connection::Open(path, Connection::Mode::kWriter, options.busy_timeout_ms));
  // The first statement to read the file: a non-database file fails here
  // with "file is not a database" (kDataLoss).
  WAGATE_ASSIGN_OR_RETURN(std::string mode, writer->QueryText("PRAGMA journal_mode = WAL", what));
  if (mode != "wal") {
    return base::FailedPrecondition("sqlite: open " + path +
                                    ": cannot switch to WAL journal mode (still " + mode + ")");
  }
  WAGATE_RETURN_IF_ERROR(
      writer->Exec(options.fsync_each_commit ? kSynchronousFull : kSynchronousNormal, what));
  WAGATE_RETURN_IF_ERROR(writer->Exec(kJournalSizeLimit, what));
  WAGATE_RETURN_IF_ERROR(writer->Exec(kWalAutocheckpoint, what));
  Status migrated = Migrate(*writer, SchemaMigrations());
  if (!migrated.ok()) {
    return Status(migrated.code(), migrated.message() + " [" + path + "]");
  }

  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < options.reader_connections; ++i) {
    WAGATE_ASSIGN_OR_RETURN(
        auto reader, Connection::Open(path, Connection::Mode::kReader, options.busy_timeout_ms));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(writer), std::move(readers)));
}

}  // namespace store::sqlite
