// Key generation for a Signal identity [whatsapp-protocol.md §8.1]:
//   identity key pair   X25519 (public sent as 32 bytes, held as 05 ‖ key);
//   registration id     random, 14 bits (1..16380, as libsignal's
//                       generate_registration_id without extended range);
//   signed pre-key      X25519 + XEdDSA(identity.priv, 05 ‖ spk.pub), 64 bytes;
//   one-time pre-keys   X25519, 24-bit ids, sequential from a given start.
// Results are plain bytes so wa/client can upload them (§7 upload format is
// wa/client's) and store them (wa::signal::Stores::PutPreKeys & co.).
// Randomness comes from the injected base::Random only.
// Thread safety: pure functions (the Random must be safe for the caller).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/status.h"

namespace wa::signal {

inline constexpr uint32_t kMaxPreKeyId = 0xFFFFFF;  // 24-bit ids [§8.1]

struct KeyPairBytes {
  std::string public_key;   // 32 raw bytes (no 05 prefix)
  std::string private_key;  // 32 bytes, clamped

  friend bool operator==(const KeyPairBytes&, const KeyPairBytes&) = default;
};

struct SignedPreKey {
  uint32_t id = 0;
  KeyPairBytes key_pair;
  std::string signature;  // 64 bytes, over 05 ‖ key_pair.public_key

  friend bool operator==(const SignedPreKey&, const SignedPreKey&) = default;
};

struct PreKey {
  uint32_t id = 0;
  KeyPairBytes key_pair;
};

base::Result<KeyPairBytes> GenerateKeyPair(base::Random& random);
inline base::Result<KeyPairBytes> GenerateIdentityKeyPair(base::Random& random) {
  return GenerateKeyPair(random);
}
uint32_t GenerateRegistrationId(base::Random& random);

// REQUIRES: 1 <= id <= kMaxPreKeyId. identity.private_key: 32 bytes.
base::Result<SignedPreKey> GenerateSignedPreKey(const KeyPairBytes& identity, uint32_t id,
                                                base::Random& random);

// Ids start_id .. start_id + count - 1. REQUIRES: start_id >= 1 and the last id
// <= kMaxPreKeyId (kInvalidArgument otherwise).
base::Result<std::vector<PreKey>> GeneratePreKeys(uint32_t start_id, uint32_t count,
                                                  base::Random& random);

}  // namespace wa::signal
