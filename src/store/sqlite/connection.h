// Connection: one sqlite3 handle with its cache of prepared statements, and
// the translation of SQLite result codes into base::Status.
//
// Ownership: owns the handle and every statement it prepared; Close() (or the
// destructor) finalizes them and closes the handle.
// Thread safety: none. A Connection is opened in SQLite's multi-thread mode
// (SQLITE_OPEN_NOMUTEX: no per-call mutex inside SQLite), so exactly one
// thread may use it at a time; SqliteStore guarantees that (one writer under a
// mutex, readers leased from a pool).
#pragma once

#include <sqlite3.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/statement.h"

namespace store::sqlite {

// The Status for a failed SQLite call: "sqlite: <what>: <message>", with a
// code chosen by the primary result code (busy/locked/io -> kUnavailable,
// corrupt/notadb -> kDataLoss, full -> kResourceExhausted, else kInternal).
base::Status SqliteError(int rc, std::string_view what, std::string_view message);

class Connection {
 public:
  enum class Mode { kWriter, kReader };

  // Opens `path` (created if missing, for kWriter) and sets the busy timeout.
  // A reader is opened read-only, so a bug can never write through it.
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                        int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement of `query` (queries.h), prepared on first use.
  base::Result<Stmt> Get(int query, std::string_view what);

  // Runs one-off SQL (possibly several statements), e.g. PRAGMAs, DDL.
  base::Status Exec(std::string_view sql, std::string_view what);
  // Runs SQL returning one row, one column (PRAGMA user_version, ...).
  base::Result<std::string> QueryText(std::string_view sql, std::string_view what);
  base::Result<int64_t> QueryInt(std::string_view sql, std::string_view what);

  // Write transactions: BEGIN IMMEDIATE takes the write lock up front, so a
  // transaction never fails halfway with SQLITE_BUSY on its first write. The
  // busy timeout waits for another process's writer; a bounded number of
  // retries covers a busy handler giving up early (e.g. during WAL recovery).
  base::Status BeginImmediate(std::string_view what);
  // A read transaction: one snapshot across several statements.
  base::Status BeginRead(std::string_view what);
  base::Status Commit(std::string_view what);
  // Rolls back the open transaction, if any (after an error).
  void RollbackIfOpen();
  // A nested write inside an open transaction: Savepoint, then Release on
  // success or RollbackToSavepoint on failure (which also releases it).
  base::Status Savepoint(std::string_view what);
  base::Status ReleaseSavepoint(std::string_view what);
  void RollbackToSavepoint();

  // The error of the last failed call on this handle, with context.
  base::Status Error(int rc, std::string_view what) const;
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

  // Finalizes statements and closes the handle. The last connection to close
  // checkpoints the WAL into the database and removes it. Idempotent.
  void Close();

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  // Runs a cached statement without parameters or rows (BEGIN, COMMIT);
  // SQLITE_OK or the error code.
  int Step(int query, std::string_view what);

  sqlite3* db_;
  std::array<sqlite3_stmt*, kQueryCount> cache_{};
};

}  // namespace store::sqlite
