// The embedded default backend: store::Store on one SQLite file.
//
// Layout: one writer connection (every write is one BEGIN IMMEDIATE
// transaction, serialized by a mutex) and a small pool of read-only
// connections; the database runs in WAL mode so reads never wait for the
// writer. Schema and design notes: migrations.cc, sqlite_store.cc.
// Ownership: the returned Store owns its connections; Close() (or destroying
// it) releases them and checkpoints the WAL.
// Thread safety: as store::Store — every method from any thread.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace store::sqlite {

struct Options {
  // The database file; its parent directory is created when missing.
  // ":memory:" is refused (each connection would see its own database).
  std::string path;
  // How long a statement waits for a lock held by another connection or
  // process before failing with kUnavailable.
  int busy_timeout_ms = 5000;
  // Read-only connections for concurrent reads (>= 1).
  int reader_connections = 4;
  // false: synchronous=NORMAL — a commit survives a crash of the process,
  // and only the last commits may be lost on power loss or a kernel crash
  // (never corruption). true: synchronous=FULL — fsync on every commit,
  // survives power loss too, at the cost of one fsync per write.
  bool fsync_each_commit = false;
};

// Opens (creating and migrating when needed) the database at options.path.
// Errors: kInvalidArgument (bad options), kFailedPrecondition (schema newer
// than this binary, or not a wagate database), kDataLoss (not a database or
// corrupt), kUnavailable (cannot open, locked by another process).
base::Result<std::unique_ptr<Store>> Open(const Options& options);

}  // namespace store::sqlite
