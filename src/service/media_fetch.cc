// The address guard and the content sniffer of MediaFetch; the HTTP client
// itself is media_fetch_http.cc (the one Beast translation unit here).
#include "service/media_fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

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

}  // namespace service
