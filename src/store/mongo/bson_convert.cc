#include "store/mongo/bson_convert.h"

#include <cstring>
#include <initializer_list>

namespace store::mongo {
namespace {

int Len(std::string_view s) { return static_cast<int>(s.size()); }

std::string String(const bson_iter_t& it) {
  if (!BSON_ITER_HOLDS_UTF8(&it)) return "";
  uint32_t len = 0;
  const char* s = bson_iter_utf8(&it, &len);
  return std::string(s, len);
}

// Any numeric type (hand-edited documents may hold int32 or double).
int64_t Int64(const bson_iter_t& it) {
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
    case BSON_TYPE_DOUBLE:
    case BSON_TYPE_BOOL:
      return bson_iter_as_int64(&it);
    case BSON_TYPE_DATE_TIME:
      return bson_iter_date_time(&it);
    default:
      return 0;
  }
}

bool Bool(const bson_iter_t& it) { return bson_iter_as_bool(&it); }

// The sub-document `it` points at, borrowed (valid while the parent lives).
bool SubDocument(const bson_iter_t& it, bson_t* out) {
  if (!BSON_ITER_HOLDS_DOCUMENT(&it)) return false;
  uint32_t len = 0;
  const uint8_t* data = nullptr;
  bson_iter_document(&it, &len, &data);
  return bson_init_static(out, data, len);
}

bool Is(const char* key, const char* name) { return std::strcmp(key, name) == 0; }

// Joins with '|', a backslash before each '|' and backslash inside a part,
// so that distinct keys never share an id.
std::string JoinId(std::initializer_list<std::string_view> parts) {
  std::string id;
  bool first = true;
  for (std::string_view part : parts) {
    if (!first) id += '|';
    first = false;
    for (char c : part) {
      if (c == '|' || c == '\\') id += '\\';
      id += c;
    }
  }
  return id;
}

}  // namespace

void AppendString(bson_t* doc, const char* key, std::string_view value) {
  bson_append_utf8(doc, key, -1, value.data(), Len(value));
}

void AppendMessageFields(bson_t* doc, const MessageRecord& m) {
  AppendString(doc, field::kJid, m.jid);
  AppendString(doc, field::kId, m.id);
  AppendString(doc, field::kSender, m.sender);
  BSON_APPEND_BOOL(doc, field::kFromMe, m.from_me);
  AppendString(doc, field::kType, m.type);
  AppendString(doc, field::kContent, m.content);
  AppendString(doc, field::kCaption, m.caption);
  AppendString(doc, field::kMimeType, m.mime_type);
  AppendString(doc, field::kFileName, m.file_name);
  BSON_APPEND_INT64(doc, field::kSize, m.size);
  BSON_APPEND_DATE_TIME(doc, field::kTimestamp, m.timestamp_ms);
  AppendString(doc, field::kStatus, m.status);
  AppendString(doc, field::kPushName, m.push_name);
  if (m.quoted_id) {
    AppendString(doc, field::kQuotedId, *m.quoted_id);
  } else {
    BSON_APPEND_NULL(doc, field::kQuotedId);
  }
  BSON_APPEND_INT64(doc, field::kSeq, m.seq);
}

BsonPtr MessageDocument(std::string_view instance, const MessageRecord& m) {
  BsonPtr doc = IdFilter(MessageId(instance, m.jid, m.id));
  AppendString(doc.get(), field::kInstance, instance);
  AppendMessageFields(doc.get(), m);
  return doc;
}

BsonPtr LastMessageDocument(const MessageRecord& m) {
  BsonPtr doc = NewBson();
  AppendMessageFields(doc.get(), m);
  return doc;
}

MessageRecord MessageFromBson(const bson_t& doc) {
  MessageRecord m;
  bson_iter_t it;
  if (!bson_iter_init(&it, &doc)) return m;
  while (bson_iter_next(&it)) {
    const char* key = bson_iter_key(&it);
    if (Is(key, field::kJid)) {
      m.jid = String(it);
    } else if (Is(key, field::kId)) {
      m.id = String(it);
    } else if (Is(key, field::kSender)) {
      m.sender = String(it);
    } else if (Is(key, field::kFromMe)) {
      m.from_me = Bool(it);
    } else if (Is(key, field::kType)) {
      m.type = String(it);
    } else if (Is(key, field::kContent)) {
      m.content = String(it);
    } else if (Is(key, field::kCaption)) {
      m.caption = String(it);
    } else if (Is(key, field::kMimeType)) {
      m.mime_type = String(it);
    } else if (Is(key, field::kFileName)) {
      m.file_name = String(it);
    } else if (Is(key, field::kSize)) {
      m.size = Int64(it);
    } else if (Is(key, field::kTimestamp)) {
      m.timestamp_ms = Int64(it);
    } else if (Is(key, field::kStatus)) {
      m.status = String(it);
    } else if (Is(key, field::kPushName)) {
      m.push_name = String(it);
    } else if (Is(key, field::kQuotedId)) {
      if (BSON_ITER_HOLDS_UTF8(&it)) m.quoted_id = String(it);
    } else if (Is(key, field::kSeq)) {
      m.seq = Int64(it);
    }
  }
  return m;
}

BsonPtr ChatDocument(std::string_view instance, const ChatRecord& chat) {
  BsonPtr doc = IdFilter(ChatId(instance, chat.jid));
  AppendString(doc.get(), field::kInstance, instance);
  AppendString(doc.get(), field::kJid, chat.jid);
  AppendString(doc.get(), field::kName, chat.name);
  BSON_APPEND_BOOL(doc.get(), field::kIsGroup, chat.is_group);
  BSON_APPEND_INT64(doc.get(), field::kUnreadCount, chat.unread_count);
  if (chat.last_message) {
    BsonPtr last = LastMessageDocument(*chat.last_message);
    BSON_APPEND_DOCUMENT(doc.get(), field::kLastMessage, last.get());
  }
  BSON_APPEND_DATE_TIME(doc.get(), field::kUpdatedAt, chat.updated_at_ms);
  return doc;
}

ChatRecord ChatFromBson(const bson_t& doc) {
  ChatRecord chat;
  bson_iter_t it;
  if (!bson_iter_init(&it, &doc)) return chat;
  while (bson_iter_next(&it)) {
    const char* key = bson_iter_key(&it);
    if (Is(key, field::kJid)) {
      chat.jid = String(it);
    } else if (Is(key, field::kName)) {
      chat.name = String(it);
    } else if (Is(key, field::kIsGroup)) {
      chat.is_group = Bool(it);
    } else if (Is(key, field::kUnreadCount)) {
      chat.unread_count = Int64(it);
    } else if (Is(key, field::kLastMessage)) {
      bson_t sub;
      if (SubDocument(it, &sub)) chat.last_message = MessageFromBson(sub);
    } else if (Is(key, field::kUpdatedAt)) {
      chat.updated_at_ms = Int64(it);
    }
  }
  return chat;
}

base::Result<BsonPtr> SessionDocument(const SessionRecord& session) {
  // "{}" is the contract's "no creds"; an empty text is read the same way.
  WAGATE_ASSIGN_OR_RETURN(BsonPtr creds,
                          JsonObjectToBson(session.creds.empty() ? "{}" : session.creds));
  BsonPtr doc = IdFilter(SessionId(session.instance));
  AppendString(doc.get(), field::kInstance, session.instance);
  BSON_APPEND_DOCUMENT(doc.get(), field::kCreds, creds.get());
  AppendString(doc.get(), field::kStatus, session.status);
  if (!session.me.empty()) {
    WAGATE_ASSIGN_OR_RETURN(BsonPtr me, JsonObjectToBson(session.me));
    BSON_APPEND_DOCUMENT(doc.get(), field::kMe, me.get());
  }
  BSON_APPEND_DATE_TIME(doc.get(), field::kUpdatedAt, session.updated_at_ms);
  return doc;
}

SessionRecord SessionFromBson(const bson_t& doc) {
  SessionRecord session;
  session.creds = "{}";
  bson_iter_t it;
  if (!bson_iter_init(&it, &doc)) return session;
  while (bson_iter_next(&it)) {
    const char* key = bson_iter_key(&it);
    bson_t sub;
    if (Is(key, field::kInstance)) {
      session.instance = String(it);
    } else if (Is(key, field::kCreds)) {
      if (SubDocument(it, &sub)) session.creds = BsonToJson(sub);
    } else if (Is(key, field::kStatus)) {
      session.status = String(it);
    } else if (Is(key, field::kMe)) {
      if (SubDocument(it, &sub)) session.me = BsonToJson(sub);
    } else if (Is(key, field::kUpdatedAt)) {
      session.updated_at_ms = Int64(it);
    }
  }
  return session;
}

BsonPtr KeyDocument(std::string_view instance, std::string_view type, std::string_view id,
                    std::string_view value) {
  BsonPtr doc = IdFilter(KeyId(instance, type, id));
  AppendString(doc.get(), field::kInstance, instance);
  AppendString(doc.get(), field::kType, type);
  AppendString(doc.get(), field::kId, id);
  bson_append_binary(doc.get(), field::kValue, -1, BSON_SUBTYPE_BINARY,
                     reinterpret_cast<const uint8_t*>(value.data()),
                     static_cast<uint32_t>(value.size()));
  return doc;
}

BsonPtr IdFilter(std::string_view id) {
  BsonPtr doc = NewBson();
  AppendString(doc.get(), "_id", id);
  return doc;
}

BsonPtr InstanceFilter(std::string_view instance) {
  BsonPtr doc = NewBson();
  AppendString(doc.get(), field::kInstance, instance);
  return doc;
}

std::string SessionId(std::string_view instance) { return JoinId({instance}); }

std::string KeyId(std::string_view instance, std::string_view type, std::string_view id) {
  return JoinId({instance, type, id});
}

std::string ChatId(std::string_view instance, std::string_view jid) {
  return JoinId({instance, jid});
}

std::string MessageId(std::string_view instance, std::string_view jid, std::string_view id) {
  return JoinId({instance, jid, id});
}

base::Result<BsonPtr> JsonObjectToBson(std::string_view json) {
  size_t start = json.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || json[start] != '{') {
    return base::InvalidArgument("mongo: parse JSON: not a JSON object");
  }
  bson_error_t error;
  BsonPtr doc(bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                 static_cast<ssize_t>(json.size()), &error));
  if (!doc) return base::InvalidArgument(std::string("mongo: parse JSON: ") + error.message);
  return doc;
}

std::string BsonToJson(const bson_t& doc) {
  size_t len = 0;
  char* json = bson_as_relaxed_extended_json(&doc, &len);
  if (json == nullptr) return "{}";
  std::string out(json, len);
  bson_free(json);
  return out;
}

}  // namespace store::mongo
