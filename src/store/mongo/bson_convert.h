// Records ↔ BSON documents of the mongo backend, and the document shapes
// (field names as the message and chat objects of api.md, camelCase):
//
//   messages  { _id, instanceName, jid, id, sender, fromMe, type, content, caption,
//               mimeType, fileName, size: int64, timestamp: date, status,
//               pushName, quotedId: string|null, seq: int64 }
//   chats     { _id, instanceName, jid, name, isGroup, unreadCount: int64,
//               lastMessage?: { the message fields, without instanceName },
//               updatedAt: date }
//   whatsapp_sessions { _id, instanceName, creds: document, status,
//               me?: document, updatedAt: date }
//   whatsapp_keys { _id, instanceName, type, id, value: binary (subtype 0) }
//
// with string _ids built from the unique keys (MessageId, ChatId, ... below).
// Readers are lenient (a missing field takes the record's default; any
// numeric type is accepted for numbers, and a number for a date) so that
// documents edited by hand in mongosh still load.
// Thread safety: pure functions.
#pragma once

#include <bson/bson.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/mongo/handles.h"
#include "store/records.h"

namespace store::mongo {

namespace field {
inline constexpr char kInstance[] = "instanceName";
inline constexpr char kJid[] = "jid";
inline constexpr char kId[] = "id";
inline constexpr char kSender[] = "sender";
inline constexpr char kFromMe[] = "fromMe";
inline constexpr char kType[] = "type";
inline constexpr char kContent[] = "content";
inline constexpr char kCaption[] = "caption";
inline constexpr char kMimeType[] = "mimeType";
inline constexpr char kFileName[] = "fileName";
inline constexpr char kSize[] = "size";
inline constexpr char kTimestamp[] = "timestamp";
inline constexpr char kStatus[] = "status";
inline constexpr char kPushName[] = "pushName";
inline constexpr char kQuotedId[] = "quotedId";
inline constexpr char kSeq[] = "seq";
inline constexpr char kName[] = "name";
inline constexpr char kIsGroup[] = "isGroup";
inline constexpr char kUnreadCount[] = "unreadCount";
inline constexpr char kLastMessage[] = "lastMessage";
inline constexpr char kUpdatedAt[] = "updatedAt";
inline constexpr char kCreds[] = "creds";
inline constexpr char kMe[] = "me";
inline constexpr char kValue[] = "value";
}  // namespace field

// Appends a UTF-8 string of any length (embedded NULs kept).
void AppendString(bson_t* doc, const char* key, std::string_view value);

// The message fields (no instanceName) into `doc`, seq included.
void AppendMessageFields(bson_t* doc, const MessageRecord& m);
// A document of the messages collection.
BsonPtr MessageDocument(std::string_view instance, const MessageRecord& m);
// The lastMessage sub-document of a chat.
BsonPtr LastMessageDocument(const MessageRecord& m);
MessageRecord MessageFromBson(const bson_t& doc);

BsonPtr ChatDocument(std::string_view instance, const ChatRecord& chat);
ChatRecord ChatFromBson(const bson_t& doc);

// kInvalidArgument when creds or me is not a JSON object.
base::Result<BsonPtr> SessionDocument(const SessionRecord& session);
SessionRecord SessionFromBson(const bson_t& doc);

BsonPtr KeyDocument(std::string_view instance, std::string_view type, std::string_view id,
                    std::string_view value);

// Document ids. Every document's _id is its unique key as a readable
// string, the parts joined by '|' (a backslash escapes '|' and backslash
// inside a part), e.g. "inst-a|15550100101@s.whatsapp.net|3EB0AA". MongoDB finds
// them through the _id index; FerretDB 1.x on SQLite can use an index only
// for a filter that is exactly {_id: <string>} (backends/sqlite
// collection.go Query) and scans the whole collection for any other filter,
// so point reads and unconditional writes filter on _id alone.
std::string SessionId(std::string_view instance);
std::string KeyId(std::string_view instance, std::string_view type, std::string_view id);
std::string ChatId(std::string_view instance, std::string_view jid);
std::string MessageId(std::string_view instance, std::string_view jid, std::string_view id);

// {_id: id}
BsonPtr IdFilter(std::string_view id);
// {instanceName: instance}
BsonPtr InstanceFilter(std::string_view instance);

// JSON object text → document. Keys starting with '$' are read as MongoDB
// Extended JSON ({"$numberLong": "1"} becomes an int64): MongoDB reserves
// them, so the protocol client must not use them in creds or me.
base::Result<BsonPtr> JsonObjectToBson(std::string_view json);
// Document → relaxed Extended JSON, which for the types JSON can express
// (strings, numbers, bools, null, objects, arrays) is plain JSON.
std::string BsonToJson(const bson_t& doc);

}  // namespace store::mongo
