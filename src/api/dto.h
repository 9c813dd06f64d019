// DTOs: the JSON shapes of api.md, to and from the store's records.
//
// Output conventions (documented in the OpenAPI description):
// - every field of the message and chat objects is always present;
// - times are ISO-8601 UTC strings with milliseconds;
// - optional text that is empty (caption, mimeType, fileName, pushName,
//   chat name) is null, never "", and an absent quotedId is null;
// - content is always a string (possibly "").
// Input (the import tool): the same field names; times are ISO-8601 strings
// or epoch milliseconds. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"
#include "service/objects.h"
#include "service/whatsapp_service.h"
#include "store/records.h"

namespace api {

using base::Result;

// The message, chat and account objects are shared with the events
// (service/objects.h).
using service::ChatToJson;
using service::LinkedAccountToJson;
using service::MessageToJson;
// { instanceName, status, me, lastDisconnect, since }
boost::json::object SessionStateToJson(const service::SessionState& state);

// Message types and statuses the API knows (api.md "Message object").
bool IsMessageType(std::string_view type);

// A message object as api.md shows it. Required: id, jid, timestamp.
// Defaults: fromMe = false; sender = jid for a message not from me in a
// one-to-one chat (required for one in a group; "" when fromMe, as our own
// JID is not known here); type = "text"; status = "sent" when fromMe else
// "delivered"; size = 0. seq is ignored (the store assigns it). Errors name
// the field: "message.timestamp must be ...".
Result<store::MessageRecord> MessageFromJson(const boost::json::value& value,
                                             std::string_view where = "message");
// A chat object. Required: jid. lastMessage may be absent or null;
// updatedAt defaults to lastMessage's timestamp, else 0.
Result<store::ChatRecord> ChatFromJson(const boost::json::value& value,
                                       std::string_view where = "chat");

// An ISO-8601 string or epoch milliseconds (an integer).
Result<int64_t> TimeFromJson(const boost::json::value& value, std::string_view field);

}  // namespace api
