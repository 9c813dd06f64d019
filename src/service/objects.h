// The message, chat and linked-account objects of api.md, as JSON: one
// shape for the REST answers (api/) and the Socket.IO events (EventBus
// payloads). Conventions (documented in the OpenAPI description):
// - every field of the message and chat objects is always present;
// - times are ISO-8601 UTC strings with milliseconds;
// - optional text that is empty (caption, mimeType, fileName, pushName,
//   chat name) is null, never "", and an absent quotedId is null;
// - content is always a string (possibly "").
// Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

#include "store/records.h"

namespace service {

// `sp`: where the result is allocated (default: the heap).
boost::json::object MessageToJson(const store::MessageRecord& message,
                                  boost::json::storage_ptr sp = {});
boost::json::object ChatToJson(const store::ChatRecord& chat, boost::json::storage_ptr sp = {});
// The linked account, from the JSON text the protocol client stores
// ({jid, lid, name}); null when empty or unreadable.
boost::json::value LinkedAccountToJson(std::string_view me_json);

}  // namespace service
