// The message store: SaveMessage with its chat bookkeeping, pages, statuses.
#include "store/mongo/bson_convert.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/errors.h"
#include "store/mongo/mongo_store_impl.h"
#include "store/mongo/schema.h"

namespace store::mongo {
namespace {

constexpr char kUndecryptable[] = "undecryptable";

// Appends {key: {op: <date ms>}}.
void AppendDateCondition(bson_t* doc, const char* key, const char* op, int64_t ms) {
  bson_t cond;
  BSON_APPEND_DOCUMENT_BEGIN(doc, key, &cond);
  BSON_APPEND_DATE_TIME(&cond, op, ms);
  bson_append_document_end(doc, &cond);
}

// Appends {key: {$in: [values...]}}.
void AppendIn(bson_t* doc, const char* key, const std::vector<std::string>& values) {
  bson_t cond, list;
  BSON_APPEND_DOCUMENT_BEGIN(doc, key, &cond);
  BSON_APPEND_ARRAY_BEGIN(&cond, "$in", &list);
  for (size_t i = 0; i < values.size(); ++i) {
    char index[16];
    const char* k = nullptr;
    bson_uint32_to_string(static_cast<uint32_t>(i), &k, index, sizeof index);
    AppendString(&list, k, values[i]);
  }
  bson_append_array_end(&cond, &list);
  bson_append_document_end(doc, &cond);
}

// The chat fields a SaveMessage may set, as update operators:
// $set (name, when the hint has one, plus `set_last`), $inc (unread, when
// counting) and, for a chat created by this update, $setOnInsert of the
// rest. Operators are only appended when non-empty (FerretDB, like MongoDB
// before 5.0, rejects an empty $set).
struct ChatUpdate {
  std::string_view instance;
  std::string_view jid;
  const ChatHint& hint;
  bool count_unread = false;
  const bson_t* last_message = nullptr;  // becomes lastMessage/updatedAt
  int64_t updated_at_ms = 0;             // with last_message
  bool set_last = false;                 // set them on an existing chat too

  BsonPtr Build() const {
    BsonPtr update = NewBson();
    bool set_name = !hint.name.empty();
    if (set_name || set_last) {
      bson_t set;
      BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
      if (set_name) AppendString(&set, field::kName, hint.name);
      if (set_last) AppendLast(&set);
      bson_append_document_end(update.get(), &set);
    }
    if (count_unread) {
      bson_t inc;
      BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$inc", &inc);
      BSON_APPEND_INT64(&inc, field::kUnreadCount, 1);
      bson_append_document_end(update.get(), &inc);
    }
    bson_t on_insert;
    BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &on_insert);
    // The filter is {_id} alone, so the key fields come from here.
    AppendString(&on_insert, field::kInstance, instance);
    AppendString(&on_insert, field::kJid, jid);
    if (!set_name) AppendString(&on_insert, field::kName, "");
    BSON_APPEND_BOOL(&on_insert, field::kIsGroup, hint.is_group);
    if (!count_unread) BSON_APPEND_INT64(&on_insert, field::kUnreadCount, 0);
    if (!set_last) {
      if (last_message != nullptr) {
        AppendLast(&on_insert);
      } else {
        BSON_APPEND_DATE_TIME(&on_insert, field::kUpdatedAt, 0);
      }
    }
    bson_append_document_end(update.get(), &on_insert);
    return update;
  }

  void AppendLast(bson_t* doc) const {
    BSON_APPEND_DOCUMENT(doc, field::kLastMessage, last_message);
    BSON_APPEND_DATE_TIME(doc, field::kUpdatedAt, updated_at_ms);
  }
};

// findAndModify with upsert, retried once when two upserts of a missing
// document raced and this one lost on the unique key.
Result<ModifyResult> Upsert(mongoc_collection_t* coll, const bson_t& filter, const bson_t& update,
                            std::string_view context) {
  auto r = FindAndModify(coll, filter, update, /*upsert=*/true, context);
  if (!r.ok() && r.status().code() == base::Code::kAlreadyExists) {
    r = FindAndModify(coll, filter, update, /*upsert=*/true, context);
  }
  if (r.ok() && !r->doc) {
    return Error(base::Code::kInternal, context, "upsert returned no document");
  }
  return r;
}

}  // namespace

// Seq: one counter document per instance, {_id: instance, seq}, bumped with
// findAndModify + $inc + upsert. Called under the writer lock, so on
// FerretDB (non-atomic $inc) it still never hands out a value twice, and seq
// order is insert order. Gaps (a seq taken for a redelivery that turns out
// to be stored already) are fine: seq must only grow.
Result<int64_t> MongoStore::NextSeq(const ClientPool::Lease& lease, std::string_view instance) {
  CollectionPtr coll = lease.Collection(kCounters);
  BsonPtr filter = IdFilter(instance);
  BsonPtr update(BCON_NEW("$inc", "{", field::kSeq, BCON_INT64(1), "}"));
  WAGATE_ASSIGN_OR_RETURN(ModifyResult r,
                          Upsert(coll.get(), *filter, *update, "save message: next seq"));
  bson_iter_t it;
  if (!bson_iter_init_find(&it, r.doc.get(), field::kSeq) || !BSON_ITER_HOLDS_NUMBER(&it)) {
    return Error(base::Code::kDataLoss, "save message: next seq", "counter without a number");
  }
  return bson_iter_as_int64(&it);
}

// The message was stored before: keep it, unless it is an undecryptable
// placeholder and `message` is the real content, which replaces it keeping
// seq and status (store.h).
Result<MessageRecord> MongoStore::KeepOrReplace(const ClientPool::Lease& lease,
                                                std::string_view instance,
                                                const MessageRecord& message, bool* replaced) {
  CollectionPtr coll = lease.Collection(kMessages);
  BsonPtr filter = IdFilter(MessageId(instance, message.jid, message.id));
  WAGATE_ASSIGN_OR_RETURN(auto existing,
                          FindOne(coll.get(), *filter, nullptr, "save message: read stored"));
  if (!existing) {
    // Messages are never deleted through the store; someone did it by hand
    // between our insert and this read.
    return Error(base::Code::kAborted, "save message", "duplicate key but no stored message");
  }
  MessageRecord stored = MessageFromBson(*existing);
  *replaced = false;
  if (!ReplacesPlaceholder(stored, message)) return stored;

  MessageRecord real = FillPlaceholder(stored, message);
  // The type in the filter keeps this a replace of the placeholder only.
  AppendString(filter.get(), field::kType, kUndecryptable);
  WAGATE_ASSIGN_OR_RETURN(WriteResult w,
                          ReplaceOne(coll.get(), *filter, *MessageDocument(instance, real),
                                     /*upsert=*/false, "save message: replace placeholder"));
  if (w.matched == 0) {
    return Error(base::Code::kAborted, "save message", "placeholder changed while replacing it");
  }
  *replaced = true;
  return real;
}

// The chat after inserting `stored` (store.h): counted as unread when not
// from me; becomes lastMessage when at least as new as the chat.
//  1. Chat exists with updatedAt <= timestamp: one conditional update does
//     all of it (the common case: a new message is the newest).
//  2. Otherwise an upsert: a missing chat is created with this message as
//     lastMessage; an existing, newer chat only gets name and unread.
//  3. When 2 found an existing chat that is no newer after all (it changed
//     between 1 and 2, from another process), retry the promotion of 1.
Result<ChatRecord> MongoStore::ChatAfterInsert(const ClientPool::Lease& lease,
                                               std::string_view instance,
                                               const MessageRecord& stored, const ChatHint& hint) {
  static constexpr char kContext[] = "save message: update chat";
  CollectionPtr coll = lease.Collection(kChats);
  BsonPtr last = LastMessageDocument(stored);
  ChatUpdate update{.instance = instance,
                    .jid = stored.jid,
                    .hint = hint,
                    .count_unread = !stored.from_me,
                    .last_message = last.get(),
                    .updated_at_ms = stored.timestamp_ms,
                    .set_last = true};

  BsonPtr newer_filter = IdFilter(ChatId(instance, stored.jid));
  AppendDateCondition(newer_filter.get(), field::kUpdatedAt, "$lte", stored.timestamp_ms);
  WAGATE_ASSIGN_OR_RETURN(ModifyResult promoted,
                          FindAndModify(coll.get(), *newer_filter, *update.Build(),
                                        /*upsert=*/false, kContext));
  if (promoted.doc) return ChatFromBson(*promoted.doc);

  update.set_last = false;
  WAGATE_ASSIGN_OR_RETURN(
      ModifyResult upserted,
      Upsert(coll.get(), *IdFilter(ChatId(instance, stored.jid)), *update.Build(), kContext));
  ChatRecord chat = ChatFromBson(*upserted.doc);
  if (upserted.upserted || chat.updated_at_ms > stored.timestamp_ms) return chat;

  BsonPtr set_last = NewBson();
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(set_last.get(), "$set", &set);
  update.AppendLast(&set);
  bson_append_document_end(set_last.get(), &set);
  WAGATE_ASSIGN_OR_RETURN(promoted, FindAndModify(coll.get(), *newer_filter, *set_last,
                                                  /*upsert=*/false, kContext));
  return promoted.doc ? ChatFromBson(*promoted.doc) : chat;
}

// The chat after a redelivery: created when missing (without lastMessage;
// the message was not inserted by this call), renamed by a non-empty hint,
// and its lastMessage refreshed when it is the placeholder just replaced.
Result<ChatRecord> MongoStore::ChatAfterRedelivery(const ClientPool::Lease& lease,
                                                   std::string_view instance,
                                                   const MessageRecord& stored, bool replaced,
                                                   const ChatHint& hint) {
  static constexpr char kContext[] = "save message: update chat";
  CollectionPtr coll = lease.Collection(kChats);
  if (replaced) {
    BsonPtr filter = IdFilter(ChatId(instance, stored.jid));
    AppendString(filter.get(), "lastMessage.id", stored.id);
    BsonPtr last = LastMessageDocument(stored);
    BsonPtr update = NewBson();
    bson_t set;
    BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
    BSON_APPEND_DOCUMENT(&set, field::kLastMessage, last.get());
    if (!hint.name.empty()) AppendString(&set, field::kName, hint.name);
    bson_append_document_end(update.get(), &set);
    WAGATE_ASSIGN_OR_RETURN(ModifyResult refreshed,
                            FindAndModify(coll.get(), *filter, *update, false, kContext));
    if (refreshed.doc) return ChatFromBson(*refreshed.doc);
  }
  ChatUpdate update{.instance = instance, .jid = stored.jid, .hint = hint};
  WAGATE_ASSIGN_OR_RETURN(
      ModifyResult upserted,
      Upsert(coll.get(), *IdFilter(ChatId(instance, stored.jid)), *update.Build(), kContext));
  return ChatFromBson(*upserted.doc);
}

// SaveMessage without a transaction: first the message, then the chat.
//
// The message insert is the commit point: the unique key (instance, jid,
// id) makes it happen once, and a redelivery finds it (E11000) and takes the
// "already stored" path. Unread counting and lastMessage promotion happen
// only on the path where this call's insert succeeded, so a redelivery never
// counts twice.
//
// Crash window: if the process dies (or the chat update fails) after the
// insert and before the chat update, the message is durable but its chat
// misses this message's unread increment and possibly its lastMessage. The
// call returned no success, so the message was not acked; WhatsApp
// redelivers it, the redelivery is deduplicated (inserted = false) and
// creates the chat if it is missing, but does not repair the two summary
// fields: the next newer message sets lastMessage again, and MarkChatRead
// resets the count. The other order (chat first) would risk counting a
// message twice and showing a lastMessage that was never stored, which is
// worse than a summary one message behind.
Result<SaveResult> MongoStore::SaveMessage(std::string_view instance, const MessageRecord& message,
                                           const ChatHint& hint) {
  WAGATE_ASSIGN_OR_RETURN(WriterGuard writer, LockWriter(instance, "save message"));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  SaveResult result;
  WAGATE_ASSIGN_OR_RETURN(int64_t seq, NextSeq(lease, instance));
  MessageRecord fresh = message;
  fresh.seq = seq;
  CollectionPtr coll = lease.Collection(kMessages);
  Status insert = InsertOne(coll.get(), *MessageDocument(instance, fresh), "save message");
  if (insert.ok()) {
    result.inserted = true;
    result.message = std::move(fresh);
    WAGATE_ASSIGN_OR_RETURN(result.chat, ChatAfterInsert(lease, instance, result.message, hint));
    return result;
  }
  if (insert.code() != base::Code::kAlreadyExists) return insert;
  WAGATE_ASSIGN_OR_RETURN(result.message,
                          KeepOrReplace(lease, instance, message, &result.replaced));
  WAGATE_ASSIGN_OR_RETURN(
      result.chat, ChatAfterRedelivery(lease, instance, result.message, result.replaced, hint));
  return result;
}

Result<std::optional<MessageRecord>> MongoStore::GetMessage(std::string_view instance,
                                                            std::string_view jid,
                                                            std::string_view id) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kMessages);
  WAGATE_ASSIGN_OR_RETURN(auto doc, FindOne(coll.get(), *IdFilter(MessageId(instance, jid, id)),
                                            nullptr, "get message"));
  if (!doc) return std::optional<MessageRecord>();
  return std::optional<MessageRecord>(MessageFromBson(*doc));
}

// Keyset pages on (timestamp desc, seq desc): the cursor is the last item's
// (timestamp, seq) and the next page starts strictly after it, served by the
// index {instanceName, jid, timestamp: -1, seq: -1}. One more item than asked
// tells whether a next page exists.
Result<MessageStore::Page> MongoStore::ListMessages(std::string_view instance, std::string_view jid,
                                                    int limit,
                                                    std::optional<MessageCursor> before) {
  if (limit <= 0) {
    return Error(base::Code::kInvalidArgument, "list messages", "limit must be positive");
  }
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  BsonPtr filter = InstanceFilter(instance);
  AppendString(filter.get(), field::kJid, jid);
  if (before) {
    // $or: [{timestamp: {$lt: t}}, {timestamp: t, seq: {$lt: s}}]
    bson_t any, older, tie, seq;
    BSON_APPEND_ARRAY_BEGIN(filter.get(), "$or", &any);
    BSON_APPEND_DOCUMENT_BEGIN(&any, "0", &older);
    AppendDateCondition(&older, field::kTimestamp, "$lt", before->timestamp_ms);
    bson_append_document_end(&any, &older);
    BSON_APPEND_DOCUMENT_BEGIN(&any, "1", &tie);
    BSON_APPEND_DATE_TIME(&tie, field::kTimestamp, before->timestamp_ms);
    BSON_APPEND_DOCUMENT_BEGIN(&tie, field::kSeq, &seq);
    BSON_APPEND_INT64(&seq, "$lt", before->seq);
    bson_append_document_end(&tie, &seq);
    bson_append_document_end(&any, &tie);
    bson_append_array_end(filter.get(), &any);
  }
  BsonPtr opts(BCON_NEW("sort", "{", field::kTimestamp, BCON_INT32(-1), field::kSeq, BCON_INT32(-1),
                        "}", "limit", BCON_INT64(int64_t{limit} + 1), "projection", "{", "_id",
                        BCON_INT32(0), field::kInstance, BCON_INT32(0), "}"));
  Page page;
  page.items.reserve(static_cast<size_t>(limit) + 1);
  CollectionPtr coll = lease.Collection(kMessages);
  WAGATE_RETURN_IF_ERROR(FindEach(
      coll.get(), *filter, opts.get(),
      [&](const bson_t& doc) {
        page.items.push_back(MessageFromBson(doc));
        return Status::Ok();
      },
      "list messages"));
  if (page.items.size() > static_cast<size_t>(limit)) {
    page.items.pop_back();
    page.next = MessageCursor{page.items.back().timestamp_ms, page.items.back().seq};
  }
  return page;
}

// The message moves forward only: the filter accepts just the statuses that
// `status` may replace (StatusesBefore), so the check and the write are one
// conditional update. The chat's lastMessage is refreshed when it is this
// message and its copy is not further along already.
//
// Crash window: after the message update and before the chat refresh, the
// chat shows the previous status until the next status of that message.
Result<bool> MongoStore::UpdateMessageStatus(std::string_view instance, std::string_view jid,
                                             std::string_view id, std::string_view status) {
  WAGATE_ASSIGN_OR_RETURN(WriterGuard writer, LockWriter(instance, "update message status"));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  if (!IsKnownStatus(status)) {
    return Error(base::Code::kInvalidArgument, "update message status",
                 "unknown status '" + std::string(status) + "'");
  }
  const std::vector<std::string>& before = StatusesBefore(status);
  if (before.empty()) return false;  // nothing comes before "pending"

  BsonPtr filter = IdFilter(MessageId(instance, jid, id));
  AppendIn(filter.get(), field::kStatus, before);
  BsonPtr update = NewBson();
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  AppendString(&set, field::kStatus, status);
  bson_append_document_end(update.get(), &set);
  CollectionPtr messages = lease.Collection(kMessages);
  WAGATE_ASSIGN_OR_RETURN(
      ModifyResult moved,
      FindAndModify(messages.get(), *filter, *update, /*upsert=*/false, "update message status"));
  if (!moved.doc) return false;

  BsonPtr chat_filter = IdFilter(ChatId(instance, jid));
  AppendString(chat_filter.get(), "lastMessage.id", id);
  AppendIn(chat_filter.get(), "lastMessage.status", before);
  BsonPtr last = LastMessageDocument(MessageFromBson(*moved.doc));
  BsonPtr refresh = NewBson();
  BSON_APPEND_DOCUMENT_BEGIN(refresh.get(), "$set", &set);
  BSON_APPEND_DOCUMENT(&set, field::kLastMessage, last.get());
  bson_append_document_end(refresh.get(), &set);
  CollectionPtr chats = lease.Collection(kChats);
  WAGATE_RETURN_IF_ERROR(
      UpdateOne(chats.get(), *chat_filter, *refresh, "update message status: refresh chat")
          .status());
  return true;
}

}  // namespace store::mongo
