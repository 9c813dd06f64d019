// HKDF with SHA-256 (RFC 5869), over OpenSSL's EVP_KDF "HKDF".
//
// WhatsApp uses it everywhere: Noise MixKey/Split (salt = chaining key,
// info = "", 64 bytes) [whatsapp-protocol.md §2.1], media keys (no salt,
// info "WhatsApp <X> Keys", 112 bytes) [§10.1], pairing-code bundle key and
// adv_secret [§6.4], Signal's root/chain/message keys [§8.2].
// An empty salt means "not provided", which RFC 5869 §2.2 defines as HashLen
// zero bytes; the two give the same output. The output length is 1..8160
// (255 × 32) bytes; anything else is kInvalidArgument.
// (Named hkdf_sha256.h: libsignal's pkg-config puts its own hkdf.h on the
// global include path.)
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::crypto {

inline constexpr size_t kHkdfSha256MaxLength = 255 * 32;

// Call with designated initializers so salt and ikm cannot be swapped:
//   HkdfSha256({.ikm = media_key, .info = "WhatsApp Image Keys", .length = 112})
struct HkdfParams {
  std::string_view ikm;
  std::string_view salt;  // empty: not provided
  std::string_view info;
  size_t length = 0;
};

// Extract-then-expand.
base::Result<std::string> HkdfSha256(const HkdfParams& params);

// The two halves, for callers that keep the pseudo-random key (32 bytes).
base::Result<std::string> HkdfSha256Extract(std::string_view salt, std::string_view ikm);
// REQUIRES: prk is at least 32 bytes (RFC 5869 §2.3); else kInvalidArgument.
base::Result<std::string> HkdfSha256Expand(std::string_view prk, std::string_view info,
                                           size_t length);

}  // namespace wa::crypto
