// Groups: created by the admin API, LID-addressed, answered to w:g2 queries,
// announced to members' devices with a w:gp2 create notification
// [whatsapp-protocol.md §8.10 step 1]; changed by the admin API and by
// members' w:g2 set iqs. Saved by router_state.cc.
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
  Node create("create");
  create.AddChild(GroupNode(stored));
  NotifyGroup(stored, stored.phones, create);
  Touch();
  spdlog::info("wasim: group {} '{}' with {} members", stored.Jid().ToString(), stored.subject,
               stored.phones.size());
  return &stored;
}

// <notification from=group type='w:gp2' participant=creator …><child/></notification>
// to every companion of `to` (queued until acked).
void Router::NotifyGroup(const Group& group, const std::vector<std::string>& to, const Node& child,
                         std::string_view actor) {
  const Account* creator =
      sim_.accounts().FindByPhone(actor.empty() ? std::string_view(group.phones.front()) : actor);
  for (const std::string& phone : to) {
    Account* member = sim_.accounts().FindByPhone(phone);
    if (member == nullptr) continue;
    for (const auto& [d, _] : member->devices) {
      Node n("notification");
      n.SetAttr("from", group.Jid());
      n.SetAttr("type", "w:gp2");
      n.SetAttr("id", sim_.NextId());
      if (creator != nullptr) {
        n.SetAttr("participant", creator->LidJid());
        n.SetAttr("participant_pn", creator->PnJid());
        if (!creator->name.empty()) n.SetAttr("notify", creator->name);
      }
      n.SetAttr("addressing_mode", "lid");
      n.SetAttr("t", std::to_string(sim_.NowS()));
      n.AddChild(child);
      Deliver(wa::Jid::WithDevice(phone, std::string(wa::kUserServer), d), std::move(n));
    }
  }
}

std::vector<const Group*> Router::Groups() const {
  std::vector<const Group*> out;
  for (const auto& [_, g] : groups_) out.push_back(&g);
  return out;
}

base::Result<const Group*> Router::ChangeMembers(const wa::Jid& jid, const MemberChange& change) {
  const std::vector<std::string>& add = change.add;
  const std::vector<std::string>& remove = change.remove;
  auto it = groups_.find(jid.ToNonAd().ToString());
  if (it == groups_.end()) return base::NotFound("group " + jid.ToString() + " not found");
  Group& group = it->second;
  std::vector<std::string> added, removed;
  for (const std::string& phone : add) {
    if (sim_.accounts().FindByPhone(phone) == nullptr) {
      return base::NotFound("account " + phone + " not found");
    }
    if (std::find(group.phones.begin(), group.phones.end(), phone) == group.phones.end() &&
        std::find(added.begin(), added.end(), phone) == added.end()) {
      added.push_back(phone);
    }
  }
  for (const std::string& phone : remove) {
    if (std::find(group.phones.begin(), group.phones.end(), phone) != group.phones.end() &&
        std::find(removed.begin(), removed.end(), phone) == removed.end()) {
      removed.push_back(phone);
    }
  }
  if (group.phones.size() + added.size() - removed.size() == 0) {
    return base::InvalidArgument("a group keeps at least one member");
  }
  if (group.phones.size() + added.size() > limits_.max_group_size + removed.size()) {
    return base::InvalidArgument("group too large");
  }
  auto participants = [&](std::string tag, const std::vector<std::string>& phones) {
    Node child(std::move(tag));
    for (const std::string& phone : phones) {
      const Account* a = sim_.accounts().FindByPhone(phone);
      Node p("participant");
      p.SetAttr("jid", a->LidJid());
      p.SetAttr("phone_number", a->PnJid());
      child.AddChild(std::move(p));
    }
    return child;
  };
  if (!removed.empty()) {
    const std::vector<std::string> before = group.phones;
    std::erase_if(group.phones, [&](const std::string& p) {
      return std::find(removed.begin(), removed.end(), p) != removed.end();
    });
    // The actor is named before it may have removed itself (a leave).
    std::string actor = change.actor;
    if (actor.empty()) actor = before.front();
    NotifyGroup(group, before, participants("remove", removed), actor);
    if (change.eavesdrop) {
      for (const std::string& phone : removed) {
        if (std::find(group.eavesdroppers.begin(), group.eavesdroppers.end(), phone) ==
            group.eavesdroppers.end()) {
          group.eavesdroppers.push_back(phone);
        }
      }
    }
    // Removed members must not read what follows: the phones start new
    // sender keys (companions manage their own).
    for (const std::string& phone : group.phones) {
      Account* a = sim_.accounts().FindByPhone(phone);
      if (auto c = crypto_.find(phone); a != nullptr && c != crypto_.end()) {
        c->second->ForgetOwnSenderKey(group.Jid().ToString(), PhoneCrypto::AddressOf(*a, 0));
      }
    }
  }
  if (!added.empty()) {
    group.phones.insert(group.phones.end(), added.begin(), added.end());
    std::erase_if(group.eavesdroppers, [&](const std::string& p) {
      return std::find(added.begin(), added.end(), p) != added.end();
    });
    NotifyGroup(group, group.phones, participants("add", added), change.actor);
  }
  Touch();
  spdlog::info("wasim: group {}: +{} -{} → {} members", group.Jid().ToString(), added.size(),
               removed.size(), group.phones.size());
  return &group;
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
  // Client-side changes [B: groups.ts]: any member may change the group
  // (admin rights are not modelled).
  auto phones_of = [&](const Node& parent) -> base::Result<std::vector<std::string>> {
    std::vector<std::string> phones;
    for (const Node* p : parent.GetChildren("participant")) {
      auto jid = p->GetAttrAsJid("jid");
      Account* a = jid.ok() ? sim_.accounts().FindByJid(*jid) : nullptr;
      if (a == nullptr) return base::NotFound("participant not found");
      phones.push_back(a->phone);
    }
    if (phones.size() > limits_.max_group_size) return base::InvalidArgument("too many");
    return phones;
  };
  auto to_error = [&](const base::Status& s) {
    return ErrorFor(iq, s.code() == base::Code::kNotFound ? 404 : 400,
                    s.code() == base::Code::kNotFound ? "item-not-found" : "bad-request");
  };
  if (iq.GetAttrText("type") == "set") {
    if (const Node* create = iq.GetChild("create")) {
      auto phones = phones_of(*create);
      if (!phones.ok()) return to_error(phones.status());
      phones->insert(phones->begin(), self);
      auto group = CreateGroup(create->GetAttrText("subject").value_or(""), *phones);
      if (!group.ok()) return to_error(group.status());
      Node out = ResultFor(iq);
      out.AddChild(GroupNode(**group));
      return out;
    }
    if (const Node* leave = iq.GetChild("leave")) {
      for (const Node* g : leave->GetChildren("group")) {
        auto jid = wa::Jid::Parse(g->GetAttrText("id").value_or("") + "@g.us");
        if (auto id = g->GetAttrText("id"); id && id->find('@') != std::string::npos) {
          jid = wa::Jid::Parse(*id);
        }
        const Group* group = jid.ok() ? FindGroup(*jid) : nullptr;
        if (group == nullptr || !member(*group)) return ErrorFor(iq, 404, "item-not-found");
        if (group->phones.size() == 1) {
          groups_.erase(group->Jid().ToString());
          Touch();
        } else if (auto r = ChangeMembers(
                       group->Jid(),
                       MemberChange{
                           .add = {}, .remove = {self}, .actor = self, .eavesdrop = false});
                   !r.ok()) {
          return to_error(r.status());
        }
      }
      return ResultFor(iq);
    }
    auto to = iq.GetAttrAsJid("to");
    Group* group = nullptr;
    if (to.ok()) {
      auto it = groups_.find(to->ToNonAd().ToString());
      if (it != groups_.end()) group = &it->second;
    }
    if (group == nullptr) return ErrorFor(iq, 404, "item-not-found");
    if (!member(*group)) return ErrorFor(iq, 403, "forbidden");
    if (const Node* subject = iq.GetChild("subject")) {
      std::string text = ContentBytes(*subject).value_or("");
      if (text.empty() || text.size() > 100) return ErrorFor(iq, 400, "bad-request");
      group->subject = std::move(text);
      NotifyGroup(*group, group->phones, Node("subject", {{"subject", group->subject}}));
      Touch();
      return ResultFor(iq);
    }
    for (const char* action : {"add", "remove"}) {
      const Node* change = iq.GetChild(action);
      if (change == nullptr) continue;
      auto phones = phones_of(*change);
      if (!phones.ok()) return to_error(phones.status());
      const bool add = std::string_view(action) == "add";
      MemberChange member_change;
      (add ? member_change.add : member_change.remove) = *phones;
      member_change.actor = self;
      auto r = ChangeMembers(group->Jid(), member_change);
      if (!r.ok()) return to_error(r.status());
      Node out = ResultFor(iq);
      Node echo(action);
      for (const Node* p : change->GetChildren("participant")) {
        echo.AddChild(Node("participant", p->attrs));
      }
      out.AddChild(std::move(echo));
      return out;
    }
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
