// AES-256-CBC with PKCS#7 padding, one-shot and streaming.
//
// WhatsApp uses it for media files (then HMAC over iv ‖ ciphertext,
// [whatsapp-protocol.md §10.1]), Signal message bodies [§8.2] and app-state
// values. CBC alone is not authenticated: callers verify a MAC before they
// trust (or even unpad) a decryption — see wa/media/media_cipher.h.
//
// Errors: wrong key/IV length → kInvalidArgument; a ciphertext that is not a
// positive multiple of 16 bytes, or whose padding is malformed → kDataLoss;
// OpenSSL failures → kInternal.
// Thread safety: free functions from any thread; one AesCbcStream per thread.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

inline constexpr size_t kAesBlockSize = 16;
inline constexpr size_t kCbcIvSize = 16;

// The output is 1..16 bytes longer than the input (PKCS#7 always pads).
base::Result<std::string> AesCbcEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view plaintext);
base::Result<std::string> AesCbcDecrypt(std::string_view key, std::string_view iv,
                                        std::string_view ciphertext);

// Streaming CBC: feed any chunk sizes; output comes out in whole blocks.
// A decryptor holds the last block back until Finish, where it checks and
// removes the padding, so Update's output never includes padding bytes.
class AesCbcStream {
 public:
  static base::Result<AesCbcStream> Encryptor(std::string_view key, std::string_view iv);
  static base::Result<AesCbcStream> Decryptor(std::string_view key, std::string_view iv);

  // Appends to *out what is ready: at most in.size() + 16 bytes.
  base::Status Update(std::string_view in, std::string* out);
  // Appends the last block(s) (≤ 16 bytes). A second call is kFailedPrecondition.
  base::Status Finish(std::string* out);

 private:
  AesCbcStream(internal::CipherCtx ctx, bool encrypt) : ctx_(std::move(ctx)), encrypt_(encrypt) {}
  static base::Result<AesCbcStream> Create(std::string_view key, std::string_view iv, int enc);

  internal::CipherCtx ctx_;
  bool encrypt_;
  bool finished_ = false;
};

}  // namespace wa::crypto
