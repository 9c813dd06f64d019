// MongoStore: store::Store on MongoDB. Internal to store/mongo; users go
// through Open() in mongo_store.h.
//
// Every call leases one pooled client for its duration (client_pool.h).
//
// Atomicity. FerretDB has no multi-document transactions, and we do not
// require a replica set from MongoDB users either, so nothing here spans two
// documents atomically. What we rely on instead:
//  - MongoDB applies each single-document write atomically, and unique
//    indexes (schema.h) reject duplicates even between processes.
//  - FerretDB 1.x does NOT make a single-document update atomic: an update
//    or findAndModify reads the document and later writes the whole document
//    back by _id (internal/handler/msg_update.go → backends/sqlite
//    UpdateAll: `UPDATE ... WHERE _id = ?`), so two concurrent $inc on one
//    document can lose one. Only its unique indexes (SQLite UNIQUE) hold.
//    Hence every read-modify-write of chats, messages and the seq counter of
//    an instance runs under that instance's writer mutex (LockWriter). With
//    one process per instance (mongo_store.h) that makes them atomic on
//    FerretDB too; on MongoDB the conditional updates are atomic anyway.
//    The mutex also makes seq order equal insert order within the instance,
//    which the cursor guarantee of ListMessages needs.
//  - Writes are ordered so that a crash between two of them leaves a state
//    that a retry of the same call repairs or that only delays a summary
//    (see SaveMessage and WriteKeys in the .cc files).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/mongo/client_pool.h"
#include "store/store.h"

namespace store::mongo {

class MongoStore final : public Store {
 public:
  // `lock_timeout_ms` bounds the wait for an instance's writer lock.
  MongoStore(std::unique_ptr<ClientPool> pool, int lock_timeout_ms)
      : pool_(std::move(pool)), lock_timeout_ms_(lock_timeout_ms) {}
  ~MongoStore() override { Close(); }

  ClientPool& pool() { return *pool_; }

  std::string_view Backend() const override { return "mongodb"; }
  Status Ping() override;
  void Close() override { pool_->Close(); }

  // SessionStore (mongo_store.cc)
  Result<std::optional<SessionRecord>> GetSession(std::string_view instance) override;
  Status PutSession(const SessionRecord& session) override;
  Status DeleteSession(std::string_view instance) override;

  // KeyStore (mongo_keys.cc)
  Result<std::map<std::string, std::string>> GetKeys(std::string_view instance,
                                                     std::string_view type,
                                                     const std::vector<std::string>& ids) override;
  Result<std::map<std::string, std::string>> ListKeys(std::string_view instance,
                                                      std::string_view type, int limit) override;
  Status WriteKeys(std::string_view instance, const std::vector<KeyWrite>& writes) override;
  Status DeleteAllKeys(std::string_view instance) override;
  Result<int64_t> CountKeys(std::string_view instance) override;

  // MessageStore (mongo_messages.cc)
  Result<SaveResult> SaveMessage(std::string_view instance, const MessageRecord& message,
                                 const ChatHint& hint) override;
  Result<std::optional<MessageRecord>> GetMessage(std::string_view instance, std::string_view jid,
                                                  std::string_view id) override;
  Result<Page> ListMessages(std::string_view instance, std::string_view jid, int limit,
                            std::optional<MessageCursor> before) override;
  Result<bool> UpdateMessageStatus(std::string_view instance, std::string_view jid,
                                   std::string_view id, std::string_view status) override;

  // ChatStore (mongo_chats.cc)
  Result<std::optional<ChatRecord>> GetChat(std::string_view instance,
                                            std::string_view jid) override;
  Status PutChat(std::string_view instance, const ChatRecord& chat) override;
  Result<std::vector<ChatRecord>> ListChats(std::string_view instance, int limit,
                                            int offset) override;
  Result<bool> MarkChatRead(std::string_view instance, std::string_view jid) override;

  // EventStore (mongo_events.cc)
  Result<EventRecord> AppendEvent(std::string_view instance, std::string_view name,
                                  std::string_view payload, int64_t created_at_ms) override;
  Result<std::vector<EventRecord>> ListEventsAfter(std::string_view instance, int64_t after_seq,
                                                   int limit) override;
  Result<int64_t> PruneEvents(std::string_view instance, int64_t keep_last,
                              int64_t older_than_ms) override;
  Result<int64_t> LastEventSeq(std::string_view instance) override;
  // No multi-document transactions here (FerretDB, and a replica set would
  // be required): the writes apply in order as they are made.
  Status InTransaction(const std::function<Status()>& body) override { return body(); }

 private:
  using WriterGuard = std::unique_lock<std::timed_mutex>;
  // Locks the mutex serializing read-modify-writes of `instance` (see
  // above); taken before a client lease, never while holding one. The wait
  // is bounded like every other: kUnavailable when the writes queued ahead
  // (each bounded by the socket timeout) do not finish within
  // lock_timeout_ms, e.g. while the database is down. Entries live as long
  // as the store: there are few instances.
  Result<WriterGuard> LockWriter(std::string_view instance, std::string_view context);

  // Helpers of SaveMessage (mongo_messages.cc), called under LockWriter.
  Result<int64_t> NextSeq(const ClientPool::Lease& lease, std::string_view instance);
  Result<MessageRecord> KeepOrReplace(const ClientPool::Lease& lease, std::string_view instance,
                                      const MessageRecord& message, bool* replaced);
  Result<ChatRecord> ChatAfterInsert(const ClientPool::Lease& lease, std::string_view instance,
                                     const MessageRecord& stored, const ChatHint& hint);
  Result<ChatRecord> ChatAfterRedelivery(const ClientPool::Lease& lease, std::string_view instance,
                                         const MessageRecord& stored, bool replaced,
                                         const ChatHint& hint);

  std::unique_ptr<ClientPool> pool_;
  const int lock_timeout_ms_;
  std::mutex writers_mu_;
  std::map<std::string, std::unique_ptr<std::timed_mutex>, std::less<>> writers_;
};

}  // namespace store::mongo
