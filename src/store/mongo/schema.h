// The collections of the mongo backend (names from the seed design, see
// api.md "Storage") and the indexes Open() makes sure exist.
// Thread safety: EnsureIndexes uses only the lease it is given.
#pragma once

#include "base/status.h"
#include "store/mongo/client_pool.h"

namespace store::mongo {

inline constexpr char kSessions[] = "whatsapp_sessions";
inline constexpr char kKeys[] = "whatsapp_keys";
inline constexpr char kChats[] = "chats";
inline constexpr char kMessages[] = "messages";
// One document per instance, {_id: <instance>, seq: int64}: the last seq
// handed out (see SaveMessage).
inline constexpr char kCounters[] = "counters";
// The event log (mongo_events.cc); its seq counter is {_id: "events|<instance>"}
// in kCounters.
inline constexpr char kEvents[] = "events";

// Creates the unique keys of api.md and the indexes behind ListChats and
// ListMessages. Existing identical indexes are fine (createIndexes is
// idempotent); an index of the same name with other options is an error.
base::Status EnsureIndexes(const ClientPool::Lease& lease);

}  // namespace store::mongo
