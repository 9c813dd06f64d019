#include "wa/iq/media_conn.h"

#include <charconv>

#include "wa/iq/iq.h"

namespace wa::iq {

namespace {

std::optional<int64_t> IntAttr(const Node& node, std::string_view key) {
  std::optional<std::string> text = node.GetAttrText(key);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

Node BuildMediaConnQuery() { return NewIq("set", "w:m", {Node("media_conn")}); }

base::Result<MediaConn> ParseMediaConn(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("media_conn"));
  const Node* conn = reply.GetChild("media_conn");
  if (conn == nullptr) return base::InvalidArgument("media_conn: no <media_conn>");
  MediaConn out;
  out.auth = conn->GetAttrText("auth").value_or("");
  std::optional<int64_t> ttl = IntAttr(*conn, "ttl");
  if (out.auth.empty() || !ttl) return base::InvalidArgument("media_conn: auth or ttl missing");
  out.ttl_s = *ttl;
  out.auth_ttl_s = IntAttr(*conn, "auth_ttl").value_or(0);
  out.max_buckets = IntAttr(*conn, "max_buckets").value_or(0);
  for (const Node* host : conn->GetChildren("host")) {
    std::string hostname = host->GetAttrText("hostname").value_or("");
    if (hostname.empty()) continue;
    out.hosts.push_back({std::move(hostname), IntAttr(*host, "maxContentLengthBytes").value_or(0)});
  }
  if (out.hosts.empty()) return base::InvalidArgument("media_conn: no <host>");
  return out;
}

}  // namespace wa::iq
