// The chat store. Chats are also written by SaveMessage and
// UpdateMessageStatus (mongo_messages.cc); the writes here take the same
// writer lock so that they never interleave with those read-modify-writes.
#include "store/mongo/bson_convert.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/errors.h"
#include "store/mongo/mongo_store_impl.h"
#include "store/mongo/schema.h"

namespace store::mongo {

Result<std::optional<ChatRecord>> MongoStore::GetChat(std::string_view instance,
                                                      std::string_view jid) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kChats);
  WAGATE_ASSIGN_OR_RETURN(
      auto doc, FindOne(coll.get(), *IdFilter(ChatId(instance, jid)), nullptr, "get chat"));
  if (!doc) return std::optional<ChatRecord>();
  return std::optional<ChatRecord>(ChatFromBson(*doc));
}

Status MongoStore::PutChat(std::string_view instance, const ChatRecord& chat) {
  WAGATE_ASSIGN_OR_RETURN(WriterGuard writer, LockWriter(instance, "put chat"));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kChats);
  BsonPtr filter = IdFilter(ChatId(instance, chat.jid));
  BsonPtr doc = ChatDocument(instance, chat);
  auto put = ReplaceOne(coll.get(), *filter, *doc, /*upsert=*/true, "put chat");
  // Lost an upsert race with another process: the chat exists now; replace it.
  if (!put.ok() && put.status().code() == base::Code::kAlreadyExists) {
    put = ReplaceOne(coll.get(), *filter, *doc, /*upsert=*/true, "put chat");
  }
  return put.status();
}

// (updatedAt desc, jid asc) within the instance: the index
// {instanceName, updatedAt: -1, jid: 1} serves both the filter and the sort.
Result<std::vector<ChatRecord>> MongoStore::ListChats(std::string_view instance, int limit,
                                                      int offset) {
  if (limit <= 0 || offset < 0) {
    return Error(base::Code::kInvalidArgument, "list chats",
                 "limit must be positive and offset >= 0");
  }
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  BsonPtr opts(BCON_NEW("sort", "{", field::kUpdatedAt, BCON_INT32(-1), field::kJid, BCON_INT32(1),
                        "}", "skip", BCON_INT64(offset), "limit", BCON_INT64(limit), "projection",
                        "{", "_id", BCON_INT32(0), "}"));
  std::vector<ChatRecord> chats;
  CollectionPtr coll = lease.Collection(kChats);
  WAGATE_RETURN_IF_ERROR(FindEach(
      coll.get(), *InstanceFilter(instance), opts.get(),
      [&](const bson_t& doc) {
        chats.push_back(ChatFromBson(doc));
        return Status::Ok();
      },
      "list chats"));
  return chats;
}

Result<bool> MongoStore::MarkChatRead(std::string_view instance, std::string_view jid) {
  WAGATE_ASSIGN_OR_RETURN(WriterGuard writer, LockWriter(instance, "mark chat read"));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kChats);
  BsonPtr update(BCON_NEW("$set", "{", field::kUnreadCount, BCON_INT64(0), "}"));
  WAGATE_ASSIGN_OR_RETURN(WriteResult w, UpdateOne(coll.get(), *IdFilter(ChatId(instance, jid)),
                                                   *update, "mark chat read"));
  return w.matched > 0;
}

}  // namespace store::mongo
