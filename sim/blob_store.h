// In-memory blobs of the media host (encrypted media as uploaded), by direct
// path. Shared by the HTTPS media host (media.cc) and the simulated phones,
// which upload and download in-process. Size-limited.
// Thread safety: none (simulator thread).
#pragma once

#include <cctype>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/random.h"
#include "base/status.h"

namespace sim {

struct MediaLimits {
  size_t max_blob = 64 << 20;    // also the media server's body limit
  size_t max_total = 512 << 20;  // all blobs together
};

class BlobStore {
 public:
  BlobStore(base::Random& random, MediaLimits limits = {}) : random_(random), limits_(limits) {}
  const MediaLimits& limits() const { return limits_; }
  // "https://127.0.0.1:N" once the media host listens.
  void set_base_url(std::string url) { base_url_ = std::move(url); }
  const std::string& base_url() const { return base_url_; }

  // Stores `data`; returns the direct path `/v/wasim/<type>/<random>`.
  base::Result<std::string> Put(std::string_view type, std::string data) {
    if (data.size() > limits_.max_blob || total_ + data.size() > limits_.max_total) {
      return base::ResourceExhausted("media store is full");
    }
    std::string safe;
    for (char c : type.substr(0, 32))
      safe += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
    if (safe.empty()) safe = "file";
    std::string path = "/v/wasim/" + safe + "/" + base::Base64UrlEncode(random_.Bytes(18));
    total_ += data.size();
    blobs_[path] = std::move(data);
    return path;
  }
  const std::string* Get(std::string_view path) const {
    auto it = blobs_.find(path.substr(0, path.find('?')));
    return it == blobs_.end() ? nullptr : &it->second;
  }

 private:
  base::Random& random_;
  MediaLimits limits_;
  std::string base_url_;
  std::map<std::string, std::string, std::less<>> blobs_;
  size_t total_ = 0;
};

}  // namespace sim
