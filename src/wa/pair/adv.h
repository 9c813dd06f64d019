// ADV ("account device verification"): the signed identity a primary device
// (the phone) gives a companion at pairing, and the companion's counter-
// signature [whatsapp-protocol.md §5.3, §5.4]. All three roles live here:
//
//   phone:      BuildDeviceIdentityHmac  → <pair-success><device-identity> bytes
//   companion:  ProcessDeviceIdentityHmac → checks HMAC and account signature,
//               adds the device signature, gives the <pair-device-sign> bytes
//   phone/server: VerifyDeviceIdentityReply → checks both signatures of them
//
// Signed messages [§5.3, §5.4]:
//   account signature = XEdDSA(A, 06 00 ‖ details ‖ IC)   (06 05 when deviceType is HOSTED)
//   device signature  = XEdDSA(IC, 06 01 ‖ details ‖ IC ‖ A.pub)  (Baileys always 06 01)
//   hmac              = HMAC-SHA256(adv secret, [06 05 if accountType HOSTED] ‖ signed identity)
// where A is the account (primary identity) key pair, IC the companion's
// identity key (raw 32 bytes) and details the serialized ADVDeviceIdentity.
//
// Errors: malformed protobufs, missing fields, wrong key or signature lengths
// → kInvalidArgument; an HMAC that does not match ("hmac-mismatch") or a
// signature that does not verify ("signature-mismatch") → kUnauthenticated,
// with the words whatsmeow puts in its <error text> [§5.4].
// Thread safety: pure functions (the Random is the caller's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"
#include "wa/proto/wa_adv.pb.h"

namespace wa::pair {

inline constexpr std::string_view kAccountSignaturePrefix{"\x06\x00", 2};
inline constexpr std::string_view kDeviceSignaturePrefix{"\x06\x01", 2};
inline constexpr std::string_view kHostedAccountSignaturePrefix{"\x06\x05", 2};
inline constexpr std::string_view kHostedDeviceSignaturePrefix{"\x06\x06", 2};

// The fields of ADVDeviceIdentity [§5.3 step 1].
struct DeviceIdentity {
  uint32_t raw_id = 0;
  uint64_t timestamp = 0;  // unix seconds
  // Baileys replies with key-index = keyIndex and crashes when it is absent;
  // it must also be the device's key-index in usync [§5.3, §8.7]. Use ≥ 1.
  uint32_t key_index = 0;
  proto::ADVEncryptionType account_type = proto::E2EE;
  proto::ADVEncryptionType device_type = proto::E2EE;

  friend bool operator==(const DeviceIdentity&, const DeviceIdentity&) = default;
};

// Phone side [§5.3 steps 1–4].
struct PhoneSignInput {
  const crypto::KeyPair& account;               // A: the primary's identity key pair
  const crypto::PublicKey& companion_identity;  // IC, from the QR or companion_finish
  std::string_view adv_secret;                  // 32 bytes, from the QR or §6.4
  DeviceIdentity identity;
};

// The serialized ADVSignedDeviceIdentityHMAC for <pair-success><device-identity>.
// REQUIRES: identity.key_index ≥ 1 and adv_secret of 32 bytes, else kInvalidArgument.
base::Result<std::string> BuildDeviceIdentityHmac(const PhoneSignInput& input,
                                                  base::Random& random);

// Companion side [§5.4].
struct CompanionPairing {
  // What Baileys stores as creds.account: details, account signature key,
  // account signature and the new device signature.
  proto::ADVSignedDeviceIdentity account;
  DeviceIdentity identity;  // decoded details
  // The same without accountSignatureKey, as Baileys sends it in
  // <pair-device-sign><device-identity key-index='identity.key_index'>.
  std::string reply_identity;
};

// Checks the HMAC with our adv secret (constant time) and the account
// signature, then signs with our identity key.
base::Result<CompanionPairing> ProcessDeviceIdentityHmac(std::string_view container,
                                                         std::string_view adv_secret,
                                                         const crypto::KeyPair& identity,
                                                         base::Random& random);

// Phone/server side of <pair-device-sign> [§5.4]: checks the account signature
// and the device signature with keys the phone already knows. An
// accountSignatureKey inside `signed_identity` (Baileys omits it) must equal
// `account_key`.
base::Result<DeviceIdentity> VerifyDeviceIdentityReply(std::string_view signed_identity,
                                                       const crypto::PublicKey& account_key,
                                                       const crypto::PublicKey& companion_identity);

}  // namespace wa::pair
