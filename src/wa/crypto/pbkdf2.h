// PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2), over OpenSSL's EVP_KDF "PBKDF2".
//
// WhatsApp's pairing code wraps the companion's ephemeral key with
// AES-256-CTR under PBKDF2-HMAC-SHA256(code, salt, 2 << 16 = 131072
// iterations, 32 bytes) [whatsapp-protocol.md §6.1]. OpenSSL's SP 800-132
// lower bounds are switched off (they would reject the RFC test vectors, and
// the protocol fixes its own parameters); iterations must be ≥ 1 and the
// output 1..1024 bytes, else kInvalidArgument.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::crypto {

inline constexpr uint32_t kPairingCodeIterations = 2u << 16;  // [§6.1]

base::Result<std::string> Pbkdf2HmacSha256(std::string_view password, std::string_view salt,
                                           uint32_t iterations, size_t length);

}  // namespace wa::crypto
