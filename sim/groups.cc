// Groups: created by the admin API, LID-addressed, answered to w:g2 queries,
// announced to members' devices with a w:gp2 create notification
// [whatsapp-protocol.md §8.10 step 1]. Memory only.
#include <spdlog/spdlog.h>

#include "sim/connection.h"
#include "sim/router.h"
#include "sim/simulator.h"

namespace sim {

base::Result<const Group*> Router::CreateGroup(std::string_view subject,
                                               const std::vector<std::string>& phones) {
  if (subject.empty() || subject.size() > 100) {
    return base::InvalidArgument("subject must be 1..100 bytes");
  }
  if (phones.empty() || phones.size() > limits_.max_group_size) {
    return base::InvalidArgument("participants must hold 1.." +
                                 std::to_string(limits_.max_group_size) + " phones");
  }
  if (groups_.size() >= limits_.max_groups) return base::ResourceExhausted("too many groups");
  Group group;
  for (const std::string& phone : phones) {
    if (sim_.accounts().FindByPhone(phone) == nullptr) {
      return base::NotFound("account " + phone + " not found");
    }
    if (std::find(group.phones.begin(), group.phones.end(), phone) == group.phones.end()) {
      group.phones.push_back(phone);
    }
  }
  // 120363 + 12 digits, like real group ids.
  std::string n = std::to_string(next_group_++);
  group.id = "120363" + std::string(12 - std::min<size_t>(12, n.size()), '0') + n;
  group.subject = std::string(subject);
  group.creation = sim_.NowS();
  const Group& stored = groups_[group.Jid().ToString()] = std::move(group);
  // <notification from=group type='w:gp2' participant=creator><create><group…/></create>
  const Account* creator = sim_.accounts().FindByPhone(stored.phones.front());
  for (const std::string& phone : stored.phones) {
    Account* member = sim_.accounts().FindByPhone(phone);
    for (const auto& [d, _] : member->devices) {
      Node create("create");
      create.AddChild(GroupNode(stored));
      Node n2("notification");
      n2.SetAttr("from", stored.Jid());
      n2.SetAttr("type", "w:gp2");
      n2.SetAttr("id", sim_.NextId());
      n2.SetAttr("participant", creator->LidJid());
      n2.SetAttr("participant_pn", creator->PnJid());
      n2.SetAttr("addressing_mode", "lid");
      n2.SetAttr("t", std::to_string(stored.creation));
      if (!creator->name.empty()) n2.SetAttr("notify", creator->name);
      n2.AddChild(std::move(create));
      Deliver(wa::Jid::WithDevice(phone, std::string(wa::kUserServer), d), std::move(n2));
    }
  }
  Touch();
  spdlog::info("wasim: group {} '{}' with {} members", stored.Jid().ToString(), stored.subject,
               stored.phones.size());
  return &stored;
}

const Group* Router::FindGroup(const wa::Jid& jid) const {
  auto it = groups_.find(jid.ToNonAd().ToString());
  return it == groups_.end() ? nullptr : &it->second;
}

Node Router::GroupNode(const Group& group) const {
  const Account* creator = sim_.accounts().FindByPhone(group.phones.front());
  Node g("group");
  g.SetAttr("id", group.id);
  g.SetAttr("subject", group.subject);
  g.SetAttr("s_t", std::to_string(group.creation));
  g.SetAttr("creation", std::to_string(group.creation));
  if (creator != nullptr) {
    g.SetAttr("s_o", creator->LidJid());
    g.SetAttr("creator", creator->LidJid());
    g.SetAttr("creator_pn", creator->PnJid());
  }
  g.SetAttr("addressing_mode", "lid");
  g.SetAttr("size", std::to_string(group.phones.size()));
  for (const std::string& phone : group.phones) {
    const Account* a = sim_.accounts().FindByPhone(phone);
    if (a == nullptr) continue;
    Node p("participant");
    p.SetAttr("jid", a->LidJid());
    p.SetAttr("phone_number", a->PnJid());
    if (phone == group.phones.front()) p.SetAttr("type", "superadmin");
    g.AddChild(std::move(p));
  }
  return g;
}

Node Router::HandleGroupIq(SimConnection& conn, const Node& iq) {
  const std::string self = conn.device_jid()->user();
  auto member = [&](const Group& g) {
    return std::find(g.phones.begin(), g.phones.end(), self) != g.phones.end();
  };
  if (const Node* query = iq.GetChild("query")) {
    (void)query;
    auto to = iq.GetAttrAsJid("to");
    const Group* group = to.ok() ? FindGroup(*to) : nullptr;
    if (group == nullptr) return ErrorFor(iq, 404, "item-not-found");
    if (!member(*group)) return ErrorFor(iq, 403, "forbidden");
    Node out = ResultFor(iq);
    out.SetAttr("from", group->Jid());
    out.AddChild(GroupNode(*group));
    return out;
  }
  if (iq.GetChild("participating") != nullptr) {
    Node groups("groups");
    for (const auto& [_, g] : groups_) {
      if (member(g)) groups.AddChild(GroupNode(g));
    }
    Node out = ResultFor(iq);
    out.AddChild(std::move(groups));
    return out;
  }
  spdlog::info("wasim: unhandled w:g2 iq: {}", iq.DebugString());
  return ErrorFor(iq, 501, "feature-not-implemented");
}

}  // namespace sim
