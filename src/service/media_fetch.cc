#include "service/media_fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

namespace service {
namespace {

bool PrivateV4(uint32_t a) {  // host byte order
  auto in = [&](uint32_t net, int bits) {
    return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits));
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 CGNAT
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local, cloud metadata
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

bool PrivateV6(const unsigned char* b) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and the NAT64 well-known prefix judge by the v4 part.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return PrivateV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) |
                     b[15]);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xff) return true;                           // multicast
  return false;
}

struct Transfer {
  std::FILE* file = nullptr;
  uint64_t max_bytes = 0;
  uint64_t written = 0;
  bool too_big = false;
  std::string head;  // the first bytes, for sniffing
  bool allow_private = false;
  std::string refused;  // the address the guard refused
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->written + len > t->max_bytes) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  if (t->head.size() < 64) t->head.append(data, std::min(len, 64 - t->head.size()));
  if (std::fwrite(data, 1, len, t->file) != len) return 0;
  t->written += len;
  return len;
}

// Called by libcurl for every connection it opens, with the resolved
// address: the one place that sees where bytes really go.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && !t->allow_private) {
    char text[INET6_ADDRSTRLEN] = {};
    bool refuse = true;
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&address->addr);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      refuse = PrivateV4(ntohl(in->sin_addr.s_addr));
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      refuse = PrivateV6(in6->sin6_addr.s6_addr);
    }
    if (refuse) {
      t->refused = text[0] != '\0' ? text : "a non-IP address";
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

bool IsPrivateAddress(std::string_view ip) {
  std::string z(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, z.c_str(), &v4) == 1) return PrivateV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, z.c_str(), &v6) == 1) return PrivateV6(v6.s6_addr);
  return true;  // not an address: never "public"
}

std::string SniffMime(std::string_view h) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return h.size() >= at + magic.size() && h.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("\x89PNG\r\n\x1A\n")) return "image/png";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
  if (starts("RIFF") && starts("WAVE", 8)) return "audio/wav";
  if (starts("%PDF-")) return "application/pdf";
  if (starts("ftyp", 4)) {
    if (starts("qt  ", 8)) return "video/quicktime";
    if (starts("M4A ", 8)) return "audio/mp4";
    return "video/mp4";
  }
  if (starts("\x1A\x45\xDF\xA3")) return "video/webm";
  if (starts("OggS")) return "audio/ogg";
  if (starts("ID3") || (h.size() >= 2 && static_cast<unsigned char>(h[0]) == 0xFF &&
                        (static_cast<unsigned char>(h[1]) & 0xE0) == 0xE0 &&
                        (static_cast<unsigned char>(h[1]) & 0x06) != 0)) {
    return "audio/mpeg";
  }
  if (h.size() >= 2 && static_cast<unsigned char>(h[0]) == 0xFF &&
      (static_cast<unsigned char>(h[1]) & 0xF6) == 0xF0) {
    return "audio/aac";
  }
  if (starts("PK\x03\x04")) return "application/zip";
  return "";
}

base::Result<FetchResult> FetchToFile(const std::string& url, const std::string& dest_path,
                                      const FetchOptions& options) {
  InitCurlOnce();
  if (!(url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)) {
    return base::InvalidArgument("mediaUrl must be an http:// or https:// URL");
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return base::Internal("media fetch: curl_easy_init failed");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(dest_path.c_str(), "wb"));
  if (!file) return base::Internal("media fetch: cannot write " + dest_path);

  Transfer t;
  t.file = file.get();
  t.max_bytes = options.max_bytes;
  t.allow_private = options.allow_private;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "wagate");
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  // Proxies from the environment would move the connect (and the guard's
  // view of it) elsewhere.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());

  const CURLcode rc = curl_easy_perform(c);
  file.reset();
  auto fail = [&](base::Status s) -> base::Result<FetchResult> {
    std::error_code ec;
    std::filesystem::remove(dest_path, ec);
    return s;
  };
  if (!t.refused.empty()) {
    return fail(base::InvalidArgument("mediaUrl resolves to " + t.refused +
                                      ", a private or local address; refused"));
  }
  if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
    return fail(base::ResourceExhausted("mediaUrl is larger than the limit of " +
                                        std::to_string(options.max_bytes) + " bytes"));
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return fail(base::DeadlineExceeded("mediaUrl did not answer in time: " + std::string(error)));
  }
  if (rc == CURLE_TOO_MANY_REDIRECTS) {
    return fail(base::InvalidArgument("mediaUrl redirects more than " +
                                      std::to_string(options.max_redirects) + " times"));
  }
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return fail(base::InvalidArgument("mediaUrl redirects to a scheme other than http(s)"));
  }
  if (rc != CURLE_OK) {
    return fail(base::Unavailable("mediaUrl could not be fetched: " +
                                  std::string(error[0] ? error : curl_easy_strerror(rc))));
  }
  FetchResult r;
  r.size = t.written;
  r.sniffed_mime = SniffMime(t.head);
  if (r.sniffed_mime.empty()) r.sniffed_mime = "application/octet-stream";
  char* type = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    r.header_mime = type;
    if (auto semi = r.header_mime.find(';'); semi != std::string::npos) r.header_mime.resize(semi);
  }
  char* final_url = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &final_url) == CURLE_OK && final_url) {
    r.final_url = final_url;
  }
  return r;
}

}  // namespace service
