// Video thumbnails through the real ffmpeg (installed by scripts/deps.sh
// test) and through fake ffmpeg scripts for the failure paths.
#include "service/video_thumbnail.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace service {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("wagate-vthumb-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

// An executable shell script standing in for ffmpeg.
std::string FakeFfmpeg(const std::string& name, const std::string& body) {
  const std::string path = TempPath(name);
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(VideoThumbnail, DemuxerPerSniffedType) {
  EXPECT_EQ(VideoDemuxer("video/mp4"), "mov");
  EXPECT_EQ(VideoDemuxer("video/quicktime"), "mov");
  EXPECT_EQ(VideoDemuxer("video/webm"), "matroska");
  EXPECT_EQ(VideoDemuxer("application/vnd.apple.mpegurl"), "");  // playlists: never
  EXPECT_EQ(VideoDemuxer("video/x-msvideo"), "");
}

// A 160x120 test pattern of one second, made with ffmpeg itself.
TEST(VideoThumbnail, FirstFrameOfARealVideoAsJpeg) {
  std::optional<std::string> ffmpeg = base::FindExecutable("ffmpeg");
  if (!ffmpeg) GTEST_SKIP() << "no ffmpeg on PATH (scripts/deps.sh test installs it)";
  const std::string video = TempPath("a.mp4");
  base::Result<base::RunResult> made = base::RunProgram(
      {*ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
       "testsrc=size=160x120:rate=5", "-t", "1", "-c:v", "mpeg4", "-f", "mp4", video},
      {});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_EQ(made->exit_code, 0) << made->err;

  VideoThumbnailer thumbnailer("");
  base::Result<Thumbnail> t = thumbnailer.Make(video, "video/mp4");
  std::filesystem::remove(video);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_GE(t->jpeg.size(), 4u);
  EXPECT_EQ(t->jpeg.substr(0, 3), "\xFF\xD8\xFF");
  int w = 0, h = 0, n = 0;
  ASSERT_EQ(stbi_info_from_memory(reinterpret_cast<const unsigned char*>(t->jpeg.data()),
                                  static_cast<int>(t->jpeg.size()), &w, &h, &n),
            1);
  EXPECT_EQ(w, 72);
  EXPECT_EQ(h, 54);
  EXPECT_EQ(t->width, 0u);  // the video's own size is not probed
}

TEST(VideoThumbnail, MissingFfmpegMeansNoThumbnail) {
  VideoThumbnailer missing("/nonexistent/bin/ffmpeg");
  base::Result<Thumbnail> t = missing.Make("/dev/null", "video/mp4");
  EXPECT_EQ(t.status().code(), base::Code::kNotFound) << t.status().ToString();
  EXPECT_FALSE(missing.TryMake("/dev/null", "video/mp4"));
  EXPECT_FALSE(missing.TryMake("/dev/null", "video/mp4"));  // logged once, then debug

  VideoThumbnailer off("off");
  EXPECT_EQ(off.Make("/dev/null", "video/mp4").status().code(), base::Code::kNotFound);
}

TEST(VideoThumbnail, FailingOrHangingFfmpegIsBounded) {
  const std::string fails = FakeFfmpeg("fails", "echo 'moov atom not found' >&2; exit 1");
  VideoThumbnailer failing(fails);
  base::Result<Thumbnail> t = failing.Make("/dev/null", "video/mp4");
  EXPECT_EQ(t.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(t.status().message().find("moov atom not found"), std::string::npos);

  const std::string garbage = FakeFfmpeg("garbage", "echo not-a-picture");
  VideoThumbnailer garbled(garbage);
  EXPECT_EQ(garbled.Make("/dev/null", "video/mp4").status().code(), base::Code::kInvalidArgument);

  const std::string hangs = FakeFfmpeg("hangs", "exec sleep 30");
  base::RunOptions quick = VideoThumbnailer::DefaultRun();
  quick.timeout = std::chrono::milliseconds(300);
  VideoThumbnailer hanging(hangs, quick);
  EXPECT_EQ(hanging.Make("/dev/null", "video/mp4").status().code(), base::Code::kDeadlineExceeded);

  const std::string floods = FakeFfmpeg("floods", "exec yes");
  VideoThumbnailer flooding(floods);
  EXPECT_EQ(flooding.Make("/dev/null", "video/mp4").status().code(),
            base::Code::kResourceExhausted);
  EXPECT_EQ(flooding.Make("/dev/null", "text/plain").status().code(), base::Code::kInvalidArgument);
  for (const std::string& p : {fails, garbage, hangs, floods}) std::filesystem::remove(p);
}

}  // namespace
}  // namespace service
