// Curve25519 keys and X25519 Diffie-Hellman (RFC 7748), over OpenSSL.
//
// Two wire forms of a public key exist and both are needed
// [whatsapp-protocol.md §2.1, §8.1]:
//   - raw, 32 bytes: Noise handshake, QR code, ClientPayload registration
//     data, <identity>/<key> nodes;
//   - Signal form, 33 bytes = 0x05 (the "DJB" key type) ‖ raw: inside
//     libsignal structures and messages, and what is signed when a signed
//     pre-key is signed (XEdDSA over 05 ‖ spk.pub).
// PublicKey stores the raw key and converts explicitly.
//
// Private keys are 32 bytes. Generate() draws them from the injected
// base::Random and clamps them (k[0] &= 248; k[31] &= 127; k[31] |= 64) exactly
// as libsignal, Baileys (via OpenSSL's keygen) and RFC 7748 §5 do. FromBytes()
// keeps imported bytes as they are: X25519 clamps internally, and signing
// clamps a copy (wa/crypto/xeddsa.h), so an unclamped import still works and
// exports byte-identical.
//
// Errors: wrong lengths or a missing 0x05 prefix → kInvalidArgument; a peer
// key whose shared secret is all zeros (a low-order point; OpenSSL and Node
// both refuse it) → kInvalidArgument; OpenSSL failures → kInternal.
// Thread safety: values; all functions are safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"

namespace wa::crypto {

inline constexpr size_t kCurve25519KeySize = 32;
inline constexpr size_t kSignalPublicKeySize = 33;
inline constexpr char kDjbKeyType = 0x05;  // libsignal's Curve25519 key type byte

class PublicKey {
 public:
  // 32 raw bytes.
  static base::Result<PublicKey> FromRaw(std::string_view raw);
  // 33 bytes starting with 0x05.
  static base::Result<PublicKey> FromSignal(std::string_view prefixed);
  // Either form (32, or 33 with 0x05), as libsignal-node accepts.
  static base::Result<PublicKey> Parse(std::string_view bytes);

  std::string_view raw() const { return {bytes_.data(), bytes_.size()}; }
  std::string Signal() const;  // 0x05 ‖ raw()

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  PublicKey() = default;
  std::array<char, kCurve25519KeySize> bytes_{};
};

class PrivateKey {
 public:
  // 32 random bytes, clamped.
  static PrivateKey Generate(base::Random& random);
  // 32 bytes, kept as given.
  static base::Result<PrivateKey> FromBytes(std::string_view raw);

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  ~PrivateKey();

  std::string_view bytes() const { return {bytes_.data(), bytes_.size()}; }
  // X25519(k, 9).
  base::Result<PublicKey> Public() const;

 private:
  PrivateKey() = default;
  std::array<char, kCurve25519KeySize> bytes_{};
};

struct KeyPair {
  PrivateKey private_key;
  PublicKey public_key;

  static base::Result<KeyPair> Generate(base::Random& random);
  static base::Result<KeyPair> FromPrivate(std::string_view raw_private);
};

// RFC 7748 §5 clamping of a 32-byte scalar, in place.
void ClampPrivateKey(char* key32);

// X25519(private, peer): the 32-byte shared secret.
base::Result<std::string> SharedSecret(const PrivateKey& private_key, const PublicKey& peer);

}  // namespace wa::crypto
