#include "store/sqlite/connection.h"

#include <chrono>
#include <thread>

namespace store::sqlite {
namespace {

// Attempts of BEGIN IMMEDIATE when SQLite still reports busy after its own
// busy timeout. Bounded: a writer in another process that never lets go
// must become an error, not a hang.
constexpr int kBeginAttempts = 3;
constexpr auto kBeginBackoff = std::chrono::milliseconds(20);

base::Code CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
      return base::Code::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return base::Code::kDataLoss;
    case SQLITE_FULL:
    case SQLITE_TOOBIG:
    case SQLITE_NOMEM:
      return base::Code::kResourceExhausted;
    case SQLITE_INTERRUPT:
      return base::Code::kCancelled;
    default:
      return base::Code::kInternal;
  }
}

}  // namespace

base::Status SqliteError(int rc, std::string_view what, std::string_view message) {
  std::string text = "sqlite: ";
  text += what;
  text += ": ";
  text += message;
  return base::Status(CodeFor(rc), std::move(text));
}

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode,
                                                           int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |=
      mode == Mode::kWriter ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    // Even a failed open may allocate a handle; it carries the message.
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return SqliteError(rc, "open " + path, message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (db_ == nullptr) return;
  for (auto& stmt : cache_) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
  }
  // Every statement is finalized above, so close_v2 closes at once.
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

base::Status Connection::Error(int rc, std::string_view what) const {
  // The handle's message belongs to its last call; a bind error (e.g. too
  // big) has no message there, so fall back to the code's description.
  const char* message =
      sqlite3_extended_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return SqliteError(rc, what, message);
}

base::Result<Stmt> Connection::Get(int query, std::string_view what) {
  sqlite3_stmt*& slot = cache_[static_cast<size_t>(query)];
  if (slot == nullptr) {
    std::string_view sql = QuerySql(query);
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
    if (rc != SQLITE_OK) {
      base::Status status = Error(rc, std::string("prepare ") + std::string(what));
      sqlite3_finalize(slot);
      slot = nullptr;
      return status;
    }
  }
  return Stmt(slot);
}

base::Status Connection::Exec(std::string_view sql, std::string_view what) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? base::Status::Ok() : Error(rc, what);
}

base::Result<std::string> Connection::QueryText(std::string_view sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return Error(rc, what);
  std::string value;
  rc = sqlite3_step(raw);
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    if (text != nullptr) value = text;
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  base::Status status = rc == SQLITE_OK ? base::Status::Ok() : Error(rc, what);
  sqlite3_finalize(raw);
  if (!status.ok()) return status;
  return value;
}

base::Result<int64_t> Connection::QueryInt(std::string_view sql, std::string_view what) {
  WAGATE_ASSIGN_OR_RETURN(std::string text, QueryText(sql, what));
  try {
    return static_cast<int64_t>(std::stoll(text));
  } catch (const std::exception&) {
    return base::Internal("sqlite: " + std::string(what) + ": not a number: " + text);
  }
}

int Connection::Step(int query, std::string_view what) {
  base::Result<Stmt> stmt = Get(query, what);
  if (!stmt.ok()) return sqlite3_extended_errcode(db_);
  int rc = stmt->Step();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

base::Status Connection::BeginImmediate(std::string_view what) {
  // Defensive: a transaction left open by an earlier failure (a ROLLBACK
  // that failed too) would make every later BEGIN fail.
  RollbackIfOpen();
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < kBeginAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kBeginBackoff * attempt);
    rc = Step(kBeginImmediate, what);
    if ((rc & 0xff) != SQLITE_BUSY) break;
  }
  if (rc == SQLITE_OK) return base::Status::Ok();
  return Error(rc, std::string(what) + ": begin");
}

base::Status Connection::BeginRead(std::string_view what) {
  int rc = Step(kBeginRead, what);
  return rc == SQLITE_OK ? base::Status::Ok() : Error(rc, std::string(what) + ": begin");
}

base::Status Connection::Commit(std::string_view what) {
  int rc = Step(kCommit, what);
  if (rc == SQLITE_OK) return base::Status::Ok();
  base::Status status = Error(rc, std::string(what) + ": commit");
  RollbackIfOpen();
  return status;
}

base::Status Connection::Savepoint(std::string_view what) {
  int rc = Step(kSavepoint, what);
  return rc == SQLITE_OK ? base::Status::Ok() : Error(rc, std::string(what) + ": savepoint");
}

base::Status Connection::ReleaseSavepoint(std::string_view what) {
  int rc = Step(kReleaseSavepoint, what);
  return rc == SQLITE_OK ? base::Status::Ok() : Error(rc, std::string(what) + ": release");
}

void Connection::RollbackToSavepoint() {
  // An error that rolled the whole transaction back leaves no savepoint;
  // the outer commit then fails, which is what the caller must see.
  if (db_ == nullptr || sqlite3_get_autocommit(db_) != 0) return;
  if (Step(kRollbackToSavepoint, "rollback to savepoint") == SQLITE_OK) {
    Step(kReleaseSavepoint, "release savepoint");
  }
}

void Connection::RollbackIfOpen() {
  // Some errors (SQLITE_FULL, IOERR) already rolled the transaction back;
  // a second ROLLBACK would only fail.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace store::sqlite
