// The simulator's world state: accounts (phone numbers) with their simulated
// primary phone (device 0, which holds real Signal keys: its identity is the
// ADV account key [whatsapp-protocol.md §5.3]) and their linked companion
// devices (ids 1, 2, … with a key index, §8.7), plus a LID per account.
//
// Persistence: when a file path is given, every mutation the caller commits
// with Save() is written as one JSON document (tmp file + rename, so a crash
// never leaves half a file). Bytes are hex in the file.
//
// Thread safety: none. The simulator runs every protocol and admin handler on
// one io_context thread, so the store is only touched from there.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"
#include "wa/signal/keygen.h"
#include "wa/types/jid.h"

namespace sim {

// The public half of a signed pre-key, as a bundle carries it (§8.8).
struct SignedPreKeyPublic {
  uint32_t id = 0;
  std::string public_key;  // 32 raw bytes
  std::string signature;   // 64 bytes
};

// A linked companion device. Only public keys: the companion keeps its secrets.
struct Device {
  uint16_t id = 0;
  uint32_t key_index = 0;    // ADVDeviceIdentity.keyIndex, also usync key-index
  std::string noise_key;     // 32 raw bytes, bound at pairing (§2.2)
  std::string identity_key;  // 32 raw bytes (eIdent)
  uint32_t registration_id = 0;
  SignedPreKeyPublic signed_prekey;
  std::map<uint32_t, std::string> prekeys;  // one-time pre-keys: id → 32-byte public
  std::string platform;                     // companion platform id or display name
  int64_t linked_at_ms = 0;
};

// The simulated primary phone: device 0 with real key pairs.
struct Phone {
  wa::signal::KeyPairBytes account_key;  // identity = ADV account key
  uint32_t registration_id = 0;
  wa::signal::SignedPreKey signed_prekey;
  std::vector<wa::signal::PreKey> prekeys;  // one-time, consumed from the front
  uint32_t next_prekey_id = 1;
};

struct Account {
  std::string phone;  // digits only, e.g. 15550100001
  std::string name;
  std::string lid;  // LID user, e.g. 100000000000001
  Phone primary;
  std::map<uint16_t, Device> devices;  // companions, by device id
  uint16_t next_device_id = 1;
  uint32_t next_key_index = 1;

  wa::Jid PnJid() const { return wa::Jid(phone, std::string(wa::kUserServer)); }
  wa::Jid LidJid() const { return wa::Jid(lid, std::string(wa::kLidServer)); }
};

// REQUIRES for phone numbers everywhere: 8..15 ASCII digits (E.164 without +).
bool IsValidPhone(std::string_view phone);

class AccountStore {
 public:
  // `path` empty: in memory only. Otherwise Load() reads it when it exists.
  AccountStore(std::string path, base::Random& random);

  // Reads the file if there is one; a missing file is an empty world.
  // kDataLoss when the file exists but cannot be parsed.
  base::Status Load();
  // Writes the whole world (no-op in memory). kUnavailable on I/O errors.
  base::Status Save() const;

  // Creates the account with fresh primary keys and the next LID; an existing
  // phone is returned as is (idempotent; the name is kept).
  // kInvalidArgument for a bad phone number.
  base::Result<Account*> CreateAccount(std::string_view phone, std::string_view name);

  Account* FindByPhone(std::string_view phone);
  Account* FindByLid(std::string_view lid);
  // PN or LID user JID (device ignored).
  Account* FindByJid(const wa::Jid& jid);
  std::vector<const Account*> List() const;

  // Pops the primary's next one-time pre-key (nullopt when exhausted).
  static std::optional<wa::signal::PreKey> TakePrimaryPreKey(Account& account);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  base::Random& random_;
  std::map<std::string, Account, std::less<>> accounts_;  // by phone
  uint64_t next_lid_ = 1;
};

// One-time pre-keys a new phone gets; Baileys' peers consume one per session.
inline constexpr uint32_t kPrimaryPreKeys = 100;
// LIDs are 100000000000000 + n (15 digits, n from 1), like the examples in
// whatsapp-protocol.md.
inline constexpr uint64_t kLidBase = 100000000000000ULL;

}  // namespace sim
