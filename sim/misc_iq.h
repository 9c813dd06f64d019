// The small iqs Baileys 7 sends around login [whatsapp-protocol.md §1.4,
// §7.2, §7.6]: `w:p` ping, `passive` active/passive, `abt` props, `blocklist`,
// `privacy` get (with the readreceipts category) and `privacy` tokens set,
// `w:profile:picture` (404: nobody has a picture), `w:stats`, dirty-bit clean.
// Sans-IO, stateless. Thread-safe.
#pragma once

#include <optional>

#include "sim/stanza.h"

namespace sim {

// The reply, or nullopt when the iq is not one of these (the caller answers 501).
std::optional<Node> HandleMiscIq(const Node& iq);

}  // namespace sim
