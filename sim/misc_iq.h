// The small iqs Baileys 7 sends around login [whatsapp-protocol.md §1.4,
// §7.2, §7.6]: `w:p` ping, `passive` active/passive, `abt` props, `blocklist`,
// `privacy` get (with the readreceipts category) and `privacy` tokens set,
// `w:profile:picture` (404: nobody has a picture), `w:stats`, dirty-bit clean.
// Sans-IO, stateless. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "sim/stanza.h"

namespace sim {

// The reply, or nullopt when the iq is not one of these (the caller answers 501).
std::optional<Node> HandleMiscIq(const Node& iq);

// <media_conn auth ttl auth_ttl max_buckets><host hostname='127.0.0.1:N'/>
// for `w:m` [§10.2]; `media_base_url` is "https://127.0.0.1:N".
Node MediaConnReply(const Node& iq, std::string_view media_base_url);

}  // namespace sim
