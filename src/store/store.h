// The storage contract of wagate, one narrow interface per domain, and
// `Store`, which a backend (memory, sqlite, mongo) implements whole.
//
// Thread safety: every method may be called from any thread, concurrently.
// Every method blocks (disk or network): call them off the event loop.
// Errors: a backend failure is a non-ok Status with context; "not found" is
// not an error (std::nullopt / false).
// Instances: every call names the instance (WAGATE_INSTANCE); data of one
// instance is never visible through another. One process at a time writes
// an instance's data (the MongoDB backend serialises its read-modify-writes
// per instance inside the process, because FerretDB updates are not atomic).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/records.h"

namespace store {

using base::Result;
using base::Status;

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<std::optional<SessionRecord>> GetSession(std::string_view instance) = 0;
  // Creates or replaces the whole record.
  virtual Status PutSession(const SessionRecord& session) = 0;
  virtual Status DeleteSession(std::string_view instance) = 0;
};

// Signal and app-state keys: opaque values addressed by (instance, type, id).
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // The values found among `ids`, keyed by id; missing ids are absent.
  virtual Result<std::map<std::string, std::string>> GetKeys(
      std::string_view instance, std::string_view type, const std::vector<std::string>& ids) = 0;
  // Applies every write, or none of them (memory, SQLite: one transaction).
  // MongoDB has no transactions here: writes apply in order and a failure
  // may leave a prefix applied. Every write is idempotent, so the caller
  // treats any error as "not durable" (no ack) and retries the same batch.
  virtual Status WriteKeys(std::string_view instance, const std::vector<KeyWrite>& writes) = 0;
  // Every key of `type`, keyed by id (ascending), at most `limit`: for a
  // small family read whole at start (the LID ↔ phone-number map).
  // limit < 1 → kInvalidArgument.
  virtual Result<std::map<std::string, std::string>> ListKeys(std::string_view instance,
                                                              std::string_view type, int limit) = 0;
  // Removes every key of the instance (logout).
  virtual Status DeleteAllKeys(std::string_view instance) = 0;
  virtual Result<int64_t> CountKeys(std::string_view instance) = 0;
};

// What the caller of SaveMessage knows about the chat beyond the message.
struct ChatHint {
  std::string name;  // push name or group subject; empty keeps the stored name
  bool is_group = false;
};

struct SaveResult {
  bool inserted = false;  // false: (instance, jid, id) was already stored
  bool replaced = false;  // an undecryptable placeholder got its real content
  MessageRecord message;  // as stored now, `seq` filled in
  ChatRecord chat;        // the chat after this save
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // Stores a message and updates its chat, together:
  // - New (instance, jid, id): inserted with a fresh seq, larger than every seq
  //   given before in this instance. Already stored: kept as it is (a
  //   redelivery), except that a stored "undecryptable" placeholder takes the
  //   content of a message of another type (see FillPlaceholder): its place
  //   in the page order (timestamp, seq) and its status stay.
  // - The chat is created when missing (name and is_group from `hint`); a
  //   non-empty hint.name replaces the stored name. When the message is
  //   inserted and !from_me, unread_count grows by one. When it is inserted
  //   with timestamp >= the chat's updated_at, it becomes last_message and
  //   updated_at takes its timestamp. When the stored last_message is this
  //   message, it is refreshed.
  // Both writes commit together (memory, SQLite). MongoDB: the message insert
  // comes first; a crash before the chat update leaves the message stored and
  // the chat one unread count and maybe last_message behind, until the next
  // message or MarkChatRead — never a message counted twice.
  virtual Result<SaveResult> SaveMessage(std::string_view instance, const MessageRecord& message,
                                         const ChatHint& hint) = 0;

  virtual Result<std::optional<MessageRecord>> GetMessage(std::string_view instance,
                                                          std::string_view jid,
                                                          std::string_view id) = 0;

  // Newest first, ordered by (timestamp desc, seq desc), at most `limit`
  // items strictly after `before` in that order. limit < 1 → kInvalidArgument
  // (the API bounds it; backends need not cap it). Messages stored after a
  // cursor was handed out never shift later pages (they sort before it or
  // are skipped, never duplicated).
  struct Page {
    std::vector<MessageRecord> items;
    std::optional<MessageCursor> next;  // set when more items follow
  };
  virtual Result<Page> ListMessages(std::string_view instance, std::string_view jid, int limit,
                                    std::optional<MessageCursor> before) = 0;

  // Moves the status forward only (pending < sent < delivered < read;
  // failed only from pending or sent); refreshes the chat's last_message
  // when it is this message. Returns whether anything changed. A status
  // outside IsKnownStatus → kInvalidArgument.
  virtual Result<bool> UpdateMessageStatus(std::string_view instance, std::string_view jid,
                                           std::string_view id, std::string_view status) = 0;
};

class ChatStore {
 public:
  virtual ~ChatStore() = default;
  virtual Result<std::optional<ChatRecord>> GetChat(std::string_view instance,
                                                    std::string_view jid) = 0;
  // Creates or replaces the whole chat record.
  virtual Status PutChat(std::string_view instance, const ChatRecord& chat) = 0;
  // Most recent activity first: (updated_at desc, jid asc), then offset/limit.
  // limit < 1 or offset < 0 → kInvalidArgument.
  virtual Result<std::vector<ChatRecord>> ListChats(std::string_view instance, int limit,
                                                    int offset) = 0;
  // unread_count = 0. Returns false when the chat does not exist.
  virtual Result<bool> MarkChatRead(std::string_view instance, std::string_view jid) = 0;
};

// The event log behind Socket.IO replay (and later webhooks): an append-only,
// per-instance sequence with bounded retention.
class EventStore {
 public:
  virtual ~EventStore() = default;
  // Stores the event with a fresh seq, larger than every seq this instance
  // was ever given (also after a reopen, and after PruneEvents removed
  // everything), and returns it. Concurrent appends get distinct seqs.
  virtual Result<EventRecord> AppendEvent(std::string_view instance, std::string_view name,
                                          std::string_view payload, int64_t created_at_ms) = 0;
  // At most `limit` events with seq > after_seq, ascending by seq.
  // limit < 1 → kInvalidArgument.
  virtual Result<std::vector<EventRecord>> ListEventsAfter(std::string_view instance,
                                                           int64_t after_seq, int limit) = 0;
  // Removes the events beyond the newest `keep_last` (keep_last < 0: no
  // count limit) and those created before `older_than_ms` (0: no age
  // limit). Returns how many were removed.
  virtual Result<int64_t> PruneEvents(std::string_view instance, int64_t keep_last,
                                      int64_t older_than_ms) = 0;
  // The largest seq ever given to the instance, 0 when none.
  virtual Result<int64_t> LastEventSeq(std::string_view instance) = 0;

  // Runs `body` on the calling thread with every write this thread makes
  // through this store — events, messages, chats, keys, sessions — joined
  // into one transaction: committed together when body returns ok, rolled
  // back together when it fails. A write that fails inside is undone alone
  // (the body sees its error and decides). Reads inside see the writes made
  // so far. Other threads' writes wait until it ends, so keep bodies short.
  // Group commit: a burst of incoming messages, their Signal state and
  // their events cost one commit instead of four per message.
  // Declared here so the event bus can append events atomically with the
  // writes that caused them. Atomic on memory and SQLite; MongoDB has no
  // transactions here: writes apply in order as they are made, a failure
  // leaves the earlier ones applied (every caller's writes are idempotent).
  // Nested (called from inside a body on the same thread): a savepoint —
  // its writes are undone alone when its body fails, and commit with the
  // outer transaction otherwise (memory, SQLite).
  virtual Status InTransaction(const std::function<Status()>& body) = 0;
};

class Store : public SessionStore,
              public KeyStore,
              public MessageStore,
              public ChatStore,
              public EventStore {
 public:
  // "memory", "sqlite" or "mongodb".
  virtual std::string_view Backend() const = 0;
  // A cheap round trip proving the backend answers (GET /health).
  virtual Status Ping() = 0;
  // Flushes and releases the backend. Idempotent; afterwards every call
  // fails with kUnavailable. Called once at shutdown.
  virtual void Close() = 0;
};

// The statuses that `next` may replace (see UpdateMessageStatus), shared by
// the backends so they agree.
const std::vector<std::string>& StatusesBefore(std::string_view next);
bool IsKnownStatus(std::string_view status);

// Whether `incoming` replaces the stored message (an undecryptable
// placeholder meeting its real content), and the record that results: the
// content fields (type, content, caption, mime_type, file_name, size,
// push_name, quoted_id) of `incoming`, everything else of `stored`.
bool ReplacesPlaceholder(const MessageRecord& stored, const MessageRecord& incoming);
MessageRecord FillPlaceholder(const MessageRecord& stored, const MessageRecord& incoming);

}  // namespace store
