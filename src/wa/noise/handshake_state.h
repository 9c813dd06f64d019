// Noise SymmetricState for Noise_XX_25519_AESGCM_SHA256 as WhatsApp runs it
// [whatsapp-protocol.md §2.1]:
//   - the protocol name "Noise_XX_25519_AESGCM_SHA256\0\0\0\0" is exactly 32
//     bytes and is used directly as h (not hashed); ck = h;
//   - the prologue is the 4-byte WA header: h = SHA256(h ‖ 57 41 06 03);
//   - MixHash(x): h = SHA256(h ‖ x);
//   - MixKey(ikm): HKDF-SHA256(salt = ck, ikm, info = "", 64) → ck ‖ k; n = 0;
//   - EncryptAndHash(p): c = AES-256-GCM(k, iv = 00×8 ‖ u32be(n), aad = h, p)
//     ‖ tag; n++; MixHash(c). DecryptAndHash mixes the ciphertext likewise.
//     One counter n serves both directions within a key epoch (§2.2 step 4:
//     the client's static goes out with n = 1 after the certificate was
//     decrypted with n = 0 [§14.1 item 4]);
//   - Split(): HKDF(salt = ck, ikm = "", info = "", 64) → two 32-byte keys.
//
// Errors: EncryptAndHash/DecryptAndHash before the first MixKey →
// kFailedPrecondition (XX never does that); a ciphertext that does not
// authenticate → kDataLoss from AES-GCM (h is then left unchanged); the
// counter reaching 2^32 → kResourceExhausted.
// Thread safety: one object, one thread at a time. Key material is wiped on
// destruction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "wa/crypto/aes_gcm.h"
#include "wa/crypto/curve25519.h"

namespace wa::noise {

// 28 ASCII bytes + 4 zero bytes = 32 [§2.1; Baileys Defaults NOISE_MODE].
inline constexpr std::string_view kProtocolName{"Noise_XX_25519_AESGCM_SHA256\0\0\0\0", 32};

// Builds the 12-byte AES-GCM IV 00×8 ‖ u32be(counter) [§2.1, §2.4].
std::string NonceIv(uint32_t counter);

class SymmetricState {
 public:
  // h = ck = kProtocolName, then MixHash(prologue).
  static base::Result<SymmetricState> Create(std::string_view prologue);

  SymmetricState(SymmetricState&&) = default;
  SymmetricState& operator=(SymmetricState&&) = default;
  ~SymmetricState();

  base::Status MixHash(std::string_view data);
  base::Status MixKey(std::string_view input_key_material);
  base::Result<std::string> EncryptAndHash(std::string_view plaintext);
  base::Result<std::string> DecryptAndHash(std::string_view ciphertext);

  // The two transport keys (first, second). The initiator writes with first.
  base::Result<std::pair<std::string, std::string>> Split() const;

  const std::string& h() const { return h_; }
  uint64_t n() const { return n_; }

 private:
  SymmetricState() = default;
  std::string h_;
  std::string ck_;
  std::optional<crypto::AesGcm> cipher_;  // nullopt until the first MixKey
  uint64_t n_ = 0;
};

// Shared by Initiator and Responder.
// An X25519 public key encrypted in a handshake message: key ‖ GCM tag.
inline constexpr size_t kEncryptedKeySize = crypto::kCurve25519KeySize + crypto::kGcmTagSize;

// The Status for a role's step called out of order, or after a failed one.
// `Step` is the role's step enum, which has a kFailed value.
template <typename Step>
base::Status OutOfOrder(Step step, const char* what) {
  if (step == Step::kFailed) {
    return base::FailedPrecondition(std::string("noise: ") + what + ": handshake failed earlier");
  }
  return base::FailedPrecondition(std::string("noise: ") + what + ": called out of order");
}

}  // namespace wa::noise
