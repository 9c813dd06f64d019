// Thumbnails for outgoing video messages: one early frame, taken by the
// `ffmpeg` program when it is installed (as Baileys does with ffmpeg),
// scaled to the thumbnail size and encoded as a JPEG by thumbnail.h.
// Without ffmpeg, or when it fails, the video is sent without a thumbnail:
// a thumbnail is a nicety, never a reason to fail a send.
//
// ffmpeg runs without a shell (base::RunProgram: argument vector, empty
// environment, stdin /dev/null), with a deadline and an output cap, and is
// told exactly which demuxer to use for the type the bytes were sniffed as
// and to read only the local file — so a "video" that is really a playlist
// cannot make it open other files or URLs.
// Thread safety: Make and TryMake may be called from any thread (BLOCKING).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "base/subprocess.h"
#include "service/thumbnail.h"

namespace service {

class VideoThumbnailer {
 public:
  // `ffmpeg`: WAGATE_FFMPEG — the program's path; empty looks for `ffmpeg`
  // on $PATH (once, at first use); "off" disables video thumbnails.
  explicit VideoThumbnailer(std::string ffmpeg, base::RunOptions run = DefaultRun());

  static base::RunOptions DefaultRun() {
    base::RunOptions run;
    run.timeout = std::chrono::seconds(10);
    run.max_stdout = 4 << 20;  // a 72-pixel frame is ~16 KB of PPM
    return run;
  }

  // BLOCKING. A JPEG of the first frame of the video at `path`, sniffed as
  // `mime`. width/height are 0 (the video's own size is not probed).
  // kNotFound without ffmpeg (or when off); kInvalidArgument for a type
  // ffmpeg is not asked to read, or when ffmpeg fails or gives no frame;
  // kDeadlineExceeded / kResourceExhausted when it was killed.
  base::Result<Thumbnail> Make(const std::string& path, const std::string& mime, int max_side = 72);
  // Make, or nullopt after logging why: the first failure at warn, later
  // ones at debug (a missing ffmpeg would otherwise log on every send).
  std::optional<Thumbnail> TryMake(const std::string& path, const std::string& mime);

 private:
  const std::string configured_;
  const base::RunOptions run_;
  std::once_flag resolve_;
  std::optional<std::string> ffmpeg_;  // set by resolve_
  std::atomic<bool> warned_{false};
};

// The ffmpeg demuxer for a sniffed video type; empty for types we do not
// hand to ffmpeg.
std::string VideoDemuxer(const std::string& mime);

}  // namespace service
