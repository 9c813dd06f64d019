// The event log: one document per event in `events`,
//   { _id: "<instance>|<seq, 20 digits>", instanceName, seq: int64, name,
//     payload: string (JSON text), createdAt: date }
// The zero-padded seq makes _id order equal seq order within an instance, so
// ListEventsAfter and count pruning are _id range queries (the only index
// FerretDB 1.x on SQLite uses for ranges is none, but MongoDB's _id index
// serves them; retention keeps the collection small either way).
#include <cinttypes>
#include <cstdio>

#include "store/mongo/bson_convert.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/errors.h"
#include "store/mongo/mongo_store_impl.h"
#include "store/mongo/schema.h"

namespace store::mongo {
namespace {

constexpr char kPayload[] = "payload";
constexpr char kCreatedAt[] = "createdAt";
constexpr char kEventName[] = "name";

// Instance names are letters, digits, '.', '_' and '-' (config.h), so the
// prefix needs no escaping and "<instance>|" bounds exactly its events.
std::string EventId(std::string_view instance, int64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020" PRId64, seq);
  std::string id(instance);
  id += '|';
  id += digits;
  return id;
}

// The seq counter of the events of `instance`, beside the message counter
// ({_id: instance}) in the same collection.
std::string CounterId(std::string_view instance) {
  std::string id = "events|";
  id += instance;
  return id;
}

// {_id: {$gt: lo, $lte: hi}}
BsonPtr IdRange(const std::string& lo, const std::string& hi) {
  BsonPtr filter = NewBson();
  bson_t range;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &range);
  AppendString(&range, "$gt", lo);
  AppendString(&range, "$lte", hi);
  bson_append_document_end(filter.get(), &range);
  return filter;
}

int64_t Int64Field(const bson_t& doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, &doc, key)) return 0;
  if (BSON_ITER_HOLDS_DATE_TIME(&it)) return bson_iter_date_time(&it);
  return BSON_ITER_HOLDS_NUMBER(&it) ? bson_iter_as_int64(&it) : 0;
}

std::string StringField(const bson_t& doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, &doc, key) || !BSON_ITER_HOLDS_UTF8(&it)) return "";
  uint32_t len = 0;
  const char* s = bson_iter_utf8(&it, &len);
  return std::string(s, len);
}

constexpr int64_t kMaxSeq = INT64_MAX;

}  // namespace

Result<EventRecord> MongoStore::AppendEvent(std::string_view instance, std::string_view name,
                                            std::string_view payload, int64_t created_at_ms) {
  constexpr std::string_view kWhat = "append event";
  // The counter bump is a read-modify-write on FerretDB: see LockWriter.
  WAGATE_ASSIGN_OR_RETURN(WriterGuard writer, LockWriter(instance, kWhat));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr counters = lease.Collection(kCounters);
  BsonPtr filter = IdFilter(CounterId(instance));
  BsonPtr update(BCON_NEW("$inc", "{", field::kSeq, BCON_INT64(1), "}"));
  auto bumped = FindAndModify(counters.get(), *filter, *update, /*upsert=*/true, kWhat);
  if (!bumped.ok() && bumped.status().code() == base::Code::kAlreadyExists) {
    bumped = FindAndModify(counters.get(), *filter, *update, /*upsert=*/true, kWhat);
  }
  if (!bumped.ok()) return bumped.status();
  if (!bumped->doc) return Error(base::Code::kInternal, kWhat, "counter upsert returned nothing");
  EventRecord e{Int64Field(*bumped->doc, field::kSeq), std::string(name), std::string(payload),
                created_at_ms};
  if (e.seq <= 0) return Error(base::Code::kDataLoss, kWhat, "counter without a number");

  BsonPtr doc = IdFilter(EventId(instance, e.seq));
  AppendString(doc.get(), field::kInstance, instance);
  BSON_APPEND_INT64(doc.get(), field::kSeq, e.seq);
  AppendString(doc.get(), kEventName, e.name);
  AppendString(doc.get(), kPayload, e.payload);
  BSON_APPEND_DATE_TIME(doc.get(), kCreatedAt, created_at_ms);
  CollectionPtr events = lease.Collection(kEvents);
  // A failure here leaves a gap in seq, which the contract allows.
  WAGATE_RETURN_IF_ERROR(InsertOne(events.get(), *doc, kWhat));
  return e;
}

Result<std::vector<EventRecord>> MongoStore::ListEventsAfter(std::string_view instance,
                                                             int64_t after_seq, int limit) {
  constexpr std::string_view kWhat = "list events";
  if (limit < 1) return Error(base::Code::kInvalidArgument, kWhat, "limit must be positive");
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  BsonPtr filter =
      IdRange(EventId(instance, after_seq < 0 ? 0 : after_seq), EventId(instance, kMaxSeq));
  BsonPtr opts(
      BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "limit", BCON_INT64(int64_t{limit})));
  std::vector<EventRecord> out;
  CollectionPtr coll = lease.Collection(kEvents);
  WAGATE_RETURN_IF_ERROR(FindEach(
      coll.get(), *filter, opts.get(),
      [&](const bson_t& doc) {
        out.push_back({Int64Field(doc, field::kSeq), StringField(doc, kEventName),
                       StringField(doc, kPayload), Int64Field(doc, kCreatedAt)});
        return Status::Ok();
      },
      kWhat));
  return out;
}

Result<int64_t> MongoStore::PruneEvents(std::string_view instance, int64_t keep_last,
                                        int64_t older_than_ms) {
  constexpr std::string_view kWhat = "prune events";
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kEvents);
  int64_t removed = 0;
  if (keep_last >= 0) {
    // The newest event to remove: the (keep_last+1)-th from the end. Seqs may
    // have gaps (a failed insert), so it is looked up rather than computed.
    BsonPtr all = IdRange(EventId(instance, 0), EventId(instance, kMaxSeq));
    BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(-1), "}", "skip", BCON_INT64(keep_last),
                          "limit", BCON_INT64(1), "projection", "{", field::kSeq, BCON_INT32(1),
                          "}"));
    WAGATE_ASSIGN_OR_RETURN(BsonPtr newest_removed, FindOne(coll.get(), *all, opts.get(), kWhat));
    if (newest_removed) {
      const int64_t upto = Int64Field(*newest_removed, field::kSeq);
      BsonPtr range = IdRange(EventId(instance, 0), EventId(instance, upto));
      WAGATE_ASSIGN_OR_RETURN(int64_t n, DeleteMany(coll.get(), *range, kWhat));
      removed += n;
    }
  }
  if (older_than_ms > 0) {
    BsonPtr filter = InstanceFilter(instance);
    bson_t cond;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), kCreatedAt, &cond);
    BSON_APPEND_DATE_TIME(&cond, "$lt", older_than_ms);
    bson_append_document_end(filter.get(), &cond);
    WAGATE_ASSIGN_OR_RETURN(int64_t n, DeleteMany(coll.get(), *filter, kWhat));
    removed += n;
  }
  return removed;
}

Result<int64_t> MongoStore::LastEventSeq(std::string_view instance) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kCounters);
  WAGATE_ASSIGN_OR_RETURN(
      BsonPtr doc, FindOne(coll.get(), *IdFilter(CounterId(instance)), nullptr, "last event seq"));
  return doc ? Int64Field(*doc, field::kSeq) : int64_t{0};
}

}  // namespace store::mongo
