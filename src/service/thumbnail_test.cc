#include "service/thumbnail.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace service {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("wagate-thumb-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(ThumbnailTest, ScalesAPngDownToAJpegKeepingTheAspect) {
  const int w = 400, h = 200;
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      unsigned char* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = x < w / 2 ? 255 : 0;  // left red, right blue
      p[1] = 0;
      p[2] = x < w / 2 ? 0 : 255;
    }
  }
  const std::string path = TempPath("a.png");
  ASSERT_NE(stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3), 0);
  auto t = MakeImageThumbnail(path, 72);
  std::filesystem::remove(path);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->width, 400u);
  EXPECT_EQ(t->height, 200u);
  ASSERT_GE(t->jpeg.size(), 4u);
  EXPECT_EQ(t->jpeg.substr(0, 3), "\xFF\xD8\xFF");
  int tw = 0, th = 0, n = 0;
  unsigned char* back =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(t->jpeg.data()),
                            static_cast<int>(t->jpeg.size()), &tw, &th, &n, 3);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(tw, 72);
  EXPECT_EQ(th, 36);
  EXPECT_GT(back[(18 * tw + 5) * 3 + 0], 200);   // still red on the left
  EXPECT_GT(back[(18 * tw + 66) * 3 + 2], 200);  // still blue on the right
  stbi_image_free(back);
}

TEST(ThumbnailTest, RefusesWhatIsNotAnImage) {
  const std::string path = TempPath("b.pdf");
  std::ofstream(path) << "%PDF-1.7 not an image";
  auto t = MakeImageThumbnail(path);
  std::filesystem::remove(path);
  EXPECT_EQ(t.status().code(), base::Code::kInvalidArgument);
  EXPECT_FALSE(MakeImageThumbnail(TempPath("missing")).ok());
}

}  // namespace
}  // namespace service
