// usync queries [whatsapp-protocol.md §8.7]: for each listed user, the
// protocols asked for in <query>: `devices` (device 0 plus every companion
// with its non-zero key-index — Baileys drops non-zero devices without one),
// `lid` (the user's LID, for PN users), `contact` (in/out). Unknown users get
// an empty device list. Sans-IO; thread safety as AccountStore.
#pragma once

#include <cstdint>

#include "sim/accounts.h"
#include "sim/stanza.h"

namespace sim {

// REQUIRES: iq.tag == "iq", xmlns='usync'. `now_s` is the key-index-list ts.
Node HandleUsyncIq(AccountStore& store, const Node& iq, int64_t now_s);

}  // namespace sim
