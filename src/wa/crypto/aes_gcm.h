// AES-256-GCM with a 12-byte IV and the 16-byte tag appended to the
// ciphertext, as WhatsApp uses it: Noise handshake and transport frames
// [whatsapp-protocol.md §2.1, §2.4], the pairing-code key bundle [§6.4] and
// media-retry receipts [§10.4].
//
// Errors: wrong key/IV length → kInvalidArgument; a ciphertext shorter than
// the tag or whose tag does not verify → kDataLoss (no plaintext is returned);
// OpenSSL failures → kInternal.
// Thread safety: the free functions are safe from any thread. An AesGcm keeps
// the expanded key for many messages (one Noise direction) and is used by one
// thread at a time. OpenSSL wipes the key schedule when the object goes.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

inline constexpr size_t kAesKeySize = 32;
inline constexpr size_t kGcmIvSize = 12;
inline constexpr size_t kGcmTagSize = 16;

base::Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view plaintext, std::string_view aad);
// `ciphertext` ends with the 16-byte tag.
base::Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view iv,
                                        std::string_view ciphertext, std::string_view aad);

// One key, many messages: saves the key schedule per frame.
class AesGcm {
 public:
  static base::Result<AesGcm> Create(std::string_view key);

  // Returns ciphertext ‖ tag (plaintext.size() + 16 bytes).
  base::Result<std::string> Seal(std::string_view iv, std::string_view plaintext,
                                 std::string_view aad);
  // Verifies and strips the tag.
  base::Result<std::string> Open(std::string_view iv, std::string_view ciphertext,
                                 std::string_view aad);

 private:
  AesGcm(internal::CipherCtx enc, internal::CipherCtx dec)
      : enc_(std::move(enc)), dec_(std::move(dec)) {}
  internal::CipherCtx enc_;
  internal::CipherCtx dec_;
};

}  // namespace wa::crypto
