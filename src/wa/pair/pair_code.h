// Pairing-code ("link with phone number") crypto [whatsapp-protocol.md §6],
// for both ends: the companion (us as a client) and the phone (our simulator).
//
//   companion                               phone
//   code = 8 chars; wrapped EC.pub   ──►    BuildPrimaryHello: unwrap EC.pub,
//     (companion_hello, §6.1)                 new EP, wrap EP.pub (primary_hello, §6.3)
//   BuildCompanionFinish: unwrap EP.pub, ◄──
//     key bundle, adv secret         ──►    ProcessCompanionFinish: same adv secret (§6.5)
//
// Wrapping [§6.1]: salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2-HMAC-SHA256(code,
// salt, 131072, 32), iv, public key 32) = 80 bytes.
// Key bundle [§6.4]: bundleSalt(32) ‖ nonce(12) ‖ AES-256-GCM(HKDF(S1,
// bundleSalt, "link_code_pairing_key_bundle_encryption_key"), nonce, no aad,
// IC ‖ A.pub ‖ random(32)) = 156 bytes, with S1 = X25519 of the two ephemerals.
// adv secret = HKDF(S1 ‖ S2 ‖ random, no salt, "adv_secret", 32), S2 = X25519(IC, A).
//
// Errors: a code that is not 8 characters, wrong sizes → kInvalidArgument; a
// key bundle that does not decrypt (wrong code, tampering) → kDataLoss from
// AES-GCM; identity keys in the bundle that are not the expected ones →
// kUnauthenticated. A wrong code cannot be noticed while unwrapping (CTR has
// no tag): it yields a different key and the bundle then fails to open.
// Thread safety: pure functions (the Random is the caller's).
#pragma once

#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"

namespace wa::pair {

// Crockford-style base32 without 0, I, O, U [§6.1].
inline constexpr std::string_view kPairingCodeAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
inline constexpr size_t kPairingCodeLength = 8;
inline constexpr size_t kWrappedKeySize = 32 + 16 + 32;
inline constexpr size_t kKeyBundleSize = 32 + 12 + 96 + 16;
inline constexpr std::string_view kKeyBundleInfo = "link_code_pairing_key_bundle_encryption_key";
inline constexpr std::string_view kAdvSecretInfo = "adv_secret";

// 8 characters from 5 random bytes, as Baileys' bytesToCrockford does [§6.1].
std::string GeneratePairingCode(base::Random& random);

// PBKDF2-HMAC-SHA256(code, salt, 2 << 16, 32) [§6.1]. The code is used as
// given (8 characters, no dash); Baileys does not check custom codes against
// the alphabet and neither do we.
base::Result<std::string> DerivePairingCodeKey(std::string_view code, std::string_view salt);

// salt ‖ iv ‖ AES-CTR(key) with a fresh salt and iv.
base::Result<std::string> WrapEphemeralKey(std::string_view code, const crypto::PublicKey& key,
                                           base::Random& random);
base::Result<crypto::PublicKey> UnwrapEphemeralKey(std::string_view code, std::string_view wrapped);

// Phone, on companion_hello [§6.3].
struct PrimaryHello {
  crypto::PublicKey companion_ephemeral;  // EC, unwrapped
  crypto::KeyPair primary_ephemeral;      // EP, new; keep it for ProcessCompanionFinish
  std::string wrapped_primary_ephemeral;  // <link_code_pairing_wrapped_primary_ephemeral_pub>
};
base::Result<PrimaryHello> BuildPrimaryHello(std::string_view code,
                                             std::string_view wrapped_companion_ephemeral,
                                             base::Random& random);

// Companion, on primary_hello [§6.4].
struct CompanionFinishInput {
  std::string_view code;
  const crypto::KeyPair& pairing_ephemeral;  // EC (creds.pairingEphemeralKeyPair)
  const crypto::KeyPair& identity;           // IC (creds.signedIdentityKey)
  std::string_view wrapped_primary_ephemeral;
  const crypto::PublicKey& primary_identity;  // A.pub, <primary_identity_pub>
};
struct CompanionFinish {
  std::string wrapped_key_bundle;  // <link_code_pairing_wrapped_key_bundle>, 156 bytes
  std::string adv_secret;          // 32 bytes; the key of the pair-success HMAC
};
base::Result<CompanionFinish> BuildCompanionFinish(const CompanionFinishInput& input,
                                                   base::Random& random);

// Phone, on companion_finish [§6.5]. Returns the adv secret (32 bytes); then
// pairing continues as for a QR (wa/pair/adv.h).
struct PhoneFinishInput {
  const crypto::KeyPair& primary_ephemeral;      // EP from BuildPrimaryHello
  const crypto::KeyPair& account;                // A
  const crypto::PublicKey& companion_ephemeral;  // EC from BuildPrimaryHello
  std::string_view wrapped_key_bundle;
  const crypto::PublicKey& companion_identity;  // <companion_identity_public>
};
base::Result<std::string> ProcessCompanionFinish(const PhoneFinishInput& input);

}  // namespace wa::pair
