// Creds: the long-lived secrets and identity of one linked (or linking)
// companion device [whatsapp-protocol.md §3.2, §5, §6, §8.1, §11.3]. Stored
// as one JSON object (SessionRecord::creds) and written, atomically, before
// anything relies on a change (persist, then use).
//
// One-time pre-keys are not in here: they live in the KeyStore (type
// "pre-key"), the counters below say which ids exist and which were uploaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/signal/keygen.h"

namespace wa::client {

// The linked account as the server named it at pairing.
struct Me {
  std::string jid;   // "15550100001:7@s.whatsapp.net" (with device)
  std::string lid;   // "100000000000001:7@lid", empty when the server gave none
  std::string name;  // push/business name, may be empty

  friend bool operator==(const Me&, const Me&) = default;
};

struct Creds {
  signal::KeyPairBytes noise_key;          // Noise static (§2.2), bound at pairing
  signal::KeyPairBytes pairing_ephemeral;  // pairing-code flow (§6)
  signal::KeyPairBytes identity;           // Signal identity
  signal::SignedPreKey signed_prekey;
  uint32_t registration_id = 0;
  std::string adv_secret;  // 32 bytes (QR) or derived (pairing code)
  // One-time pre-keys: ids [1, next_prekey_id) were generated and stored;
  // ids below first_unuploaded_prekey_id were uploaded.
  uint32_t next_prekey_id = 1;
  uint32_t first_unuploaded_prekey_id = 1;

  std::optional<Me> me;  // set once pair-success arrived (and, for a pairing
                         // code, provisionally with the phone number)
  std::string account;   // ADVSignedDeviceIdentity bytes incl. deviceSignature
  uint32_t key_index = 0;
  std::string platform;      // from pair-success <platform name>
  std::string pairing_code;  // the code shown, while a pairing-code link runs
  bool registered = false;   // true once pairing finished: log in, never register
  std::string routing_info;  // edge routing (§1.2), may be empty

  friend bool operator==(const Creds&, const Creds&) = default;
};

// Fresh creds for a new device: every key drawn from `random`.
base::Result<Creds> NewCreds(base::Random& random);

// JSON object text with every field (binary as base64). Stable field names:
// the stored form outlives versions.
std::string CredsToJson(const Creds& creds);
// kInvalidArgument naming the field when something is missing or malformed.
base::Result<Creds> CredsFromJson(std::string_view json);

// The JSON object text of `me` for SessionRecord::me and the API
// ({"jid","lid","name"}).
std::string MeToJson(const Me& me);

}  // namespace wa::client
