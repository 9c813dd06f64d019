// The key store: one document per (instance, type, id), value as BSON binary.
#include <algorithm>
#include <span>

#include "store/mongo/bson_convert.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/errors.h"
#include "store/mongo/mongo_store_impl.h"
#include "store/mongo/schema.h"

namespace store::mongo {
namespace {

// The {id, value} documents `filter` finds, into `found` (id → bytes).
Status FindKeys(mongoc_collection_t* coll, const bson_t& filter, const bson_t& opts,
                std::map<std::string, std::string>& found, std::string_view context) {
  return FindEach(
      coll, filter, &opts,
      [&](const bson_t& doc) {
        bson_iter_t it;
        std::string id;
        if (bson_iter_init_find(&it, &doc, field::kId) && BSON_ITER_HOLDS_UTF8(&it)) {
          uint32_t len = 0;
          const char* s = bson_iter_utf8(&it, &len);
          id.assign(s, len);
        }
        if (!bson_iter_init_find(&it, &doc, field::kValue) || !BSON_ITER_HOLDS_BINARY(&it)) {
          return Error(base::Code::kDataLoss, context, "value of key " + id + " is not binary");
        }
        bson_subtype_t subtype;
        uint32_t len = 0;
        const uint8_t* data = nullptr;
        bson_iter_binary(&it, &subtype, &len, &data);
        found[id] = std::string(reinterpret_cast<const char*>(data), len);
        return Status::Ok();
      },
      context);
}

}  // namespace

Result<std::map<std::string, std::string>> MongoStore::GetKeys(
    std::string_view instance, std::string_view type, const std::vector<std::string>& ids) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  std::map<std::string, std::string> found;
  if (ids.empty()) return found;

  // {_id: {$in: [KeyId...]}}: one query for the batch, on the _id index.
  BsonPtr filter = NewBson();
  bson_t id_clause, in;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &id_clause);
  BSON_APPEND_ARRAY_BEGIN(&id_clause, "$in", &in);
  for (size_t i = 0; i < ids.size(); ++i) {
    char index[16];
    const char* key = nullptr;
    bson_uint32_to_string(static_cast<uint32_t>(i), &key, index, sizeof index);
    AppendString(&in, key, KeyId(instance, type, ids[i]));
  }
  bson_append_array_end(&id_clause, &in);
  bson_append_document_end(filter.get(), &id_clause);

  BsonPtr opts = NewBson();
  bson_t projection;
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "projection", &projection);
  BSON_APPEND_INT32(&projection, "_id", 0);
  BSON_APPEND_INT32(&projection, field::kId, 1);
  BSON_APPEND_INT32(&projection, field::kValue, 1);
  bson_append_document_end(opts.get(), &projection);

  CollectionPtr coll = lease.Collection(kKeys);
  WAGATE_RETURN_IF_ERROR(FindKeys(coll.get(), *filter, *opts, found, "get keys"));
  return found;
}

Result<std::map<std::string, std::string>> MongoStore::ListKeys(std::string_view instance,
                                                                std::string_view type, int limit) {
  if (limit < 1) return base::InvalidArgument("list keys: limit must be >= 1");
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  std::map<std::string, std::string> found;
  // {instanceName, type}, on the unique (instanceName, type, id) index.
  BsonPtr filter = NewBson();
  AppendString(filter.get(), field::kInstance, instance);
  AppendString(filter.get(), field::kType, type);
  BsonPtr opts = NewBson();
  bson_t projection, sort;
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "projection", &projection);
  BSON_APPEND_INT32(&projection, "_id", 0);
  BSON_APPEND_INT32(&projection, field::kId, 1);
  BSON_APPEND_INT32(&projection, field::kValue, 1);
  bson_append_document_end(opts.get(), &projection);
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "sort", &sort);
  BSON_APPEND_INT32(&sort, field::kId, 1);
  bson_append_document_end(opts.get(), &sort);
  BSON_APPEND_INT64(opts.get(), "limit", limit);
  CollectionPtr coll = lease.Collection(kKeys);
  WAGATE_RETURN_IF_ERROR(FindKeys(coll.get(), *filter, *opts, found, "list keys"));
  return found;
}

namespace {

// One ordered bulk write of upserts (replaceOne) and deleteOnes.
//
// Atomicity: store.h asks for all-or-nothing; without transactions (FerretDB
// has none; MongoDB would need a replica set) we get "in order, up to the
// first failure": an ordered bulk stops at the first failing write, so
// after an error a prefix of the batch may be applied. That is acceptable for
// the callers (the Signal key store of the protocol client) because every
// write is idempotent, a put is a whole-value replace and a delete of a
// missing key is a no-op, so the caller retrying the same batch after an
// error converges to the all-applied state; and an error is returned, so the
// caller never acts (acks a message, sends) on a half-written batch.
// Within one batch a later write to the same key wins, as in the memory
// backend, because the bulk is ordered.
//
// The batch goes out in commands of at most kWritesPerCommand writes, one
// after the other, still stopping at the first failure: each command must
// finish within socketTimeoutMS, and FerretDB on SQLite needs ~2.5 ms per
// upsert (a 1200-key batch as one command took 3 s on a loaded CI machine).
constexpr size_t kWritesPerCommand = 200;

Status ExecuteKeyWrites(mongoc_collection_t* coll, std::string_view instance,
                        std::span<const KeyWrite> writes) {
  BsonPtr bulk_opts = NewBson();
  BSON_APPEND_BOOL(bulk_opts.get(), "ordered", true);
  BulkPtr bulk(mongoc_collection_create_bulk_operation_with_opts(coll, bulk_opts.get()));
  BsonPtr upsert = NewBson();
  BSON_APPEND_BOOL(upsert.get(), "upsert", true);
  bson_error_t error;
  for (const KeyWrite& w : writes) {
    BsonPtr filter = IdFilter(KeyId(instance, w.type, w.id));
    bool queued;
    if (w.value) {
      BsonPtr doc = KeyDocument(instance, w.type, w.id, *w.value);
      queued = mongoc_bulk_operation_replace_one_with_opts(bulk.get(), filter.get(), doc.get(),
                                                           upsert.get(), &error);
    } else {
      queued =
          mongoc_bulk_operation_remove_one_with_opts(bulk.get(), filter.get(), nullptr, &error);
    }
    if (!queued) return ToStatus(error, "write keys");
  }
  Reply reply;
  if (mongoc_bulk_operation_execute(bulk.get(), reply.out(), &error) == 0) {
    return ToStatus(error, "write keys");
  }
  return Status::Ok();
}

}  // namespace

Status MongoStore::WriteKeys(std::string_view instance, const std::vector<KeyWrite>& writes) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kKeys);
  std::span<const KeyWrite> all(writes);
  for (size_t start = 0; start < all.size(); start += kWritesPerCommand) {
    auto chunk = all.subspan(start, std::min(kWritesPerCommand, all.size() - start));
    Status status = ExecuteKeyWrites(coll.get(), instance, chunk);
    // Two upserts of one missing key may race to insert it, and the loser
    // sees the unique key. The chunk is idempotent: run it again.
    if (status.code() == base::Code::kAlreadyExists) {
      status = ExecuteKeyWrites(coll.get(), instance, chunk);
    }
    WAGATE_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

Status MongoStore::DeleteAllKeys(std::string_view instance) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kKeys);
  return DeleteMany(coll.get(), *InstanceFilter(instance), "delete all keys").status();
}

Result<int64_t> MongoStore::CountKeys(std::string_view instance) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kKeys);
  return CountDocuments(coll.get(), *InstanceFilter(instance), "count keys");
}

}  // namespace store::mongo
