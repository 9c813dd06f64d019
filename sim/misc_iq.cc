#include "sim/misc_iq.h"

namespace sim {

std::optional<Node> HandleMiscIq(const Node& iq) {
  const std::string xmlns = iq.GetAttrText("xmlns").value_or("");
  const std::string type = iq.GetAttrText("type").value_or("");
  if (xmlns == "w:p" && iq.GetChild("ping") != nullptr) return ResultFor(iq);
  if (xmlns == "passive") return ResultFor(iq);
  if (xmlns == "abt" && iq.GetChild("props") != nullptr) {
    // No A/B props: Baileys falls back to its defaults [§7.2 step 6].
    Node out = ResultFor(iq);
    out.AddChild(Node("props", {{"protocol", "1"}, {"hash", "wasim-0"}}));
    return out;
  }
  if (xmlns == "blocklist" && type == "get") {
    Node out = ResultFor(iq);
    out.AddChild(Node("list", {}, std::vector<Node>{}));
    return out;
  }
  if (xmlns == "privacy" && type == "get" && iq.GetChild("privacy") != nullptr) {
    Node privacy("privacy");
    const std::pair<const char*, const char*> categories[] = {
        {"readreceipts", "all"}, {"last", "all"},     {"online", "all"}, {"profile", "all"},
        {"status", "all"},       {"groupadd", "all"}, {"calladd", "all"}};
    for (const auto& [name, value] : categories) {
      privacy.AddChild(Node("category", {{"name", name}, {"value", value}}));
    }
    Node out = ResultFor(iq);
    out.AddChild(std::move(privacy));
    return out;
  }
  if (xmlns == "privacy" && type == "set" && iq.GetChild("tokens") != nullptr) {
    return ResultFor(iq);
  }
  if (xmlns == "w:profile:picture") {
    // No profile pictures: what the real server answers for a user without one.
    return ErrorFor(iq, 404, "item-not-found");
  }
  // Statistics uploads and dirty-bit acknowledgements need nothing back [§7.5, §7.6].
  if (xmlns == "w:stats" || xmlns == "urn:xmpp:whatsapp:dirty") return ResultFor(iq);
  if (xmlns == "w:sync:app:state" && iq.GetChild("sync") != nullptr) {
    // Empty collections at their requested version: the sync completes with
    // nothing to apply [§12.2].
    Node sync("sync");
    for (const Node* c : iq.GetChild("sync")->GetChildren("collection")) {
      if (sync.children().size() >= 16) break;
      sync.AddChild(Node("collection", {{"name", c->GetAttrText("name").value_or("")},
                                        {"version", c->GetAttrText("version").value_or("0")}}));
    }
    Node out = ResultFor(iq);
    out.AddChild(std::move(sync));
    return out;
  }
  return std::nullopt;
}

Node MediaConnReply(const Node& iq, std::string_view media_base_url) {
  std::string host(media_base_url);
  if (auto p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
  Node conn(
      "media_conn",
      {{"auth", "wasim-media-auth"}, {"ttl", "300"}, {"auth_ttl", "21600"}, {"max_buckets", "12"}});
  conn.AddChild(Node("host", {{"hostname", host}, {"maxContentLengthBytes", "67108864"}}));
  Node out = ResultFor(iq);
  out.AddChild(std::move(conn));
  return out;
}

}  // namespace sim
