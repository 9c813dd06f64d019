// The ClientPayload we send in ClientFinish [whatsapp-protocol.md §3]:
// registration (no creds yet registered: devicePairingData with our Signal
// identity, §3.2) or login (username + device of creds.me, passive, pull).
// We present ourselves as Baileys' default browser, Chrome on Mac OS, so the
// server and the phone see a familiar companion.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/client/creds.h"

namespace wa::client {

// Baileys 7.0.0-rc14's web version (§3.1) and what the phone shows.
inline constexpr char kWebVersion[] = "2.3000.1043857760";
inline constexpr char kBrowserOs[] = "Mac OS";
inline constexpr char kBrowserName[] = "Chrome";

// Serialized ClientPayload with devicePairingData.
base::Result<std::string> BuildRegistrationPayload(const Creds& creds, std::string_view push_name);
// Serialized login ClientPayload. kFailedPrecondition when creds.me is
// missing or its jid has no numeric user and device.
base::Result<std::string> BuildLoginPayload(const Creds& creds, std::string_view push_name);

}  // namespace wa::client
