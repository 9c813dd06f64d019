#include "store/sqlite/queries.h"

#include <string>

namespace store::sqlite {
namespace {

std::array<std::string, kQueryCount> BuildTable() {
  const std::string msg_cols(kMessageColumns);
  const std::string chat_cols(kChatColumns);
  std::array<std::string, kQueryCount> q;
  q[kBeginImmediate] = "BEGIN IMMEDIATE";
  q[kBeginRead] = "BEGIN";
  q[kCommit] = "COMMIT";
  // A write inside Store::InTransaction: undone alone when it fails.
  q[kSavepoint] = "SAVEPOINT nested_write";
  q[kReleaseSavepoint] = "RELEASE nested_write";
  q[kRollbackToSavepoint] = "ROLLBACK TO nested_write";
  // Touches the file (a read transaction on page 1), unlike "SELECT 1".
  q[kPing] = "SELECT count(*) FROM sqlite_schema";
  q[kGetSession] =
      "SELECT creds, status, me, updated_at FROM whatsapp_sessions WHERE instance_name = ?1";
  q[kPutSession] =
      "INSERT INTO whatsapp_sessions (instance_name, creds, status, me, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (instance_name) DO UPDATE SET "
      "creds = excluded.creds, status = excluded.status, me = excluded.me, "
      "updated_at = excluded.updated_at";
  q[kDeleteSession] = "DELETE FROM whatsapp_sessions WHERE instance_name = ?1";
  q[kPutKey] =
      "INSERT INTO whatsapp_keys (instance_name, type, id, value) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (instance_name, type, id) DO UPDATE SET value = excluded.value";
  q[kDeleteKey] = "DELETE FROM whatsapp_keys WHERE instance_name = ?1 AND type = ?2 AND id = ?3";
  q[kDeleteAllKeys] = "DELETE FROM whatsapp_keys WHERE instance_name = ?1";
  q[kCountKeys] = "SELECT count(*) FROM whatsapp_keys WHERE instance_name = ?1";
  q[kListKeys] =
      "SELECT id, value FROM whatsapp_keys WHERE instance_name = ?1 AND type = ?2 "
      "ORDER BY id LIMIT ?3";
  q[kGetMessage] =
      "SELECT " + msg_cols + " FROM messages WHERE instance_name = ?1 AND jid = ?2 AND id = ?3";
  q[kInsertMessage] =
      "INSERT INTO messages (instance_name, jid, id, sender, from_me, type, content, caption, "
      "mime_type, file_name, size, timestamp, status, push_name, quoted_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
      "ON CONFLICT (instance_name, jid, id) DO NOTHING";
  // Everything but the key, seq and status (see MessageStore::SaveMessage).
  q[kReplaceMessage] =
      "UPDATE messages SET sender = ?2, from_me = ?3, type = ?4, content = ?5, caption = ?6, "
      "mime_type = ?7, file_name = ?8, size = ?9, timestamp = ?10, push_name = ?11, "
      "quoted_id = ?12 WHERE seq = ?1";
  // Keyset pagination. `timestamp <= ?3` is the index range (the scan starts
  // at the cursor, whatever the page depth); the OR only drops the few rows
  // that share the cursor's timestamp and come at or before it. The first
  // page binds INT64_MAX twice. LIMIT is n + 1 to learn whether more follow.
  q[kListMessages] = "SELECT " + msg_cols +
                     " FROM messages WHERE instance_name = ?1 AND jid = ?2 AND timestamp <= ?3 "
                     "AND (timestamp < ?3 OR seq < ?4) ORDER BY timestamp DESC, seq DESC "
                     "LIMIT ?5";
  q[kUpdateStatus] =
      "UPDATE messages SET status = ?4 WHERE instance_name = ?1 AND jid = ?2 AND id = ?3 "
      "AND status IN (?5, ?6, ?7)";
  q[kGetMessageBySeq] = "SELECT " + msg_cols + " FROM messages WHERE seq = ?1";
  q[kRefreshLastMessage] =
      "UPDATE chats SET last_message = ?4 WHERE instance_name = ?1 AND jid = ?2 "
      "AND last_message_id = ?3";
  q[kGetChat] = "SELECT " + chat_cols + " FROM chats WHERE instance_name = ?1 AND jid = ?2";
  q[kPutChat] =
      "INSERT INTO chats (instance_name, jid, name, is_group, unread_count, last_message, "
      "last_message_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (instance_name, jid) DO UPDATE SET name = excluded.name, "
      "is_group = excluded.is_group, unread_count = excluded.unread_count, "
      "last_message = excluded.last_message, last_message_id = excluded.last_message_id, "
      "updated_at = excluded.updated_at";
  q[kListChats] = "SELECT " + chat_cols +
                  " FROM chats WHERE instance_name = ?1 ORDER BY updated_at DESC, jid ASC "
                  "LIMIT ?2 OFFSET ?3";
  q[kMarkChatRead] = "UPDATE chats SET unread_count = 0 WHERE instance_name = ?1 AND jid = ?2";
  q[kBumpEventSeq] =
      "INSERT INTO event_counters (instance_name, last_seq) VALUES (?1, 1) "
      "ON CONFLICT (instance_name) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq";
  q[kInsertEvent] =
      "INSERT INTO events (instance_name, seq, name, payload, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)";
  q[kListEventsAfter] =
      "SELECT seq, name, payload, created_at FROM events WHERE instance_name = ?1 AND seq > ?2 "
      "ORDER BY seq LIMIT ?3";
  q[kPruneEventsUpTo] = "DELETE FROM events WHERE instance_name = ?1 AND seq <= ?2";
  q[kPruneEventsOlder] = "DELETE FROM events WHERE instance_name = ?1 AND created_at < ?2";
  q[kLastEventSeq] = "SELECT last_seq FROM event_counters WHERE instance_name = ?1";
  for (size_t b = 0; b < kGetKeysBuckets.size(); ++b) {
    std::string sql =
        "SELECT id, value FROM whatsapp_keys WHERE instance_name = ?1 AND type = ?2 AND id IN (";
    for (int i = 0; i < kGetKeysBuckets[b]; ++i) {
      if (i > 0) sql += ", ";
      // Two appends, not "?" + std::to_string(): GCC 12 at -O3 reports a false
      // -Wrestrict on operator+(const char*, std::string&&) (GCC PR105651).
      sql += '?';
      sql += std::to_string(i + 3);
    }
    sql += ")";
    q[kGetKeysFirst + b] = std::move(sql);
  }
  return q;
}

}  // namespace

std::string_view QuerySql(int query) {
  static const std::array<std::string, kQueryCount> kTable = BuildTable();
  return kTable[static_cast<size_t>(query)];
}

}  // namespace store::sqlite
