// media_conn [whatsapp-protocol.md §10.2]: the upload hosts and the auth
// token for media.
//   <iq xmlns='w:m' type='set'><media_conn/></iq>
//   → <media_conn auth ttl auth_ttl max_buckets><host hostname
//   maxContentLengthBytes/>…</media_conn>
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::iq {

binary::Node BuildMediaConnQuery();

struct MediaHost {
  std::string hostname;  // may carry a port; used verbatim in https://<hostname>/…
  int64_t max_content_length = 0;
};
struct MediaConn {
  std::string auth;
  int64_t ttl_s = 0;       // refetch after this
  int64_t auth_ttl_s = 0;  // 0 when absent
  int64_t max_buckets = 0;
  std::vector<MediaHost> hosts;
};
// kInvalidArgument without auth, a numeric ttl or any host.
base::Result<MediaConn> ParseMediaConn(const binary::Node& reply);

}  // namespace wa::iq
