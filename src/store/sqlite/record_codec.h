// Records <-> SQLite rows, and the JSON form of chats.last_message.
//
// Why last_message is a JSON snapshot and not a JOIN on a last_message_seq:
// PutChat must round-trip any ChatRecord, including a last_message that was
// never stored as a message (or differs from the stored one), and the
// contract's "refresh" rules are about a snapshot. A JOIN cannot represent
// that. The cost is one small JSON parse per chat in ListChats/GetChat (a few
// microseconds); messages themselves are plain columns, so the hot read path
// (ListMessages) parses no JSON at all.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/records.h"
#include "store/sqlite/statement.h"

namespace store::sqlite {

// Reads the kMessageColumns of the current row.
MessageRecord MessageFromRow(const Stmt& row);
// Reads the kChatColumns of the current row (parses last_message).
base::Result<ChatRecord> ChatFromRow(const Stmt& row);

// Binds the message's fields as in the kInsertMessage statement (?4..?15);
// ?1..?3 (instance, jid, id) are bound by the caller.
void BindMessageBody(Stmt& stmt, const MessageRecord& m);

// Keys are the message object names of api.md, timestamp in epoch ms. Any
// bytes in strings round-trip (invalid UTF-8 is tolerated on parse).
std::string MessageToJson(const MessageRecord& m);
base::Result<MessageRecord> MessageFromJson(std::string_view json);

}  // namespace store::sqlite
