// Thin wrappers over the libmongoc collection calls the mongo store uses,
// turning bson_error_t into Status (errors.h) and replies into plain values.
// `context` names the store operation for the error message
// ("save message" → "mongo: save message: <libmongoc message>").
// Thread safety: as the collection handle (one thread at a time).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "store/mongo/handles.h"

namespace store::mongo {

// The first document matching `filter`, or null. `opts` as
// mongoc_collection_find_with_opts (projection, sort), may be null.
base::Result<BsonPtr> FindOne(mongoc_collection_t* coll, const bson_t& filter, const bson_t* opts,
                              std::string_view context);

// Calls `visit` for every match, in cursor order; stops at the first
// non-ok Status from `visit` and returns it.
base::Status FindEach(mongoc_collection_t* coll, const bson_t& filter, const bson_t* opts,
                      const DocVisitor& visit, std::string_view context);

struct ModifyResult {
  BsonPtr doc;            // the document after the update; null: no match
  bool upserted = false;  // the update inserted it
};

// findAndModify returning the new document. Without upsert, no match gives
// an empty ModifyResult.
base::Result<ModifyResult> FindAndModify(mongoc_collection_t* coll, const bson_t& filter,
                                         const bson_t& update, bool upsert,
                                         std::string_view context);

struct WriteResult {
  int64_t matched = 0;
  int64_t modified = 0;
  bool upserted = false;
};

// A duplicate key is reported as kAlreadyExists.
base::Status InsertOne(mongoc_collection_t* coll, const bson_t& doc, std::string_view context);
base::Result<WriteResult> UpdateOne(mongoc_collection_t* coll, const bson_t& filter,
                                    const bson_t& update, std::string_view context);
base::Result<WriteResult> ReplaceOne(mongoc_collection_t* coll, const bson_t& filter,
                                     const bson_t& doc, bool upsert, std::string_view context);
base::Result<int64_t> DeleteOne(mongoc_collection_t* coll, const bson_t& filter,
                                std::string_view context);
base::Result<int64_t> DeleteMany(mongoc_collection_t* coll, const bson_t& filter,
                                 std::string_view context);
base::Result<int64_t> CountDocuments(mongoc_collection_t* coll, const bson_t& filter,
                                     std::string_view context);

}  // namespace store::mongo
