// MediaFetch: downloads the `mediaUrl` of POST /whatsapp/message/send/media
// into a file, with the guards a server fetching user-given URLs needs:
//   - http and https only, at most 5 redirects (each one checked again);
//   - an SSRF guard: every address the fetch connects to (after DNS, for
//     every redirect, so DNS rebinding cannot slip through) must be a public
//     one — loopback, private, link-local (cloud metadata), CGNAT, multicast
//     and unspecified addresses are refused unless allow_private;
//   - a size limit (Content-Length refused up front, the body counted too),
//     a connect timeout and a total timeout;
//   - the content type sniffed from the first bytes, not trusted from the
//     server.
// Blocking (it runs its own io_context on the calling thread, so that the
// event loop never waits on DNS or a slow server): run it on the blocking
// pool. Beast + Asio SSL, the stack wa/client already maps, rather than
// libcurl, whose TLS/LDAP/SSH dependency tree cost ~3.5 MiB of RSS.
// Proxies from the environment are not used: they would move the connect,
// and the guard's view of it, elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace service {

struct FetchOptions {
  uint64_t max_bytes = 64ull << 20;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{120000};
  int max_redirects = 5;
  bool allow_private = false;  // WAGATE_MEDIA_ALLOW_PRIVATE=1 (tests, local files)
  std::string ca_file;         // extra CA for https, besides the system CAs
  // When set, decides which resolved addresses (numeric text) are refused,
  // instead of IsPrivateAddress and allow_private; a seam for tests, which
  // only have loopback to play with.
  std::function<bool(std::string_view ip)> refuse_address;
};

struct FetchResult {
  uint64_t size = 0;
  std::string sniffed_mime;  // from the bytes; "application/octet-stream" when unknown
  std::string header_mime;   // what the server said (may be empty)
  std::string final_url;
};

// Writes the body to `dest_path` (created or truncated; removed on failure).
// Errors (the message is meant for the API caller):
//   kInvalidArgument   bad URL or scheme; a refused (private) address
//   kResourceExhausted over max_bytes
//   kDeadlineExceeded  timed out
//   kUnavailable       unreachable, HTTP error status, TLS failure
base::Result<FetchResult> FetchToFile(const std::string& url, const std::string& dest_path,
                                      const FetchOptions& options);

// The MIME type of a file's first bytes: JPEG, PNG, GIF, WebP, PDF, MP4/MOV
// (ftyp), WebM/MKV, OGG, MP3, WAV, AAC, ZIP; "" when unknown.
std::string SniffMime(std::string_view head);

// Whether the address (numeric IPv4/IPv6) is one the guard refuses.
bool IsPrivateAddress(std::string_view ip);

}  // namespace service
