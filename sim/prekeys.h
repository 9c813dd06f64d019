// The `encrypt` namespace [whatsapp-protocol.md §7.2, §8.8]: pre-key count
// (truthful, or Baileys uploads 812 keys on every login), upload (stored on
// the device), digest (the reply must contain <digest>) and bundle fetch
// (one bundle per requested device, consuming one-time pre-keys; the phone,
// device 0, answers with the ADV account key as identity).
// Sans-IO: decoded iq in, reply out. Thread safety: as AccountStore.
#pragma once

#include "sim/accounts.h"
#include "sim/stanza.h"

namespace sim {

// `self` is the requesting companion device. REQUIRES: iq.tag == "iq" and
// xmlns='encrypt'. Sets *changed when the store changed (the caller persists).
Node HandleEncryptIq(AccountStore& store, Device& self, const Node& iq, bool* changed);

// Upper bound of one-time pre-keys kept per device (Baileys uploads 812 at once).
inline constexpr size_t kMaxStoredPreKeys = 2000;

}  // namespace sim
