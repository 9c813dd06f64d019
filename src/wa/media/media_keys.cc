#include "wa/media/media_keys.h"

#include <algorithm>

#include "wa/crypto/hkdf_sha256.h"
#include "wa/crypto/secure_memory.h"

namespace wa::media {

std::string GenerateMediaKey(base::Random& random) { return random.Bytes(kMediaKeySize); }

base::Result<MediaKeys> MediaKeys::Derive(std::string_view media_key, MediaType type) {
  if (media_key.size() != kMediaKeySize) {
    return base::InvalidArgument("media key must be 32 bytes, got " +
                                 std::to_string(media_key.size()));
  }
  WAGATE_ASSIGN_OR_RETURN(
      std::string expanded,
      crypto::HkdfSha256(
          {.ikm = media_key, .info = HkdfInfo(type), .length = kExpandedMediaKeySize}));
  MediaKeys keys;
  std::copy(expanded.begin(), expanded.end(), keys.expanded_.begin());
  crypto::Wipe(expanded);
  return keys;
}

MediaKeys::~MediaKeys() { crypto::Wipe(expanded_.data(), expanded_.size()); }

}  // namespace wa::media
