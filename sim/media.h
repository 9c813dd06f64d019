// The media host of wasim: plain HTTP blob upload and download, in memory
// and size-limited [whatsapp-protocol.md §10.3 shape]:
//   POST /mms/:type/:token   body = the (encrypted) blob → {url, direct_path}
//   GET  <direct_path>       → the bytes (application/octet-stream)
// Query parameters (auth, token) are accepted and ignored. HTTPS and the
// media_conn iq come with the messaging issue.
// Thread safety: none; runs on the simulator's io_context thread.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "base/random.h"
#include "http/router.h"

namespace sim {

struct MediaLimits {
  size_t max_blob = 64 << 20;    // also the media server's body limit
  size_t max_total = 512 << 20;  // all blobs together
};

class MediaStore {
 public:
  MediaStore(base::Random& random, MediaLimits limits = {}) : random_(random), limits_(limits) {}
  // The URL prefix the upload answer uses, "http://127.0.0.1:N" (known after Listen).
  void set_base_url(std::string url) { base_url_ = std::move(url); }
  const MediaLimits& limits() const { return limits_; }

  void AddRoutes(http::Router& router);

 private:
  base::Random& random_;
  MediaLimits limits_;
  std::string base_url_;
  std::map<std::string, std::string, std::less<>> blobs_;  // direct path → bytes
  size_t total_ = 0;
};

}  // namespace sim
