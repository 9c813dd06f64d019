#include "service/objects.h"

#include <boost/json/parse.hpp>

#include "base/clock.h"

namespace service {
namespace json = boost::json;

// Pages of messages are the hot path (GET /whatsapp/messages/:jid): the
// objects are sized up front and built on the caller's storage (a monotonic
// arena per response), which removes most of the malloc/free per field.
json::object MessageToJson(const store::MessageRecord& m, json::storage_ptr sp) {
  json::object o(16, sp);
  auto text = [&](std::string_view s) { return json::value(json::string_view(s), sp); };
  auto text_or_null = [&](std::string_view s) {
    return s.empty() ? json::value(nullptr, sp) : text(s);
  };
  o.emplace("id", text(m.id));
  o.emplace("jid", text(m.jid));
  o.emplace("sender", text(m.sender));
  o.emplace("fromMe", m.from_me);
  o.emplace("type", text(m.type));
  o.emplace("content", text(m.content));
  o.emplace("caption", text_or_null(m.caption));
  o.emplace("mimeType", text_or_null(m.mime_type));
  o.emplace("fileName", text_or_null(m.file_name));
  o.emplace("size", m.size);
  o.emplace("timestamp", text(base::FormatIso8601(m.timestamp_ms)));
  o.emplace("status", text(m.status));
  o.emplace("pushName", text_or_null(m.push_name));
  o.emplace("quotedId", text_or_null(m.quoted_id ? std::string_view(*m.quoted_id) : ""));
  o.emplace("seq", m.seq);
  return o;
}

json::object ChatToJson(const store::ChatRecord& c, json::storage_ptr sp) {
  json::object o(8, sp);
  o.emplace("jid", json::value(json::string_view(c.jid), sp));
  o.emplace("name",
            c.name.empty() ? json::value(nullptr, sp) : json::value(json::string_view(c.name), sp));
  o.emplace("isGroup", c.is_group);
  o.emplace("unreadCount", c.unread_count);
  if (c.last_message) {
    o.emplace("lastMessage", MessageToJson(*c.last_message, sp));
  } else {
    o.emplace("lastMessage", nullptr);
  }
  o.emplace("updatedAt", json::value(json::string_view(base::FormatIso8601(c.updated_at_ms)), sp));
  return o;
}

json::value LinkedAccountToJson(std::string_view me_json) {
  // `me` is JSON text owned by the protocol client; anything unreadable is
  // shown as "not linked" rather than failing the status call.
  if (me_json.empty()) return nullptr;
  boost::system::error_code ec;
  json::value parsed = json::parse(me_json, ec);
  if (ec || !parsed.is_object()) return nullptr;
  return parsed;
}

}  // namespace service
