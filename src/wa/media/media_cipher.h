// Media file encryption and decryption, streaming and one-shot
// [whatsapp-protocol.md §10.1]:
//   encrypted     = AES-256-CBC(cipherKey, iv, plaintext, PKCS#7) ‖ mac
//   mac           = HMAC-SHA256(macKey, iv ‖ ciphertext)[0:10]
//   fileSha256    = SHA-256(plaintext)
//   fileEncSha256 = SHA-256(ciphertext ‖ mac)     (also the upload token, §10.3)
//   fileLength    = plaintext length
//
// Streaming: feed chunks of any size to Update and get output back as it is
// ready, so a 100 MiB file never sits whole in memory; Finish returns the
// trailing bytes and the digest.
//
// TRUST RULE for MediaDecryptor: the bytes Update appends are UNVERIFIED —
// the MAC sits at the very end of the file and can only be checked by
// Finish. Write them somewhere the rest of the system cannot see (a temporary
// file next to the destination), and publish (rename) only after Finish
// returned ok; on any error delete the temporary file. Finish checks the MAC
// (constant time) before it looks at the padding, so a tampered file fails
// as a MAC mismatch and never as a padding error. DecryptMedia (one-shot)
// verifies the MAC before decrypting anything.
//
// Unlike Baileys, which never checks the MAC or hashes on download, we always
// check the MAC and, when the message supplied them, the hashes and length
// (whatsmeow does the same) [§10.1, §14.2].
//
// Errors: integrity failures (MAC, hashes, length, padding, a blob shorter
// than a MAC) → kDataLoss; use after Finish or after an error →
// kFailedPrecondition; OpenSSL failures → kInternal.
// Thread safety: an encryptor/decryptor is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/aes_cbc.h"
#include "wa/crypto/hash.h"
#include "wa/crypto/hmac.h"
#include "wa/media/fused_cipher.h"
#include "wa/media/media_keys.h"

namespace wa::media {

inline constexpr size_t kMediaMacSize = 10;

// What a media message carries about its file [§10.4].
struct MediaDigest {
  std::string file_sha256;      // 32 bytes
  std::string file_enc_sha256;  // 32 bytes
  uint64_t file_length = 0;     // plaintext bytes
};

// Values from the message to check a download against; unset ones are not
// checked. The MAC is always checked.
struct MediaExpectations {
  std::optional<std::string> file_sha256;
  std::optional<std::string> file_enc_sha256;
  std::optional<uint64_t> file_length;
};

class MediaEncryptor {
 public:
  static base::Result<MediaEncryptor> Create(const MediaKeys& keys);

  // Appends the ciphertext that is ready (whole AES blocks) to *out.
  base::Status Update(std::string_view plaintext, std::string* out);
  // Appends the last block and the 10-byte MAC; returns the digest.
  base::Result<MediaDigest> Finish(std::string* out);

 private:
  // The portable path: OpenSSL's CBC, HMAC and SHA-256, one pass each.
  struct Streams {
    crypto::AesCbcStream cbc;
    crypto::HmacSha256Stream mac;
    crypto::Sha256Stream plain_sha;
    crypto::Sha256Stream enc_sha;
  };
  explicit MediaEncryptor(Streams streams) : streams_(std::move(streams)) {}
  explicit MediaEncryptor(std::unique_ptr<internal::FusedEncryptor> fused)
      : fused_(std::move(fused)) {}
  base::Status Process(std::string_view plaintext, std::string* out);

  // Exactly one is set: fused_ on CPUs with AES-NI and SHA-NI (fused_cipher.h).
  std::optional<Streams> streams_;
  std::unique_ptr<internal::FusedEncryptor> fused_;
  uint64_t length_ = 0;
  bool done_ = false;
};

class MediaDecryptor {
 public:
  static base::Result<MediaDecryptor> Create(const MediaKeys& keys, MediaExpectations expect = {});

  // Appends UNVERIFIED plaintext to *out (see the trust rule above). Holds
  // back the last 10 input bytes (they may be the MAC) and the last block.
  base::Status Update(std::string_view encrypted, std::string* out);
  // Verifies everything, then appends the final plaintext bytes (≤ 15).
  // Only an ok result makes the whole output trustworthy.
  base::Result<MediaDigest> Finish(std::string* out);

 private:
  MediaDecryptor(crypto::AesCbcStream cbc, crypto::HmacSha256Stream mac,
                 crypto::Sha256Stream plain_sha, crypto::Sha256Stream enc_sha,
                 MediaExpectations expect)
      : cbc_(std::move(cbc)),
        mac_(std::move(mac)),
        plain_sha_(std::move(plain_sha)),
        enc_sha_(std::move(enc_sha)),
        expect_(std::move(expect)) {}
  base::Status Process(std::string_view ciphertext, std::string* out);
  base::Result<MediaDigest> Verify(std::string* out);

  crypto::AesCbcStream cbc_;
  // The hashes: OpenSSL's, or ni_'s when set (SHA-NI; fused_cipher.h).
  crypto::HmacSha256Stream mac_;
  crypto::Sha256Stream plain_sha_;
  crypto::Sha256Stream enc_sha_;
  std::unique_ptr<internal::NiMediaHashes> ni_;
  MediaExpectations expect_;
  std::string tail_;  // the last ≤ 10 input bytes, not yet known to be ciphertext
  uint64_t length_ = 0;
  bool done_ = false;
};

struct EncryptedMedia {
  std::string data;  // ciphertext ‖ mac: what is uploaded
  MediaDigest digest;
};

base::Result<EncryptedMedia> EncryptMedia(const MediaKeys& keys, std::string_view plaintext);
// Checks the MAC first, then decrypts; then the expectations.
base::Result<std::string> DecryptMedia(const MediaKeys& keys, std::string_view encrypted,
                                       const MediaExpectations& expect = {});

}  // namespace wa::media
