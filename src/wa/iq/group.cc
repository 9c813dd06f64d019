#include "wa/iq/group.h"

#include "wa/iq/iq.h"

namespace wa::iq {

using binary::Node;

namespace {

// <participant jid [phone_number]/> children; bad jids fail the whole parse
// (a member silently missing would mean a device without our sender key).
base::Result<std::vector<GroupParticipant>> Participants(const Node& parent) {
  std::vector<GroupParticipant> out;
  for (const Node* p : parent.GetChildren("participant")) {
    if (out.size() >= kMaxGroupParticipants) {
      return base::InvalidArgument("more than " + std::to_string(kMaxGroupParticipants) +
                                   " participants");
    }
    base::Result<Jid> jid = p->GetAttrAsJid("jid");
    if (!jid.ok()) return base::InvalidArgument("participant jid: " + jid.status().message());
    GroupParticipant participant{.jid = jid->ToNonAd(), .phone_number = {}};
    if (base::Result<Jid> pn = p->GetAttrAsJid("phone_number"); pn.ok() && pn->IsPnUser()) {
      participant.phone_number = pn->ToNonAd();
    }
    out.push_back(std::move(participant));
  }
  return out;
}

}  // namespace

Node BuildGroupMetadataQuery(const Jid& group) {
  Node query = NewIq("get", "w:g2", {Node("query", {{"request", "interactive"}})});
  query.SetAttr("to", group);
  return query;
}

base::Result<GroupMetadata> ParseGroupMetadata(const Node& reply) {
  const Node* group = reply.GetChild("group");
  if (group == nullptr) return base::InvalidArgument("group metadata: no <group>");
  GroupMetadata out;
  std::string id = group->GetAttrText("id").value_or("");
  // `id` may be the bare number or the whole JID [§8.10 step 1].
  if (id.find('@') == std::string::npos) id += "@g.us";
  base::Result<Jid> jid = Jid::Parse(id);
  if (!jid.ok() || !jid->IsGroup()) return base::InvalidArgument("group metadata: bad id " + id);
  out.jid = *jid;
  out.addressing_mode = group->GetAttrText("addressing_mode").value_or("pn");
  if (out.addressing_mode != "lid") out.addressing_mode = "pn";
  base::Result<std::vector<GroupParticipant>> participants = Participants(*group);
  if (!participants.ok()) return participants.status().WithContext("group metadata");
  out.participants = std::move(*participants);
  return out;
}

bool GroupChange::ChangesMembers() const {
  return action == "add" || action == "remove" || action == "leave" || action == "create" ||
         action == "modify";
}

bool GroupChange::RemovesMembers() const { return action == "remove" || action == "leave"; }

base::Result<GroupNotification> ParseGroupNotification(const Node& node) {
  if (node.tag != "notification" || node.GetAttrText("type") != "w:gp2") {
    return base::InvalidArgument("not a w:gp2 notification");
  }
  base::Result<Jid> from = node.GetAttrAsJid("from");
  if (!from.ok() || !from->IsGroup()) return base::InvalidArgument("w:gp2: from is not a group");
  GroupNotification out;
  out.group = from->ToNonAd();
  if (base::Result<Jid> actor = node.GetAttrAsJid("participant"); actor.ok()) {
    out.actor = actor->ToNonAd();
  }
  for (const Node& child : node.children()) {
    GroupChange change{.action = child.tag, .participants = {}};
    // <create> holds a whole <group>; its members are in there.
    const Node* holder = child.tag == "create" ? child.GetChild("group") : &child;
    if (holder != nullptr) {
      base::Result<std::vector<GroupParticipant>> participants = Participants(*holder);
      if (!participants.ok()) return participants.status().WithContext("w:gp2 " + child.tag);
      change.participants = std::move(*participants);
    }
    out.changes.push_back(std::move(change));
  }
  return out;
}

}  // namespace wa::iq
