// The SQL of every cached statement, by slot. A Connection prepares each slot
// once, on first use, and keeps it until it closes (see connection.h).
// Thread safety: the table is immutable after its first use (a function-local
// static), so any thread may read it.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace store::sqlite {

enum Query : int {
  kBeginImmediate,
  kBeginRead,
  kCommit,
  kSavepoint,
  kReleaseSavepoint,
  kRollbackToSavepoint,
  kPing,
  kGetSession,
  kPutSession,
  kDeleteSession,
  kPutKey,
  kDeleteKey,
  kDeleteAllKeys,
  kCountKeys,
  kListKeys,
  kGetMessage,
  kInsertMessage,
  kReplaceMessage,
  kListMessages,
  kUpdateStatus,
  kGetMessageBySeq,
  kRefreshLastMessage,
  kGetChat,
  kPutChat,
  kListChats,
  kMarkChatRead,
  kBumpEventSeq,
  kInsertEvent,
  kListEventsAfter,
  kPruneEventsUpTo,
  kPruneEventsOlder,
  kLastEventSeq,
  // GetKeys: one statement per bucket size of `id IN (?, ...)`; a call rounds
  // its chunk up to the next bucket and binds NULL to the spare slots (NULL
  // never matches), so a handful of cached statements serve every batch size.
  kGetKeysFirst,
  kQueryCount = kGetKeysFirst + 10,
};

inline constexpr std::array<int, 10> kGetKeysBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 500};
inline constexpr int kGetKeysMaxChunk = kGetKeysBuckets.back();
static_assert(kQueryCount - kGetKeysFirst == kGetKeysBuckets.size());

// The columns MessageFromRow (record_codec.h) reads, in this order.
inline constexpr std::string_view kMessageColumns =
    "seq, id, jid, sender, from_me, type, content, caption, mime_type, file_name, size, "
    "timestamp, status, push_name, quoted_id";

// The columns ChatFromRow reads, in this order.
inline constexpr std::string_view kChatColumns =
    "jid, name, is_group, unread_count, last_message, updated_at";

std::string_view QuerySql(int query);

}  // namespace store::sqlite
