// AES-256-CTR with a 16-byte initial counter block (big-endian increment of
// the whole block, as OpenSSL and Node do). Encryption and decryption are the
// same operation. WhatsApp uses it to wrap the pairing-code ephemeral keys:
// AES-256-CTR(PBKDF2(code, salt), iv, key) [whatsapp-protocol.md §6.1, §6.3].
// Not authenticated. Errors: wrong key/IV length → kInvalidArgument.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::crypto {

inline constexpr size_t kCtrIvSize = 16;

base::Result<std::string> AesCtrEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view data);
inline base::Result<std::string> AesCtrDecrypt(std::string_view key, std::string_view iv,
                                               std::string_view data) {
  return AesCtrEncrypt(key, iv, data);
}

}  // namespace wa::crypto
