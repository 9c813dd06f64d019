// Stmt: a prepared statement in use, borrowed from its Connection's cache.
//
// Ownership: the Connection owns (and finalizes) the sqlite3_stmt; a Stmt only
// borrows it for one use. Its destructor resets the statement, which ends any
// read transaction the statement opened (a forgotten reset would pin an old
// WAL snapshot and block checkpoints), and clears the bindings.
// Thread safety: none; a Stmt lives on the stack of the thread that holds its
// Connection.
// Binding copies nothing (SQLITE_STATIC), because per-call copies of message
// bodies are measurable on the read and write paths.
// REQUIRES: every bound string outlives the Stmt (or the next rebind).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace store::sqlite {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  // Parameters are 1-based, as in SQLite. A failed bind is remembered and
  // returned by the next Step(), so call sites stay linear.
  void Text(int i, std::string_view v) {
    // A null pointer would bind SQL NULL, not an empty string.
    Check(sqlite3_bind_text(stmt_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                            SQLITE_STATIC));
  }
  void Blob(int i, std::string_view v) {
    Check(sqlite3_bind_blob(stmt_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                            SQLITE_STATIC));
  }
  void Int(int i, int64_t v) { Check(sqlite3_bind_int64(stmt_, i, v)); }
  void Null(int i) { Check(sqlite3_bind_null(stmt_, i)); }
  void OptText(int i, const std::optional<std::string>& v) {
    if (v) {
      Text(i, *v);
    } else {
      Null(i);
    }
  }

  // SQLITE_ROW, SQLITE_DONE, or an (extended) error code.
  int Step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_); }

  // Column readers, 0-based. TEXT and BLOB keep embedded NULs and any bytes.
  std::string_view ColView(int c) const {
    // sqlite3_column_bytes must follow the pointer call (it may convert).
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
    int n = sqlite3_column_bytes(stmt_, c);
    return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(n));
  }
  std::string ColString(int c) const { return std::string(ColView(c)); }
  int64_t ColInt(int c) const { return sqlite3_column_int64(stmt_, c); }
  bool ColIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace store::sqlite
