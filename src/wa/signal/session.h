// 1:1 Signal sessions [whatsapp-protocol.md §8.2]: build a session from a
// pre-key bundle (X3DH as initiator), encrypt to `pkmsg` (until the peer has
// answered) or `msg`, and decrypt both. Plaintexts here are the bytes
// libsignal sees — already padded (wa/signal/padding.h) for WhatsApp.
//
// Errors (wa/signal/errors.h has the full mapping):
//   no session for the address            → kNotFound
//   a message already decrypted (counter)  → kAlreadyExists ("Key used already"; Baileys nacks 487)
//   bad MAC, malformed or truncated bytes  → kDataLoss
//   a pre-key id we no longer have         → kNotFound
//   a bundle with a bad key or signature   → kInvalidArgument
//   a KeyValueStore failure                → its own Status, with context
// A failed decryption leaves the stored session unchanged (apart from the
// TOFU identity replacement a pkmsg triggers, see Decrypt).
// Thread safety: as the Stores (operations hold its Context lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/signal/address.h"
#include "wa/signal/stores.h"

namespace wa::signal {

// `<enc type>` values [§8.5].
enum class MessageType { kPreKey, kWhisper, kSenderKey };
std::string_view MessageTypeName(MessageType type);  // "pkmsg", "msg", "skmsg"
base::Result<MessageType> ParseMessageType(std::string_view name);

// A peer device's bundle as the pre-key fetch returns it [§8.8]. Public keys
// may be 32 raw bytes or 33 with the 05 prefix.
struct PreKeyBundle {
  uint32_t registration_id = 0;
  uint32_t device_id = 0;
  std::string identity_key;
  uint32_t signed_pre_key_id = 0;
  std::string signed_pre_key_public;
  std::string signed_pre_key_signature;  // 64 bytes
  std::optional<uint32_t> pre_key_id;    // absent when the server ran out
  std::string pre_key_public;
};

struct EncryptedMessage {
  MessageType type = MessageType::kWhisper;  // kPreKey or kWhisper
  std::string ciphertext;
};

// Builds a new outgoing session with `address` (replacing an open one, as
// libsignal and Baileys do) and stores it; the peer's identity is saved (TOFU).
// The signed pre-key signature is verified (Baileys skips it [§8.1]).
base::Status ProcessPreKeyBundle(Stores& stores, const Address& address,
                                 const PreKeyBundle& bundle);

base::Result<EncryptedMessage> Encrypt(Stores& stores, const Address& address,
                                       std::string_view plaintext);

// `type` is kPreKey or kWhisper. For a pkmsg whose identity key differs from
// the stored one, the old session is dropped and the new identity stored
// first, as Baileys does [§8.1, §11.1].
base::Result<std::string> Decrypt(Stores& stores, const Address& address, MessageType type,
                                  std::string_view ciphertext);

// The registration id the peer announced for the open session.
base::Result<uint32_t> RemoteRegistrationId(Stores& stores, const Address& address);

}  // namespace wa::signal
