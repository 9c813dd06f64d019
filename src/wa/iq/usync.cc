#include "wa/iq/usync.h"

#include <charconv>

namespace wa::iq {

namespace {

std::optional<uint32_t> UintAttr(const Node& node, std::string_view key) {
  std::optional<std::string> text = node.GetAttrText(key);
  if (!text) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

}  // namespace

Node BuildUsyncDevices(const std::vector<Jid>& users, std::string_view sid,
                       std::string_view context) {
  Node query("query");
  query.AddChild(Node("devices", {{"version", "2"}}));
  query.AddChild(Node("lid"));
  Node list("list");
  for (const Jid& user : users) {
    Node item("user");
    item.SetAttr("jid", user.ToNonAd());
    list.AddChild(std::move(item));
  }
  Node usync("usync", {{"context", std::string(context)},
                       {"mode", "query"},
                       {"sid", std::string(sid)},
                       {"last", "true"},
                       {"index", "0"}});
  usync.AddChild(std::move(query));
  usync.AddChild(std::move(list));
  return NewIq("get", "usync", {std::move(usync)});
}

base::Result<std::vector<UsyncUser>> ParseUsyncDevices(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("usync"));
  const Node* usync = reply.GetChild("usync");
  const Node* list = usync != nullptr ? usync->GetChild("list") : nullptr;
  if (list == nullptr) return base::InvalidArgument("usync: no <usync><list>");
  std::vector<UsyncUser> users;
  for (const Node* item : list->GetChildren("user")) {
    base::Result<Jid> jid = item->GetAttrAsJid("jid");
    if (!jid.ok()) return base::InvalidArgument("usync: <user jid>: " + jid.status().message());
    UsyncUser user;
    user.jid = std::move(*jid);
    if (const Node* lid = item->GetChild("lid")) {
      if (base::Result<Jid> val = lid->GetAttrAsJid("val"); val.ok()) user.lid = std::move(*val);
    }
    const Node* devices = item->GetChild("devices");
    if (devices != nullptr) {
      user.error = FindIqError(*devices);
      if (const Node* device_list = devices->GetChild("device-list")) {
        for (const Node* device : device_list->GetChildren("device")) {
          std::optional<uint32_t> id = UintAttr(*device, "id");
          if (!id || *id > 0xFFFF) continue;
          UsyncDevice out{.id = static_cast<uint16_t>(*id),
                          .key_index = UintAttr(*device, "key-index").value_or(0),
                          .hosted = device->GetAttrText("is_hosted") == "true"};
          if (out.id != 0 && out.key_index == 0) continue;
          user.devices.push_back(out);
        }
      }
    }
    users.push_back(std::move(user));
  }
  return users;
}

}  // namespace wa::iq
