#include "api/dto.h"

#include <boost/json/parse.hpp>

#include "api/validate.h"
#include "base/clock.h"

namespace api {
namespace {

namespace json = boost::json;

std::string Field(std::string_view where, std::string_view name) {
  return std::string(where) + "." + std::string(name);
}

// Reads an optional string field; absent or null leaves `out` alone.
base::Status OptString(const json::object& o, std::string_view where, std::string_view name,
                       std::string& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return base::Status::Ok();
  if (!v->is_string()) return base::InvalidArgument(Field(where, name) + " must be a string");
  out = std::string(v->get_string());
  return base::Status::Ok();
}

base::Status ReqString(const json::object& o, std::string_view where, std::string_view name,
                       std::string& out) {
  WAGATE_RETURN_IF_ERROR(OptString(o, where, name, out));
  if (out.empty()) return base::InvalidArgument(Field(where, name) + " is required");
  return base::Status::Ok();
}

base::Status OptBool(const json::object& o, std::string_view where, std::string_view name,
                     bool& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return base::Status::Ok();
  if (!v->is_bool()) return base::InvalidArgument(Field(where, name) + " must be a boolean");
  out = v->get_bool();
  return base::Status::Ok();
}

base::Status OptNonNegative(const json::object& o, std::string_view where, std::string_view name,
                            int64_t& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return base::Status::Ok();
  if (v->is_int64() && v->get_int64() >= 0) {
    out = v->get_int64();
    return base::Status::Ok();
  }
  return base::InvalidArgument(Field(where, name) + " must be an integer >= 0");
}

}  // namespace

json::object SessionStateToJson(const service::SessionState& s) {
  json::object o;
  o["instanceName"] = s.instance;
  o["status"] = s.status;
  o["me"] = LinkedAccountToJson(s.me);
  if (s.last_disconnect) {
    json::object d;
    d["kind"] = s.last_disconnect->kind;
    d["reason"] = s.last_disconnect->reason;
    d["code"] = s.last_disconnect->code;
    d["date"] = base::FormatIso8601(s.last_disconnect->at_ms);
    o["lastDisconnect"] = std::move(d);
  } else {
    o["lastDisconnect"] = nullptr;
  }
  o["since"] = base::FormatIso8601(s.since_ms);
  return o;
}

bool IsMessageType(std::string_view type) {
  for (std::string_view t : {"text", "image", "video", "document", "audio", "sticker", "reaction",
                             "location", "contact", "undecryptable", "unknown"}) {
    if (t == type) return true;
  }
  return false;
}

Result<int64_t> TimeFromJson(const json::value& v, std::string_view field) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_string()) {
    auto t = base::ParseIso8601(std::string_view(v.get_string()));
    if (t.ok()) return *t;
  }
  return base::InvalidArgument(std::string(field) +
                               " must be an ISO-8601 time or epoch milliseconds");
}

Result<store::MessageRecord> MessageFromJson(const json::value& value, std::string_view where) {
  if (!value.is_object()) return base::InvalidArgument(std::string(where) + " must be an object");
  const json::object& o = value.get_object();
  store::MessageRecord m;
  WAGATE_RETURN_IF_ERROR(ReqString(o, where, "id", m.id));
  WAGATE_RETURN_IF_ERROR(ReqString(o, where, "jid", m.jid));
  if (!IsChatJid(m.jid)) {
    return base::InvalidArgument(Field(where, "jid") + " must be a chat JID, got \"" + m.jid +
                                 "\"");
  }
  WAGATE_RETURN_IF_ERROR(OptBool(o, where, "fromMe", m.from_me));
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "sender", m.sender));
  // In a one-to-one chat the other side wrote every message not from me; in
  // a group only the message can say who did. Our own JID is not known here.
  if (m.sender.empty() && !m.from_me) {
    if (m.jid.ends_with("@g.us")) {
      return base::InvalidArgument(Field(where, "sender") + " is required for group messages");
    }
    m.sender = m.jid;
  }
  m.type = "text";
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "type", m.type));
  if (!IsMessageType(m.type)) {
    return base::InvalidArgument(Field(where, "type") + " must be one of text, image, video, " +
                                 "document, audio, sticker, reaction, location, contact, " +
                                 "undecryptable, unknown; got \"" + m.type + "\"");
  }
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "content", m.content));
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "caption", m.caption));
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "mimeType", m.mime_type));
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "fileName", m.file_name));
  WAGATE_RETURN_IF_ERROR(OptNonNegative(o, where, "size", m.size));
  const json::value* ts = o.if_contains("timestamp");
  if (ts == nullptr || ts->is_null()) {
    return base::InvalidArgument(Field(where, "timestamp") + " is required");
  }
  WAGATE_ASSIGN_OR_RETURN(m.timestamp_ms, TimeFromJson(*ts, Field(where, "timestamp")));
  m.status = m.from_me ? "sent" : "delivered";
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "status", m.status));
  if (!store::IsKnownStatus(m.status)) {
    return base::InvalidArgument(Field(where, "status") +
                                 " must be one of pending, sent, delivered, read, failed; got \"" +
                                 m.status + "\"");
  }
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "pushName", m.push_name));
  std::string quoted;
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "quotedId", quoted));
  if (!quoted.empty()) m.quoted_id = quoted;
  return m;
}

Result<store::ChatRecord> ChatFromJson(const json::value& value, std::string_view where) {
  if (!value.is_object()) return base::InvalidArgument(std::string(where) + " must be an object");
  const json::object& o = value.get_object();
  store::ChatRecord c;
  WAGATE_RETURN_IF_ERROR(ReqString(o, where, "jid", c.jid));
  if (!IsChatJid(c.jid)) {
    return base::InvalidArgument(Field(where, "jid") + " must be a chat JID, got \"" + c.jid +
                                 "\"");
  }
  WAGATE_RETURN_IF_ERROR(OptString(o, where, "name", c.name));
  c.is_group = c.jid.ends_with("@g.us");
  WAGATE_RETURN_IF_ERROR(OptBool(o, where, "isGroup", c.is_group));
  WAGATE_RETURN_IF_ERROR(OptNonNegative(o, where, "unreadCount", c.unread_count));
  const json::value* last = o.if_contains("lastMessage");
  if (last != nullptr && !last->is_null()) {
    WAGATE_ASSIGN_OR_RETURN(c.last_message, MessageFromJson(*last, Field(where, "lastMessage")));
    if (c.last_message->jid != c.jid) {
      return base::InvalidArgument(Field(where, "lastMessage.jid") + " must equal " +
                                   Field(where, "jid"));
    }
    c.updated_at_ms = c.last_message->timestamp_ms;
  }
  const json::value* updated = o.if_contains("updatedAt");
  if (updated != nullptr && !updated->is_null()) {
    WAGATE_ASSIGN_OR_RETURN(c.updated_at_ms, TimeFromJson(*updated, Field(where, "updatedAt")));
  }
  return c;
}

}  // namespace api
