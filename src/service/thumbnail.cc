#include "service/thumbnail.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace service {
namespace {

void AppendJpeg(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<size_t>(size));
}

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

// Scales decoded RGB pixels down and encodes them as the thumbnail JPEG.
base::Result<Thumbnail> Encode(const unsigned char* pixels, int width, int height, int max_side) {
  const double scale = static_cast<double>(max_side) / std::max(width, height);
  const int tw = std::max(1, static_cast<int>(width * std::min(scale, 1.0)));
  const int th = std::max(1, static_cast<int>(height * std::min(scale, 1.0)));
  std::vector<unsigned char> small(static_cast<size_t>(tw) * th * 3);
  if (stbir_resize_uint8(pixels, width, height, 0, small.data(), tw, th, 0, 3) == 0) {
    return base::Internal("thumbnail: resize failed");
  }
  Thumbnail t;
  t.width = static_cast<uint32_t>(width);
  t.height = static_cast<uint32_t>(height);
  if (stbi_write_jpg_to_func(AppendJpeg, &t.jpeg, tw, th, 3, small.data(), 60) == 0) {
    return base::Internal("thumbnail: JPEG encoding failed");
  }
  return t;
}

base::Status CheckSize(int width, int height) {
  if (width <= 0 || height <= 0 ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > kMaxThumbnailSourcePixels) {
    return base::InvalidArgument("thumbnail: image of " + std::to_string(width) + "x" +
                                 std::to_string(height) + " is too large to decode");
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<Thumbnail> MakeImageThumbnail(const std::string& path, int max_side) {
  int width = 0;
  int height = 0;
  int channels = 0;
  if (stbi_info(path.c_str(), &width, &height, &channels) == 0) {
    return base::InvalidArgument("thumbnail: not a decodable image");
  }
  WAGATE_RETURN_IF_ERROR(CheckSize(width, height));
  // Three channels: JPEG has no alpha, and grey images come out right too.
  std::unique_ptr<unsigned char, StbFree> pixels(
      stbi_load(path.c_str(), &width, &height, &channels, 3));
  if (!pixels) return base::InvalidArgument("thumbnail: " + std::string(stbi_failure_reason()));
  return Encode(pixels.get(), width, height, max_side);
}

base::Result<Thumbnail> MakeImageThumbnailFromMemory(std::string_view bytes, int max_side) {
  if (bytes.empty() || bytes.size() > (64u << 20)) {
    return base::InvalidArgument("thumbnail: no image or too large");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const int size = static_cast<int>(bytes.size());
  int width = 0;
  int height = 0;
  int channels = 0;
  if (stbi_info_from_memory(data, size, &width, &height, &channels) == 0) {
    return base::InvalidArgument("thumbnail: not a decodable image");
  }
  WAGATE_RETURN_IF_ERROR(CheckSize(width, height));
  std::unique_ptr<unsigned char, StbFree> pixels(
      stbi_load_from_memory(data, size, &width, &height, &channels, 3));
  if (!pixels) return base::InvalidArgument("thumbnail: " + std::string(stbi_failure_reason()));
  return Encode(pixels.get(), width, height, max_side);
}

}  // namespace service
