// wa::signal::KeyValueStore — the only storage wa/signal needs: opaque
// values by (type, id), read and written in batches. wa/client bridges it to
// store::KeyStore (adding the instance); wa/signal never links store/.
//
// Types and ids follow Baileys' SignalDataTypeMap so a Baileys 7 auth state
// can be imported [whatsapp-protocol.md §11.2]:
//   "session"        "<name>.<device>"               libsignal session record
//   "identity-key"   "<name>.<device>"               33-byte identity key (05 ‖ key)
//   "pre-key"        decimal pre-key id ("5")        libsignal pre-key record
//   "signed-pre-key" decimal id ("1")                libsignal signed pre-key record
//                    (Baileys keeps its one signed pre-key in creds instead)
//   "sender-key"     "<group>::<name>::<device>"     libsignal sender-key record
// Values are libsignal-protocol-c's serialised records, not Baileys' JSON; an
// importer converts them (wa/client's job).
//
// Thread safety: implementations must be safe to call from any one thread at
// a time; wa::signal calls them under its Context lock.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wa::signal {

inline constexpr std::string_view kSessionType = "session";
inline constexpr std::string_view kIdentityKeyType = "identity-key";
inline constexpr std::string_view kPreKeyType = "pre-key";
inline constexpr std::string_view kSignedPreKeyType = "signed-pre-key";
inline constexpr std::string_view kSenderKeyType = "sender-key";

struct KeyWrite {
  std::string type;
  std::string id;
  std::optional<std::string> value;  // nullopt deletes
};

class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  // The values found among `ids`, keyed by id; missing ids are absent.
  virtual base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) = 0;
  // Applies every write, or none (as store::KeyStore::WriteKeys).
  virtual base::Status Write(const std::vector<KeyWrite>& writes) = 0;

  // One-key conveniences over the batch calls.
  base::Result<std::optional<std::string>> GetOne(std::string_view type, const std::string& id);
  base::Status Put(std::string_view type, std::string id, std::string value);
  base::Status Delete(std::string_view type, std::string id);
};

}  // namespace wa::signal
