// HMAC-SHA256 (RFC 2104 / FIPS 198-1), one-shot and streaming, over OpenSSL's
// EVP_MAC. Any key length is accepted, including empty (RFC 2104 pads or
// hashes the key as needed). The tag is 32 bytes; WhatsApp truncates it in
// places (media: 10 bytes [whatsapp-protocol.md §10.1], Signal messages: 8
// bytes [§8.2]) — callers truncate, this layer never does.
// Errors: kInternal only when OpenSSL fails.
// Thread safety: free functions from any thread; one stream per thread.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

inline constexpr size_t kHmacSha256Size = 32;

base::Result<std::string> HmacSha256(std::string_view key, std::string_view data);

// Incremental HMAC-SHA256 for data that arrives in pieces (media files).
// The key is copied into OpenSSL's context, which wipes it when freed.
class HmacSha256Stream {
 public:
  static base::Result<HmacSha256Stream> Create(std::string_view key);

  base::Status Update(std::string_view data);
  // The 32-byte tag. A second call is kFailedPrecondition.
  base::Result<std::string> Finish();

 private:
  explicit HmacSha256Stream(internal::MacCtx ctx) : ctx_(std::move(ctx)) {}
  internal::MacCtx ctx_;
  bool finished_ = false;
};

}  // namespace wa::crypto
