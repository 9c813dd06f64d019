// Input validation shared by the REST routes (and the import tool): phone
// numbers and JIDs, integer query parameters, and message-page cursors.
// Pure functions; thread-safe. Error messages are written for the API user
// and name the field ("limit must be an integer between 1 and 500").
//
// JID rules (until wa/types exists, this file is the one definition):
//   <user>@s.whatsapp.net   user = 1-20 digits (a phone number, or a service
//                           account such as 0@s.whatsapp.net)
//   <user>@lid              user = 1-20 digits (a LID)
//   <id>@g.us               id = 1-20 digits, or <digits>-<digits> (the old
//                           "creator-timestamp" group ids)
// Device-qualified JIDs (user:device@…) and agents are refused: a chat is
// addressed by its bare JID. Domains are matched exactly (lower case).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/records.h"

namespace api {

using base::Result;

// True for a bare chat JID as described above.
bool IsChatJid(std::string_view jid);

// `to` of a send: a phone number with country code (spaces, dashes and a
// leading + are tolerated and stripped; 7-15 digits remain) becomes
// "<digits>@s.whatsapp.net"; a chat JID is returned unchanged.
Result<std::string> NormalizeRecipient(std::string_view to);

// A phone number for pairing by code: the same tolerance, digits only out.
Result<std::string> NormalizePhoneNumber(std::string_view phone, std::string_view field);

// The :jid path parameter (already percent-decoded by the router).
Result<std::string> ValidateChatJidParam(std::string_view jid);

// An integer query parameter: `raw` absent → `fallback`; present, it must be
// a base-10 integer in [min, max] ("limit must be an integer between 1 and
// 500, got \"x\"").
Result<int> ParseIntParam(std::string_view name, std::optional<std::string_view> raw, int fallback,
                          int min, int max);

// Message-page cursors are opaque to clients: base64url of "v1.<ts>.<seq>".
// The version prefix lets the encoding change without breaking old cursors.
std::string EncodeCursor(const store::MessageCursor& cursor);
// Only the exact text EncodeCursor produces is accepted.
Result<store::MessageCursor> DecodeCursor(std::string_view text);

}  // namespace api
