// The media host of wasim: HTTPS (self-signed certificate for 127.0.0.1,
// generated at start or kept in the data dir) because Baileys 7 only talks
// HTTPS to media hosts [whatsapp-protocol.md §10.3]:
//   POST /mms/:type/:token[?auth&token]  body = encrypted blob → {url, direct_path}
//   GET  <direct_path>                    → the bytes (application/octet-stream)
// Blobs live in the Simulator's BlobStore (memory, size-limited). One request
// per connection (Connection: close), 30 s per request.
// Thread safety: none; runs on the simulator's io_context thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "sim/blob_store.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace sim {

struct MediaCert {
  std::string cert_pem;  // self-signed, CN and SAN IP 127.0.0.1 (and the host)
  std::string key_pem;
};

// From `dir`/media_cert.pem + media_key.pem when present, else new (and
// saved there when `dir` is not empty).
base::Result<MediaCert> LoadOrCreateMediaCert(const std::string& dir, const std::string& host);

class MediaHost {
 public:
  MediaHost(boost::asio::io_context& io, BlobStore& blobs, MediaCert cert);
  ~MediaHost();
  base::Result<uint16_t> Listen(const std::string& host, uint16_t port);
  void Stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sim
