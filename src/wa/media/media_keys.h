// Media keys: the 32-byte mediaKey a message carries, expanded into the keys
// that encrypt and authenticate the file [whatsapp-protocol.md §10.1]:
//   expanded = HKDF-SHA256(ikm = mediaKey, salt = none,
//                          info = HkdfInfo(type), L = 112)
//   iv = [0:16], cipherKey = [16:48], macKey = [48:80], refKey = [80:112]
// (refKey is unused by WhatsApp Web and Baileys.)
// The expanded bytes are wiped when a MediaKeys goes away.
// Errors: a mediaKey that is not 32 bytes → kInvalidArgument.
// Thread safety: values; safe to share read-only.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/media/media_type.h"

namespace wa::media {

inline constexpr size_t kMediaKeySize = 32;
inline constexpr size_t kExpandedMediaKeySize = 112;

// 32 random bytes for a new upload.
std::string GenerateMediaKey(base::Random& random);

class MediaKeys {
 public:
  static base::Result<MediaKeys> Derive(std::string_view media_key, MediaType type);

  MediaKeys(const MediaKeys&) = default;
  MediaKeys& operator=(const MediaKeys&) = default;
  ~MediaKeys();

  std::string_view iv() const { return Slice(0, 16); }
  std::string_view cipher_key() const { return Slice(16, 32); }
  std::string_view mac_key() const { return Slice(48, 32); }
  std::string_view ref_key() const { return Slice(80, 32); }

 private:
  MediaKeys() = default;
  std::string_view Slice(size_t at, size_t n) const { return {expanded_.data() + at, n}; }
  std::array<char, kExpandedMediaKeySize> expanded_{};
};

}  // namespace wa::media
