#include "store/sqlite/migrations.h"

#include <array>
#include <string>

namespace store::sqlite {
namespace {

// Version 1: the collections of api.md as tables. Design notes:
// - STRICT tables: a type slip in a bind is an error, not a silent coercion.
// - messages.seq is an AUTOINCREMENT rowid: SQLite never reuses or lowers it
//   (sqlite_sequence remembers the maximum even across deletes), which gives
//   the contract's "seq only grows" for every instance at once.
// - messages_by_time serves ListMessages in index order (no sort step); the
//   UNIQUE constraint doubles as the (instance, jid, id) lookup index.
// - chats.last_message is the JSON text of the message (see record_codec.h
//   for why not a JOIN); last_message_id mirrors its id so status updates can
//   refresh it with one UPDATE and without parsing JSON.
// - whatsapp_keys is WITHOUT ROWID: small rows fetched by their full key,
//   stored in the primary-key b-tree itself (one lookup, not two).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE whatsapp_sessions (
  instance_name TEXT PRIMARY KEY NOT NULL,
  creds TEXT NOT NULL,
  status TEXT NOT NULL,
  me TEXT,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE whatsapp_keys (
  instance_name TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (instance_name, type, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE chats (
  instance_name TEXT NOT NULL,
  jid TEXT NOT NULL,
  name TEXT NOT NULL,
  is_group INTEGER NOT NULL,
  unread_count INTEGER NOT NULL,
  last_message TEXT,
  last_message_id TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (instance_name, jid)
) STRICT;
CREATE INDEX chats_by_activity ON chats (instance_name, updated_at DESC, jid);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_name TEXT NOT NULL,
  jid TEXT NOT NULL,
  id TEXT NOT NULL,
  sender TEXT NOT NULL,
  from_me INTEGER NOT NULL,
  type TEXT NOT NULL,
  content TEXT NOT NULL,
  caption TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  status TEXT NOT NULL,
  push_name TEXT NOT NULL,
  quoted_id TEXT,
  UNIQUE (instance_name, jid, id)
) STRICT;
CREATE INDEX messages_by_time ON messages (instance_name, jid, timestamp DESC, seq DESC);

PRAGMA application_id = 1463895873;
)sql";
static_assert(kApplicationId == 1463895873);

// Version 2: the event log behind Socket.IO replay (store.h EventStore).
// - seq is per instance and must keep growing even when pruning removed
//   every event, so the last seq handed out lives in event_counters rather
//   than being derived from MAX(seq).
// - events is WITHOUT ROWID: rows are read in primary-key order
//   (instance_name, seq), which is exactly ListEventsAfter's range scan.
// - events_by_age serves pruning by age without a full scan.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE event_counters (
  instance_name TEXT PRIMARY KEY NOT NULL,
  last_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
  instance_name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (instance_name, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_by_age ON events (instance_name, created_at);
)sql";

constexpr std::array<Migration, 2> kSteps = {{
    {"initial schema", kSchemaV1},
    {"event log", kSchemaV2},
}};

}  // namespace

std::span<const Migration> SchemaMigrations() { return kSteps; }

base::Status Migrate(Connection& db, std::span<const Migration> steps) {
  const auto known = static_cast<int64_t>(steps.size());
  WAGATE_ASSIGN_OR_RETURN(int64_t app_id,
                          db.QueryInt("PRAGMA application_id", "read application_id"));
  if (app_id != 0 && app_id != kApplicationId) {
    return base::FailedPrecondition("sqlite: not a wagate database (application_id " +
                                    std::to_string(app_id) + ")");
  }
  for (;;) {
    // Version checks happen inside the write transaction: another process
    // opening the same file at the same time may have migrated already.
    WAGATE_RETURN_IF_ERROR(db.BeginImmediate("migrate"));
    auto version = db.QueryInt("PRAGMA user_version", "read user_version");
    if (!version.ok()) {
      db.RollbackIfOpen();
      return version.status();
    }
    if (*version == known) {
      db.RollbackIfOpen();
      return base::Status::Ok();
    }
    if (*version > known || *version < 0) {
      db.RollbackIfOpen();
      return base::FailedPrecondition(
          "sqlite: database schema version " + std::to_string(*version) +
          " is newer than this binary supports (" + std::to_string(known) +
          "); use a newer wagate or restore a backup");
    }
    if (*version == 0) {
      auto objects = db.QueryInt(
          "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'", "inspect schema");
      if (!objects.ok() || *objects != 0) {
        db.RollbackIfOpen();
        if (!objects.ok()) return objects.status();
        return base::FailedPrecondition(
            "sqlite: not a wagate database (tables exist but user_version is 0)");
      }
    }
    const Migration& step = steps[static_cast<size_t>(*version)];
    const int64_t next = *version + 1;
    const std::string what =
        "migrate to version " + std::to_string(next) + " (" + std::string(step.description) + ")";
    base::Status status = db.Exec(step.sql, what);
    if (status.ok()) {
      status = db.Exec("PRAGMA user_version = " + std::to_string(next), what);
    }
    if (status.ok()) status = db.Commit(what);
    if (!status.ok()) {
      db.RollbackIfOpen();
      return status;
    }
  }
}

}  // namespace store::sqlite
