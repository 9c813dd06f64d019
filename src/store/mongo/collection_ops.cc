#include "store/mongo/collection_ops.h"

#include "store/mongo/errors.h"

namespace store::mongo {
namespace {

int64_t ReplyInt64(const bson_t* reply, const char* key) {
  bson_iter_t it;
  if (reply != nullptr && bson_iter_init_find(&it, reply, key) && BSON_ITER_HOLDS_NUMBER(&it)) {
    return bson_iter_as_int64(&it);
  }
  return 0;
}

bool ReplyHas(const bson_t* reply, const char* key) {
  bson_iter_t it;
  return reply != nullptr && bson_iter_init_find(&it, reply, key);
}

}  // namespace

base::Result<BsonPtr> FindOne(mongoc_collection_t* coll, const bson_t& filter, const bson_t* opts,
                              std::string_view context) {
  BsonPtr found;
  BsonPtr limited = NewBson();
  if (opts != nullptr) bson_copy_to_excluding_noinit(opts, limited.get(), "limit", nullptr);
  BSON_APPEND_INT64(limited.get(), "limit", 1);
  WAGATE_RETURN_IF_ERROR(FindEach(
      coll, filter, limited.get(),
      [&](const bson_t& doc) {
        found = CopyBson(&doc);
        return base::Status::Ok();
      },
      context));
  return found;
}

base::Status FindEach(mongoc_collection_t* coll, const bson_t& filter, const bson_t* opts,
                      const DocVisitor& visit, std::string_view context) {
  CursorPtr cursor(mongoc_collection_find_with_opts(coll, &filter, opts, nullptr));
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) {
    WAGATE_RETURN_IF_ERROR(visit(*doc));
  }
  bson_error_t error;
  if (mongoc_cursor_error(cursor.get(), &error)) return ToStatus(error, context);
  return base::Status::Ok();
}

base::Result<ModifyResult> FindAndModify(mongoc_collection_t* coll, const bson_t& filter,
                                         const bson_t& update, bool upsert,
                                         std::string_view context) {
  FindAndModifyOptsPtr opts(mongoc_find_and_modify_opts_new());
  mongoc_find_and_modify_opts_set_update(opts.get(), &update);
  int flags = MONGOC_FIND_AND_MODIFY_RETURN_NEW;
  if (upsert) flags |= MONGOC_FIND_AND_MODIFY_UPSERT;
  mongoc_find_and_modify_opts_set_flags(opts.get(),
                                        static_cast<mongoc_find_and_modify_flags_t>(flags));
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_find_and_modify_with_opts(coll, &filter, opts.get(), reply.out(),
                                                   &error)) {
    return ToStatus(error, context);
  }
  ModifyResult result;
  bson_iter_t it;
  if (bson_iter_init_find(&it, reply.get(), "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_document(&it, &len, &data);
    result.doc = BsonPtr(bson_new_from_data(data, len));
  }
  bson_iter_t last;
  if (bson_iter_init_find(&it, reply.get(), "lastErrorObject") && bson_iter_recurse(&it, &last) &&
      bson_iter_find(&last, "upserted")) {
    result.upserted = true;
  }
  return result;
}

base::Status InsertOne(mongoc_collection_t* coll, const bson_t& doc, std::string_view context) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_insert_one(coll, &doc, nullptr, reply.out(), &error)) {
    return ToStatus(error, context);
  }
  return base::Status::Ok();
}

base::Result<WriteResult> UpdateOne(mongoc_collection_t* coll, const bson_t& filter,
                                    const bson_t& update, std::string_view context) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_update_one(coll, &filter, &update, nullptr, reply.out(), &error)) {
    return ToStatus(error, context);
  }
  return WriteResult{ReplyInt64(reply.get(), "matchedCount"),
                     ReplyInt64(reply.get(), "modifiedCount"), ReplyHas(reply.get(), "upsertedId")};
}

base::Result<WriteResult> ReplaceOne(mongoc_collection_t* coll, const bson_t& filter,
                                     const bson_t& doc, bool upsert, std::string_view context) {
  BsonPtr opts = NewBson();
  BSON_APPEND_BOOL(opts.get(), "upsert", upsert);
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_replace_one(coll, &filter, &doc, opts.get(), reply.out(), &error)) {
    return ToStatus(error, context);
  }
  return WriteResult{ReplyInt64(reply.get(), "matchedCount"),
                     ReplyInt64(reply.get(), "modifiedCount"), ReplyHas(reply.get(), "upsertedId")};
}

base::Result<int64_t> DeleteOne(mongoc_collection_t* coll, const bson_t& filter,
                                std::string_view context) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_delete_one(coll, &filter, nullptr, reply.out(), &error)) {
    return ToStatus(error, context);
  }
  return ReplyInt64(reply.get(), "deletedCount");
}

base::Result<int64_t> DeleteMany(mongoc_collection_t* coll, const bson_t& filter,
                                 std::string_view context) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_delete_many(coll, &filter, nullptr, reply.out(), &error)) {
    return ToStatus(error, context);
  }
  return ReplyInt64(reply.get(), "deletedCount");
}

base::Result<int64_t> CountDocuments(mongoc_collection_t* coll, const bson_t& filter,
                                     std::string_view context) {
  bson_error_t error;
  int64_t n = mongoc_collection_count_documents(coll, &filter, nullptr, nullptr, nullptr, &error);
  if (n < 0) return ToStatus(error, context);
  return n;
}

}  // namespace store::mongo
