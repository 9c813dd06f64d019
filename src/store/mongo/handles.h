// Owning handles for libbson / libmongoc objects: unique_ptr with the
// matching *_destroy function, so every early return frees what it made.
// Thread safety: as the wrapped object (a handle is used by one thread).
#pragma once

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include <functional>
#include <memory>

#include "base/status.h"

namespace store::mongo {

template <typename T, void (*kDestroy)(T*)>
struct Destroyer {
  void operator()(T* p) const {
    if (p != nullptr) kDestroy(p);
  }
};

// bson_t is declared 128-byte aligned; the alignment attribute does not
// matter for a pointer to a heap bson_t, so the warning naming it in a
// template argument is silenced here, where the type is spelled once.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
using BsonPtr = std::unique_ptr<bson_t, Destroyer<bson_t, bson_destroy>>;
// Called with each document of a cursor (borrowed for the call).
using DocVisitor = std::function<base::Status(const bson_t&)>;
#pragma GCC diagnostic pop
using UriPtr = std::unique_ptr<mongoc_uri_t, Destroyer<mongoc_uri_t, mongoc_uri_destroy>>;
using CollectionPtr =
    std::unique_ptr<mongoc_collection_t, Destroyer<mongoc_collection_t, mongoc_collection_destroy>>;
using DatabasePtr =
    std::unique_ptr<mongoc_database_t, Destroyer<mongoc_database_t, mongoc_database_destroy>>;
using CursorPtr =
    std::unique_ptr<mongoc_cursor_t, Destroyer<mongoc_cursor_t, mongoc_cursor_destroy>>;
using BulkPtr = std::unique_ptr<mongoc_bulk_operation_t,
                                Destroyer<mongoc_bulk_operation_t, mongoc_bulk_operation_destroy>>;
using FindAndModifyOptsPtr =
    std::unique_ptr<mongoc_find_and_modify_opts_t,
                    Destroyer<mongoc_find_and_modify_opts_t, mongoc_find_and_modify_opts_destroy>>;

// A fresh, empty heap document.
inline BsonPtr NewBson() { return BsonPtr(bson_new()); }

// An owned copy of a document borrowed from a cursor or a reply.
inline BsonPtr CopyBson(const bson_t* doc) { return BsonPtr(bson_copy(doc)); }

// A bson_t filled by libmongoc (a reply) that must be destroyed even when the
// call failed; libmongoc always initializes it.
class Reply {
 public:
  Reply() = default;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply() {
    if (initialized_) bson_destroy(&doc_);
  }
  // For libmongoc to fill; call at most once.
  bson_t* out() {
    initialized_ = true;
    return &doc_;
  }
  const bson_t* get() const { return initialized_ ? &doc_ : nullptr; }

 private:
  bson_t doc_;
  bool initialized_ = false;
};

}  // namespace store::mongo
