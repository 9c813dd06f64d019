#include "service/video_thumbnail.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace service {

std::string VideoDemuxer(const std::string& mime) {
  // What media_fetch's sniffer calls videos (ISO BMFF and Matroska/WebM).
  if (mime == "video/mp4" || mime == "video/quicktime" || mime == "video/3gpp") return "mov";
  if (mime == "video/webm" || mime == "video/x-matroska") return "matroska";
  return "";
}

VideoThumbnailer::VideoThumbnailer(std::string ffmpeg, base::RunOptions run)
    : configured_(std::move(ffmpeg)), run_(run) {}

base::Result<Thumbnail> VideoThumbnailer::Make(const std::string& path, const std::string& mime,
                                               int max_side) {
  std::call_once(resolve_, [this] {
    if (configured_ == "off") return;
    ffmpeg_ = base::FindExecutable(configured_.empty() ? "ffmpeg" : configured_);
  });
  if (configured_ == "off") return base::NotFound("video thumbnails are off (WAGATE_FFMPEG=off)");
  if (!ffmpeg_) {
    return base::NotFound(configured_.empty()
                              ? "no ffmpeg on PATH"
                              : "WAGATE_FFMPEG=" + configured_ + " is not an executable file");
  }
  const std::string demuxer = VideoDemuxer(mime);
  if (demuxer.empty()) return base::InvalidArgument("no video thumbnail for " + mime);
  const std::string side = std::to_string(max_side);
  // Never larger than the video; the longer side `max_side`.
  const std::string scale = "scale=w='min(" + side + ",iw)':h='min(" + side +
                            ",ih)':force_original_aspect_ratio=decrease";
  std::vector<std::string> argv = {*ffmpeg_,
                                   "-nostdin",
                                   "-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-threads",
                                   "1",
                                   "-protocol_whitelist",
                                   "file",
                                   "-f",
                                   demuxer,
                                   "-ss",
                                   "0",
                                   "-i",
                                   "file:" + path,
                                   "-an",
                                   "-frames:v",
                                   "1",
                                   "-vf",
                                   scale,
                                   "-f",
                                   "image2pipe",
                                   "-c:v",
                                   "ppm",
                                   "pipe:1"};
  base::Result<base::RunResult> ran = base::RunProgram(argv, run_);
  if (!ran.ok()) return ran.status().WithContext("ffmpeg");
  if (ran->exit_code != 0 || ran->out.empty()) {
    std::string why = ran->err.substr(0, ran->err.find('\n'));
    return base::InvalidArgument("ffmpeg exited with " + std::to_string(ran->exit_code) +
                                 (why.empty() ? std::string(" and no frame") : ": " + why));
  }
  base::Result<Thumbnail> thumb = MakeImageThumbnailFromMemory(ran->out, max_side);
  if (!thumb.ok()) return thumb.status().WithContext("ffmpeg frame");
  thumb->width = 0;  // those of the frame, not of the video
  thumb->height = 0;
  return thumb;
}

std::optional<Thumbnail> VideoThumbnailer::TryMake(const std::string& path,
                                                   const std::string& mime) {
  base::Result<Thumbnail> thumb = Make(path, mime);
  if (thumb.ok()) return std::move(*thumb);
  if (!warned_.exchange(true)) {
    spdlog::warn("video sent without a thumbnail: {} (said once; later ones at debug level)",
                 thumb.status().ToString());
  } else {
    spdlog::debug("video sent without a thumbnail: {}", thumb.status().ToString());
  }
  return std::nullopt;
}

}  // namespace service
