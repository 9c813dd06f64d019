// The MongoDB backend of store::Store, through libmongoc (tested against
// FerretDB 1.24 on SQLite, see scripts/ferretdb.sh).
//
// Ownership: the returned Store owns a libmongoc client pool; Close() (or
// destruction) waits for calls in flight and releases it.
// Thread safety: every method may be called from any thread (store.h).
//
// libmongoc's global state: the first Open() calls mongoc_init() and sets
// libmongoc's log handler to forward into spdlog (once per process,
// std::call_once). Nobody calls mongoc_cleanup(): it may only run after
// every client of the process is gone, its only effect is freeing global
// tables at exit, and a library cannot know when the last user is done.
//
// Deployment assumption: one wagate process writes an instance at a time
// (one WhatsApp device = one connection). Writes of chats and messages of
// an instance are serialized inside the process; see mongo_store_impl.h.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace store::mongo {

struct Options {
  // mongodb://host:port/database?options. The database comes from the URI
  // path, "wagate" when absent. Options given in the URI win over the
  // fields below.
  std::string uri;
  int pool_max = 8;  // clients in the pool (maxPoolSize)
  // Bounds server selection, connecting, each socket read and the wait for
  // a free pooled client, so a dead server fails a call with kUnavailable
  // after about this long instead of hanging.
  int timeout_ms = 5000;
};

// Connects, pings (kUnavailable when the server does not answer within
// timeout_ms) and creates the unique keys and indexes of api.md.
// kInvalidArgument for a malformed URI.
base::Result<std::unique_ptr<store::Store>> Open(const Options& options);

}  // namespace store::mongo
