#include "sim/prekeys.h"

#include <spdlog/spdlog.h>

namespace sim {
namespace {

Node CountReply(const Node& iq, const Device& self) {
  Node out = ResultFor(iq);
  out.AddChild(Node("count", {{"value", std::to_string(self.prekeys.size())}}));
  return out;
}

// <iq type='set'><registration/><type/><identity/><list><key><id/><value/></key>…</list>
// <skey><id/><value/><signature/></skey></iq>
Node Upload(const Node& iq, Device& self, bool* changed) {
  auto registration = ChildBytes(iq, "registration");
  auto identity = ChildBytes(iq, "identity");
  const Node* list = iq.GetChild("list");
  const Node* skey = iq.GetChild("skey");
  if (!registration || !identity || identity->size() != 32 || list == nullptr) {
    return ErrorFor(iq, 400, "bad-request");
  }
  if (*identity != self.identity_key) {
    // The identity was bound at pairing; a different one is a client bug.
    return ErrorFor(iq, 409, "identity-mismatch");
  }
  std::map<uint32_t, std::string> keys;
  for (const Node* key : list->GetChildren("key")) {
    auto id = ChildBytes(*key, "id");
    auto value = ChildBytes(*key, "value");
    auto parsed = id ? ParseBigEndian(*id) : std::nullopt;
    if (!parsed || !value || value->size() != 32) return ErrorFor(iq, 400, "bad-request");
    keys[*parsed] = *value;
  }
  if (self.prekeys.size() + keys.size() > kMaxStoredPreKeys) {
    return ErrorFor(iq, 406, "too-many-prekeys");
  }
  if (skey != nullptr) {
    auto id = ChildBytes(*skey, "id");
    auto value = ChildBytes(*skey, "value");
    auto signature = ChildBytes(*skey, "signature");
    auto parsed = id ? ParseBigEndian(*id) : std::nullopt;
    if (!parsed || !value || value->size() != 32 || !signature || signature->size() != 64) {
      return ErrorFor(iq, 400, "bad-request");
    }
    self.signed_prekey = {*parsed, *value, *signature};
  }
  if (auto reg = ParseBigEndian(*registration)) self.registration_id = *reg;
  for (auto& [id, value] : keys) self.prekeys[id] = std::move(value);
  *changed = true;
  return ResultFor(iq);
}

// Signed pre-key rotation: <rotate><skey><id/><value/><signature/></skey></rotate> [§7.6].
Node Rotate(const Node& iq, Device& self, bool* changed) {
  const Node* skey = iq.GetChild("rotate")->GetChild("skey");
  auto id = skey ? ChildBytes(*skey, "id") : std::nullopt;
  auto value = skey ? ChildBytes(*skey, "value") : std::nullopt;
  auto signature = skey ? ChildBytes(*skey, "signature") : std::nullopt;
  auto parsed = id ? ParseBigEndian(*id) : std::nullopt;
  if (!parsed || !value || value->size() != 32 || !signature || signature->size() != 64) {
    return ErrorFor(iq, 400, "bad-request");
  }
  self.signed_prekey = {*parsed, *value, *signature};
  *changed = true;
  return ResultFor(iq);
}

// Real servers put a key digest here; Baileys only checks that <digest>
// exists [§7.2 step 4]. We give the same facts a bundle would.
Node Digest(const Node& iq, const Device& self) {
  Node digest("digest");
  digest.AddChild(BytesNode("registration", BigEndian(self.registration_id, 4)));
  digest.AddChild(BytesNode("type", std::string(1, '\x05')));
  digest.AddChild(BytesNode("identity", self.identity_key));
  Node skey("skey");
  skey.AddChild(BytesNode("id", BigEndian(self.signed_prekey.id, 3)));
  digest.AddChild(std::move(skey));
  Node list("list");
  for (const auto& [id, value] : self.prekeys) list.AddChild(BytesNode("id", BigEndian(id, 3)));
  digest.AddChild(std::move(list));
  Node out = ResultFor(iq);
  out.AddChild(std::move(digest));
  return out;
}

Node SkeyNode(uint32_t id, const std::string& pub, const std::string& signature) {
  Node skey("skey");
  skey.AddChild(BytesNode("id", BigEndian(id, 3)));
  skey.AddChild(BytesNode("value", pub));
  skey.AddChild(BytesNode("signature", signature));
  return skey;
}

Node KeyNode(uint32_t id, const std::string& pub) {
  Node key("key");
  key.AddChild(BytesNode("id", BigEndian(id, 3)));
  key.AddChild(BytesNode("value", pub));
  return key;
}

// One <user> of a bundle reply [§8.8]: children directly under <user>.
Node BundleFor(AccountStore& store, const wa::Jid& jid, bool* changed) {
  Node user("user");
  user.SetAttr("jid", jid);
  Account* account = store.FindByJid(jid);
  const uint16_t device = jid.has_device() ? jid.device() : 0;
  if (account == nullptr || (device != 0 && !account->devices.contains(device))) {
    user.AddChild(Node("error", {{"code", "404"}, {"text", "item-not-found"}}));
    return user;
  }
  if (device == 0) {
    const Phone& p = account->primary;
    user.AddChild(BytesNode("registration", BigEndian(p.registration_id, 4)));
    user.AddChild(BytesNode("type", std::string(1, '\x05')));
    user.AddChild(BytesNode("identity", p.account_key.public_key));
    user.AddChild(SkeyNode(p.signed_prekey.id, p.signed_prekey.key_pair.public_key,
                           p.signed_prekey.signature));
    if (auto key = AccountStore::TakePrimaryPreKey(*account)) {
      user.AddChild(KeyNode(key->id, key->key_pair.public_key));
      *changed = true;
    }
    return user;
  }
  Device& d = account->devices[device];
  user.AddChild(BytesNode("registration", BigEndian(d.registration_id, 4)));
  user.AddChild(BytesNode("type", std::string(1, '\x05')));
  user.AddChild(BytesNode("identity", d.identity_key));
  user.AddChild(
      SkeyNode(d.signed_prekey.id, d.signed_prekey.public_key, d.signed_prekey.signature));
  if (!d.prekeys.empty()) {
    auto first = d.prekeys.begin();
    user.AddChild(KeyNode(first->first, first->second));
    d.prekeys.erase(first);
    *changed = true;
  }
  return user;
}

// Enough for one group fan-out; more is a client bug or an attack.
constexpr size_t kMaxBundleUsers = 1024;

Node Fetch(AccountStore& store, const Node& iq, const Node& key, bool* changed) {
  auto users = key.GetChildren("user");
  if (users.empty() || users.size() > kMaxBundleUsers) return ErrorFor(iq, 400, "bad-request");
  Node list("list");
  for (const Node* user : users) {
    auto jid = user->GetAttrAsJid("jid");
    if (!jid.ok()) return ErrorFor(iq, 400, "bad-request");
    list.AddChild(BundleFor(store, *jid, changed));
  }
  Node out = ResultFor(iq);
  out.AddChild(std::move(list));
  return out;
}

}  // namespace

Node HandleEncryptIq(AccountStore& store, Device& self, const Node& iq, bool* changed) {
  const std::string type = iq.GetAttrText("type").value_or("");
  if (type == "get" && iq.GetChild("count") != nullptr) return CountReply(iq, self);
  if (type == "get" && iq.GetChild("digest") != nullptr) return Digest(iq, self);
  if (type == "get" && iq.GetChild("key") != nullptr) {
    return Fetch(store, iq, *iq.GetChild("key"), changed);
  }
  if (type == "set" && iq.GetChild("list") != nullptr) return Upload(iq, self, changed);
  if (type == "set" && iq.GetChild("rotate") != nullptr) return Rotate(iq, self, changed);
  spdlog::info("wasim: unhandled encrypt iq: {}", iq.DebugString());
  return ErrorFor(iq, 501, "feature-not-implemented");
}

}  // namespace sim
