#include "service/qr_image.h"

#include <gtest/gtest.h>
#include <png.h>
#include <qrencode.h>

#include <memory>
#include <string>
#include <vector>

#include "base/encoding.h"

namespace service {
namespace {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::vector<unsigned char>> gray;  // 0 = black, 255 = white
};

// Decodes with libpng, expanded to 8-bit gray.
Image DecodePng(const std::string& bytes) {
  Image image;
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) return image;
  png.format = PNG_FORMAT_GRAY;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr)) return image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  for (int y = 0; y < image.height; ++y) {
    image.gray.emplace_back(pixels.begin() + y * image.width,
                            pixels.begin() + (y + 1) * image.width);
  }
  return image;
}

TEST(QrImageTest, PngShowsEveryModuleOfTheCodeWithAQuietZone) {
  const std::string text =
      "https://wa.me/settings/linked_devices#2@REF0,bm9pc2U=,aWRlbnRpdHk=,c2VjcmV0,1";
  const int scale = 3;
  auto png = QrPng(text, scale);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  Image image = DecodePng(*png);

  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_L), QRcode_free);
  ASSERT_NE(code, nullptr);
  const int modules = code->width + 8;
  ASSERT_EQ(image.width, modules * scale);
  ASSERT_EQ(image.height, modules * scale);
  for (int y = 0; y < modules; ++y) {
    for (int x = 0; x < modules; ++x) {
      const bool inside = x >= 4 && y >= 4 && x < code->width + 4 && y < code->width + 4;
      const bool dark = inside && (code->data[(y - 4) * code->width + (x - 4)] & 1) != 0;
      // Every pixel of the module, not just one sample.
      for (int dy = 0; dy < scale; ++dy) {
        for (int dx = 0; dx < scale; ++dx) {
          ASSERT_EQ(image.gray[y * scale + dy][x * scale + dx], dark ? 0 : 255)
              << "module " << x << "," << y;
        }
      }
    }
  }
}

TEST(QrImageTest, DataUrlIsBase64OfThePng) {
  auto url = QrPngDataUrl("hello");
  ASSERT_TRUE(url.ok());
  const std::string prefix = "data:image/png;base64,";
  ASSERT_EQ(url->rfind(prefix, 0), 0u);
  auto bytes = base::Base64Decode(url->substr(prefix.size()));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, *QrPng("hello"));
  EXPECT_EQ(bytes->substr(1, 3), "PNG");
}

TEST(QrImageTest, RefusesEmptyOversizedTextAndBadScale) {
  EXPECT_EQ(QrPng("").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(QrPng(std::string(kMaxQrText + 1, 'a')).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(QrPng("x", 0).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(QrPng("x", 33).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace service
