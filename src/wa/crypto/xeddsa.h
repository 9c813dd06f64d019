// Signal's Curve25519 signatures — what WhatsApp documentation (and ours)
// calls "XEdDSA": sign with an X25519 private key, verify with the X25519
// public key, 64-byte signatures [whatsapp-protocol.md §2.3, §5.3, §8.1].
//
// Used for: signed pre-keys (over 05 ‖ spk.pub), ADV account/device
// signatures (over 06 00|01 ‖ details ‖ keys), the Noise certificate chain.
//
// Scheme: the "curve25519_sign" construction libsignal-protocol-c
// (curve_calculate_signature) and libsignal-node (curve25519-js) implement:
// an Ed25519 signature made with the Montgomery private scalar, the Edwards
// sign bit of the public key carried in the top bit of S, and a nonce hashed
// from 64 random bytes. Verification converts the Montgomery key to Edwards
// form; it also accepts strict-XEdDSA signatures (sign bit 0). Signatures are
// randomised, so two signatures of one message differ; both verify everywhere.
// We call libsignal-protocol-c's exported curve25519_sign/curve25519_verify
// directly (they need no signal_context), with the randomness from the
// injected base::Random.
//
// Errors: a signature that is not 64 bytes → kInvalidArgument; one that does
// not verify → kUnauthenticated; an internal failure → kInternal.
// Thread safety: pure functions (the Random must be safe for the caller's use).
#pragma once

#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"

namespace wa::crypto {

inline constexpr size_t kSignatureSize = 64;

// The private key is clamped (a copy) before signing, as curve25519-js does,
// so imported unclamped keys sign correctly.
base::Result<std::string> XeddsaSign(const PrivateKey& key, std::string_view message,
                                     base::Random& random);

base::Status XeddsaVerify(const PublicKey& key, std::string_view message,
                          std::string_view signature);

}  // namespace wa::crypto
