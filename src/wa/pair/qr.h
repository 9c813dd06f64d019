// The QR string a companion shows for pairing, in Baileys 7.0.0-rc14's format
// [whatsapp-protocol.md §5.2]:
//
//   https://wa.me/settings/linked_devices#<ref>,<b64 noise pub>,<b64 identity pub>,<b64 adv
//   secret>,<platform id>
//
// Keys are raw 32-byte Curve25519 public keys, the adv secret is 32 bytes;
// all three are standard base64 with padding. The ref comes from one <ref> of
// the server's <pair-device> [§5.1]; the platform id is a CompanionWebClientType
// as a decimal string ("1" Chrome … "9" other web), whatsmeow also uses
// letters ("c" macOS, "e" Android).
//
// BuildQr never guesses: a ref with a comma (it would shift the fields) or an
// empty/odd platform id is kInvalidArgument. ParseQr is strict: the URL prefix,
// exactly five fields, canonical padded base64 and 32-byte keys are required;
// anything else is kInvalidArgument naming the field.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/curve25519.h"

namespace wa::pair {

inline constexpr std::string_view kQrPrefix = "https://wa.me/settings/linked_devices#";
inline constexpr size_t kAdvSecretSize = 32;
// CompanionWebClientType of Chrome, what Browsers.macOS('Chrome') gives [§5.2].
inline constexpr std::string_view kPlatformIdChrome = "1";

struct QrData {
  std::string ref;
  crypto::PublicKey noise_key;
  crypto::PublicKey identity_key;
  std::string adv_secret;  // 32 raw bytes (Baileys keeps it base64 in its creds)
  std::string platform_id;
};

base::Result<std::string> BuildQr(const QrData& data);
base::Result<QrData> ParseQr(std::string_view qr);

}  // namespace wa::pair
