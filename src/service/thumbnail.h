// Thumbnails for outgoing image messages: WhatsApp shows the message's
// `jpegThumbnail` (a small JPEG inside the message) until the full image
// is downloaded. Decoded and scaled with stb (Debian libstb): JPEG, PNG,
// GIF (first frame), BMP, PNM. Pure functions; blocking. Videos:
// video_thumbnail.h (a frame from ffmpeg, then the in-memory path here).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace service {

struct Thumbnail {
  std::string jpeg;
  uint32_t width = 0;   // of the full image
  uint32_t height = 0;  // of the full image
};

// Images larger than this many pixels are not decoded (decompression bombs).
inline constexpr uint64_t kMaxThumbnailSourcePixels = 40'000'000;

// A JPEG whose longer side is `max_side` pixels. kInvalidArgument when the
// file is not a decodable image or is too large to decode.
base::Result<Thumbnail> MakeImageThumbnail(const std::string& path, int max_side = 72);

// The same from an encoded image in memory (a frame ffmpeg wrote).
base::Result<Thumbnail> MakeImageThumbnailFromMemory(std::string_view bytes, int max_side = 72);

}  // namespace service
