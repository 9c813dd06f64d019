#include "sim/router.h"

#include <spdlog/spdlog.h>

#include "sim/connection.h"
#include "sim/simulator.h"

namespace sim {

std::vector<std::string> ReceiptIds(const Node& receipt) {
  std::vector<std::string> ids;
  if (auto id = receipt.GetAttrText("id")) ids.push_back(*id);
  if (const Node* list = receipt.GetChild("list")) {
    for (const Node* item : list->GetChildren("item")) {
      if (ids.size() >= 1000) break;
      if (auto id = item->GetAttrText("id")) ids.push_back(*id);
    }
  }
  return ids;
}

Node OneToOneStanza(const Node& message, const Account& sender, uint16_t sender_device,
                    bool own_device, std::vector<const Node*> encs, int64_t now_s) {
  Node out("message");
  out.SetAttr("id", message.GetAttrText("id").value_or(""));
  if (own_device) {
    out.SetAttr("from",
                wa::Jid::WithDevice(sender.phone, std::string(wa::kUserServer), sender_device));
    if (auto to = message.GetAttrAsJid("to"); to.ok()) {
      // A retry resend names the device; the chat is then its user.
      out.SetAttr("recipient", to->has_device() ? to->ToNonAd() : *to);
    }
  } else {
    out.SetAttr("from",
                wa::Jid::WithDevice(sender.lid, std::string(wa::kLidServer), sender_device));
    out.SetAttr("sender_pn", sender.PnJid());
    out.SetAttr("addressing_mode", "lid");
  }
  out.SetAttr("t", std::to_string(now_s));
  out.SetAttr("type", message.GetAttrText("type").value_or("text"));
  if (auto edit = message.GetAttrText("edit")) out.SetAttr("edit", *edit);
  if (!sender.name.empty()) out.SetAttr("notify", sender.name);
  for (const Node* enc : encs) out.AddChild(*enc);
  if (const Node* identity = message.GetChild("device-identity")) out.AddChild(*identity);
  return out;
}

Router::Router(Simulator& sim, RouterLimits limits) : sim_(sim), limits_(limits) {}
Router::~Router() = default;

namespace {

Node MessageAck(const Node& message, int64_t now_s, std::optional<int> error = std::nullopt) {
  Node ack("ack");
  ack.SetAttr("class", "message");
  ack.SetAttr("id", message.GetAttrText("id").value_or(""));
  if (auto to = message.GetAttrAsJid("to"); to.ok()) {
    ack.SetAttr("from", *to);
  } else {
    ack.SetAttr("from", ServerJid());
  }
  ack.SetAttr("t", std::to_string(now_s));
  if (error) ack.SetAttr("error", std::to_string(*error));
  return ack;
}

}  // namespace

void Router::Remember(const std::string& id, const wa::Jid& sender, std::string chat) {
  if (id.empty()) return;
  if (index_.insert_or_assign(id, SentRecord{sender, std::move(chat)}).second) {
    index_order_.push_back(id);
  }
  while (index_order_.size() > limits_.max_index) {
    index_.erase(index_order_.front());
    index_order_.pop_front();
  }
}

void Router::OnMessage(const wa::Jid& self, const Node& message, const Reply& reply) {
  Account* sender = sim_.accounts().FindByPhone(self.user());
  const std::string id = message.GetAttrText("id").value_or("");
  auto to = message.GetAttrAsJid("to");
  if (sender == nullptr || id.empty() || id.size() > 128 || !to.ok()) {
    reply(MessageAck(message, sim_.NowS(), 400));
    return;
  }
  if (to->IsGroup()) {
    const Group* group = FindGroup(*to);
    if (group == nullptr) {
      reply(MessageAck(message, sim_.NowS(), 404));
      return;
    }
    if (std::find(group->phones.begin(), group->phones.end(), sender->phone) ==
        group->phones.end()) {
      reply(MessageAck(message, sim_.NowS(), 403));  // not a member (any more)
      return;
    }
    reply(MessageAck(message, sim_.NowS()));
    Remember(id, self, to->ToString());
    RouteGroup(self, *sender, message, *group);
    return;
  }
  Account* peer = sim_.accounts().FindByJid(*to);
  if (peer == nullptr) {
    reply(MessageAck(message, sim_.NowS(), 404));
    return;
  }
  reply(MessageAck(message, sim_.NowS()));
  Remember(id, self, to->ToNonAd().ToString());
  // Per-device copies from <participants>, or one direct <enc> set for the
  // addressed device (device_fanout='false' retry resends, §8.12).
  std::vector<std::pair<wa::Jid, std::vector<const Node*>>> targets;
  if (const Node* participants = message.GetChild("participants")) {
    for (const Node* target : participants->GetChildren("to")) {
      auto jid = target->GetAttrAsJid("jid");
      if (!jid.ok()) continue;
      targets.emplace_back(*jid, target->GetChildren("enc"));
    }
  }
  if (targets.empty() && to->has_device()) {
    // Prefer the direct copy (what whatsmeow sends); it carries `count`.
    targets.emplace_back(*to, message.GetChildren("enc"));
  }
  for (auto& [jid, encs] : targets) {
    if (encs.empty()) continue;
    Account* account = sim_.accounts().FindByJid(jid);
    const uint16_t device = jid.has_device() ? jid.device() : 0;
    if (account == nullptr || (device != 0 && !account->devices.contains(device))) {
      spdlog::info("wasim: message {}: no device {}", id, jid.ToString());
      continue;
    }
    if (account == sender && device == self.device()) continue;
    const bool own = account == sender;
    if (encs.size() > 4) encs.resize(4);
    Deliver(wa::Jid::WithDevice(account->phone, std::string(wa::kUserServer), device),
            OneToOneStanza(message, *sender, self.device(), own, encs, sim_.NowS()));
  }
}

void Router::RouteGroup(const wa::Jid& self, const Account& sender, const Node& message,
                        const Group& group) {
  const Node* skmsg = nullptr;
  for (const Node* enc : message.GetChildren("enc")) {
    if (enc->GetAttrText("type") == "skmsg") skmsg = enc;
  }
  // Pairwise copies by (phone, device).
  std::map<std::pair<std::string, uint16_t>, const Node*> pairwise;
  if (const Node* participants = message.GetChild("participants")) {
    for (const Node* target : participants->GetChildren("to")) {
      auto jid = target->GetAttrAsJid("jid");
      const Node* enc = target->GetChild("enc");
      if (!jid.ok() || enc == nullptr) continue;
      if (Account* a = sim_.accounts().FindByJid(*jid)) {
        pairwise[{a->phone, jid->has_device() ? jid->device() : uint16_t{0}}] = enc;
      }
    }
  }
  // Direct <enc> of a retry resend to one participant device.
  std::optional<wa::Jid> only;
  if (auto p = message.GetAttrAsJid("participant"); p.ok()) only = *p;
  // What every copy of the message says about itself (LID-addressed group).
  auto header = [&] {
    Node out("message");
    out.SetAttr("from", group.Jid());
    out.SetAttr("id", message.GetAttrText("id").value_or(""));
    out.SetAttr("participant",
                wa::Jid::WithDevice(sender.lid, std::string(wa::kLidServer), self.device()));
    out.SetAttr("participant_pn", sender.PnJid());
    out.SetAttr("addressing_mode", "lid");
    out.SetAttr("t", std::to_string(sim_.NowS()));
    out.SetAttr("type", message.GetAttrText("type").value_or("text"));
    return out;
  };
  for (const std::string& phone : group.phones) {
    Account* member = sim_.accounts().FindByPhone(phone);
    if (member == nullptr) continue;
    std::vector<uint16_t> devices{0};
    for (const auto& [id, d] : member->devices) devices.push_back(id);
    for (uint16_t device : devices) {
      if (member == &sender && device == self.device()) continue;
      if (only) {
        Account* a = sim_.accounts().FindByJid(*only);
        if (a != member || (only->has_device() ? only->device() : 0) != device) continue;
      }
      Node out = header();
      if (!sender.name.empty()) out.SetAttr("notify", sender.name);
      bool any = false;
      if (auto it = pairwise.find({member->phone, device}); it != pairwise.end()) {
        out.AddChild(*it->second);
        any = true;
      }
      if (only && !any) {
        // A retry resend carries the message twice (§8.12 item 4); forward
        // one copy: the <participants> one when present, else the direct one.
        for (const Node* enc : message.GetChildren("enc")) {
          if (enc->GetAttrText("type") != "skmsg") {
            out.AddChild(*enc);
            any = true;
          }
        }
      }
      if (skmsg != nullptr) {
        out.AddChild(*skmsg);
        any = true;
      }
      if (!any) continue;
      if (const Node* identity = message.GetChild("device-identity")) out.AddChild(*identity);
      Deliver(wa::Jid::WithDevice(member->phone, std::string(wa::kUserServer), device),
              std::move(out));
    }
  }
  // Removed members who capture what the group gets (Group::eavesdroppers):
  // the shared skmsg only, which the sender's new key makes unreadable.
  if (skmsg == nullptr || only) return;
  for (const std::string& phone : group.eavesdroppers) {
    Account* former = sim_.accounts().FindByPhone(phone);
    if (former == nullptr || former == &sender) continue;
    Node out = header();
    out.AddChild(*skmsg);
    Deliver(wa::Jid::WithDevice(former->phone, std::string(wa::kUserServer), 0), std::move(out));
  }
}

void Router::Deliver(const wa::Jid& device, Node stanza) {
  if (device.device() == 0) {
    if (Account* account = sim_.accounts().FindByPhone(device.user())) {
      if (stanza.tag == "message") {
        PhoneReceive(*account, stanza);
      } else if (stanza.tag == "receipt") {
        PhoneReceipt(*account, stanza);
      }
    }
    return;
  }
  auto& queue = pending_[device.ToString()];
  if (queue.size() >= limits_.max_pending_per_device) {
    spdlog::warn("wasim: pending queue of {} is full; dropping {} {}", device.ToString(),
                 stanza.tag, stanza.GetAttrText("id").value_or(""));
    return;
  }
  queue.push_back({stanza.tag, stanza.GetAttrText("id").value_or(""), stanza});
  Touch();
  if (SimConnection* conn = sim_.FindDevice(device)) conn->Send(stanza);
}

std::vector<Node> Router::Pending(const wa::Jid& device) const {
  std::vector<Node> out;
  auto it = pending_.find(device.ToString());
  if (it == pending_.end()) return out;
  for (const auto& p : it->second) out.push_back(p.node);
  return out;
}

size_t Router::PendingCount(const wa::Jid& device) const {
  auto it = pending_.find(device.ToString());
  return it == pending_.end() ? 0 : it->second.size();
}

void Router::ForgetDevice(const wa::Jid& device) {
  pending_.erase(device.ToString());
  history_sent_.erase(device.ToString());
  Touch();
}

bool Router::RemovePending(const wa::Jid& device, std::string_view tag, std::string_view id) {
  auto it = pending_.find(device.ToString());
  if (it == pending_.end()) return false;
  auto& queue = it->second;
  for (auto p = queue.begin(); p != queue.end(); ++p) {
    if (p->tag == tag && p->id == id) {
      queue.erase(p);
      if (queue.empty()) pending_.erase(it);
      Touch();
      return true;
    }
  }
  return false;
}

void Router::OnReceipt(const wa::Jid& self, const Node& receipt, const Reply& reply) {
  Account* receiver = sim_.accounts().FindByPhone(self.user());
  const std::string type = receipt.GetAttrText("type").value_or("");
  const std::vector<std::string> ids = ReceiptIds(receipt);
  // The receipt is the device's acknowledgement of the messages [§8.9].
  for (const std::string& id : ids) RemovePending(self, "message", id);
  // Server ack of the receipt [§8.11].
  Node ack("ack");
  ack.SetAttr("class", "receipt");
  ack.SetAttr("id", receipt.GetAttrText("id").value_or(""));
  if (auto to = receipt.GetAttrAsJid("to"); to.ok()) ack.SetAttr("from", *to);
  if (!type.empty()) ack.SetAttr("type", type);
  reply(ack);
  if (receiver == nullptr || ids.empty()) return;
  // Receipts about the device's own sends or peer traffic stay here.
  if (type == "sender" || type == "peer_msg" || type == "hist_sync" || type == "inactive-self" ||
      type == "server-error") {
    return;
  }
  // 'inactive' is a delivery receipt from a device that is not online; the
  // sender sees a plain delivery receipt.
  RouteReceipt(*receiver, self.device(), ids, type == "inactive" ? "" : type,
               receipt.GetAttrText("t").value_or(std::to_string(sim_.NowS())), receipt);
}

void Router::RouteReceipt(Account& receiver, uint16_t device, const std::vector<std::string>& ids,
                          const std::string& type, const std::string& t, const Node& original) {
  auto it = index_.find(ids.front());
  if (it == index_.end()) return;
  const SentRecord record = it->second;
  if (record.sender.user() == receiver.phone) return;  // own devices' receipts for own sends
  auto chat = wa::Jid::Parse(record.chat);
  const bool group = chat.ok() && chat->IsGroup();
  Node out("receipt");
  out.SetAttr("id", ids.front());
  const wa::Jid receiver_device =
      device == 0 ? receiver.LidJid()
                  : wa::Jid::WithDevice(receiver.lid, std::string(wa::kLidServer), device);
  if (group) {
    out.SetAttr("from", *chat);
    out.SetAttr("participant", receiver_device);
  } else if (type == "retry") {
    // The requester is the device itself [§8.12].
    out.SetAttr("from", receiver_device);
  } else if (chat.ok() && chat->IsLid()) {
    out.SetAttr("from", receiver.LidJid());
  } else {
    out.SetAttr("from", receiver.PnJid());
  }
  out.SetAttr("t", t);
  if (!type.empty()) out.SetAttr("type", type);
  for (const Node& child : original.children()) out.AddChild(child);
  Deliver(record.sender, std::move(out));
}

void Router::OnAck(const wa::Jid& self, const Node& ack) {
  const std::string cls = ack.GetAttrText("class").value_or("");
  const std::string id = ack.GetAttrText("id").value_or("");
  // A message nack (error='500' after a failed decryption) does not settle
  // it: the retry receipt before it did, and a resend may already be queued.
  if (cls == "message" && ack.HasAttr("error")) return;
  if (cls == "receipt" || cls == "notification" || cls == "message") {
    RemovePending(self, cls, id);
  }
}

}  // namespace sim
