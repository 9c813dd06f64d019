#include "sim/usync.h"

namespace sim {
namespace {

constexpr size_t kMaxUsyncUsers = 1024;

Node DevicesNode(const Account* account, int64_t now_s) {
  Node devices("devices");
  Node list("device-list");
  if (account != nullptr) {
    list.AddChild(Node("device", {{"id", "0"}}));
    for (const auto& [id, d] : account->devices) {
      list.AddChild(
          Node("device", {{"id", std::to_string(id)}, {"key-index", std::to_string(d.key_index)}}));
    }
  }
  devices.AddChild(std::move(list));
  if (account != nullptr) {
    // Real servers put a signed ADVKeyIndexList here; Baileys reads only ts.
    Node index("key-index-list", {{"ts", std::to_string(now_s)}}, wa::binary::Bytes(std::string()));
    devices.AddChild(std::move(index));
  }
  return devices;
}

}  // namespace

Node HandleUsyncIq(AccountStore& store, const Node& iq, int64_t now_s) {
  const Node* usync = iq.GetChild("usync");
  const Node* query = usync ? usync->GetChild("query") : nullptr;
  const Node* list = usync ? usync->GetChild("list") : nullptr;
  if (usync == nullptr || query == nullptr || list == nullptr)
    return ErrorFor(iq, 400, "bad-request");
  auto users = list->GetChildren("user");
  if (users.size() > kMaxUsyncUsers) return ErrorFor(iq, 400, "bad-request");
  const bool want_devices = query->GetChild("devices") != nullptr;
  const bool want_lid = query->GetChild("lid") != nullptr;
  const bool want_contact = query->GetChild("contact") != nullptr;

  Node out_list("list");
  for (const Node* user : users) {
    Node out_user("user");
    const Account* account = nullptr;
    auto jid = user->GetAttrAsJid("jid");
    if (jid.ok()) {
      account = store.FindByJid(*jid);
      out_user.SetAttr("jid", jid->ToNonAd());
    } else if (const Node* contact = user->GetChild("contact")) {
      // Contact lookup by phone number text ("+1555…").
      std::string number = ContentBytes(*contact).value_or("");
      std::erase(number, '+');
      account = store.FindByPhone(number);
      if (account != nullptr) out_user.SetAttr("jid", account->PnJid());
    }
    if (want_devices) out_user.AddChild(DevicesNode(account, now_s));
    if (want_lid && account != nullptr && jid.ok() && jid->IsPnUser()) {
      Node lid("lid");
      lid.SetAttr("val", account->LidJid());
      out_user.AddChild(std::move(lid));
    }
    if (want_contact) {
      out_user.AddChild(Node("contact", {{"type", account != nullptr ? "in" : "out"}}));
    }
    out_list.AddChild(std::move(out_user));
  }
  Node out_usync("usync");
  for (const char* key : {"sid", "index", "last"}) {
    if (auto v = usync->GetAttrText(key)) out_usync.SetAttr(key, *v);
  }
  out_usync.AddChild(Node("result"));
  out_usync.AddChild(std::move(out_list));
  Node out = ResultFor(iq);
  out.AddChild(std::move(out_usync));
  return out;
}

}  // namespace sim
