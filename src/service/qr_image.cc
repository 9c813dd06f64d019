#include "service/qr_image.h"

#include <png.h>
#include <qrencode.h>

#include <memory>
#include <string>
#include <vector>

#include "base/encoding.h"

namespace service {
namespace {

constexpr int kQuietZone = 4;

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void NoFlush(png_structp) {}

// libpng reports errors by longjmp; everything that needs cleaning up on that
// path lives outside this function (the png structs are freed by the caller's
// guard, the output string is the caller's).
bool WritePng(const std::vector<png_bytep>& rows, int size, std::string* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, AppendToString, NoFlush);
  // 1-bit grayscale: the smallest PNG for a two-colour image.
  png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 1,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, const_cast<png_bytepp>(rows.data()));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

base::Result<std::string> QrPng(std::string_view text, int scale) {
  if (text.empty()) return base::InvalidArgument("qr: empty text");
  if (text.size() > kMaxQrText) {
    return base::InvalidArgument("qr: text of " + std::to_string(text.size()) +
                                 " bytes is over the limit of " + std::to_string(kMaxQrText));
  }
  if (scale < 1 || scale > 32) return base::InvalidArgument("qr: scale must be 1..32");
  const std::string zero_terminated(text);
  std::unique_ptr<QRcode, QrDeleter> code(
      QRcode_encodeString8bit(zero_terminated.c_str(), 0, QR_ECLEVEL_L));
  if (code == nullptr) return base::Internal("qr: libqrencode could not encode the text");

  const int modules = code->width + 2 * kQuietZone;
  const int size = modules * scale;
  const int row_bytes = (size + 7) / 8;
  // Bit 1 = white in 1-bit grayscale: start all white, clear the dark modules.
  std::vector<unsigned char> pixels(static_cast<size_t>(row_bytes) * size, 0xFF);
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      // libqrencode: bit 0 of each module byte is "dark".
      if ((code->data[y * code->width + x] & 1) == 0) continue;
      for (int dy = 0; dy < scale; ++dy) {
        unsigned char* row =
            &pixels[static_cast<size_t>((y + kQuietZone) * scale + dy) * row_bytes];
        for (int dx = 0; dx < scale; ++dx) {
          const int px = (x + kQuietZone) * scale + dx;
          row[px / 8] &= static_cast<unsigned char>(~(0x80 >> (px % 8)));
        }
      }
    }
  }
  std::vector<png_bytep> rows(static_cast<size_t>(size));
  for (int y = 0; y < size; ++y) rows[y] = &pixels[static_cast<size_t>(y) * row_bytes];
  std::string out;
  if (!WritePng(rows, size, &out)) return base::Internal("qr: libpng failed to write the image");
  return out;
}

base::Result<std::string> QrPngDataUrl(std::string_view text) {
  auto png = QrPng(text);
  if (!png.ok()) return png.status();
  return "data:image/png;base64," + base::Base64Encode(*png);
}

}  // namespace service
