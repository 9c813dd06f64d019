// Groups: the metadata query the send path needs and the w:gp2 membership
// notifications that make a cached copy stale [whatsapp-protocol.md §7.5,
// §8.10 step 1; B: src/Socket/groups.ts `groupMetadata`,
// src/Socket/messages-recv.ts `handleGroupNotification`].
//   <iq type='get' xmlns='w:g2' to='<group>'><query request='interactive'/></iq>
//   → <iq type='result' from='<group>'><group id subject addressing_mode='lid'
//        size …><participant jid='<lid>@lid' phone_number='<pn>' [type]/>…</group></iq>
//   <notification type='w:gp2' from='<group>' id participant='<actor>'
//        [participant_pn] t><add|remove|leave|promote|demote|…>
//        <participant jid [phone_number]/>…</…></notification>
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace wa::iq {

binary::Node BuildGroupMetadataQuery(const Jid& group);

struct GroupParticipant {
  Jid jid;           // user JID, no device: "<lid>@lid" or "<pn>@s.whatsapp.net"
  Jid phone_number;  // the PN user when `jid` is a LID and the server says; else empty
};

struct GroupMetadata {
  Jid jid;                      // the group, "<id>@g.us"
  std::string addressing_mode;  // "lid" or "pn" (absent on the wire → "pn")
  std::vector<GroupParticipant> participants;
};
// kInvalidArgument without <group> or with a participant whose jid does not
// parse; more than kMaxGroupParticipants participants is kInvalidArgument too.
base::Result<GroupMetadata> ParseGroupMetadata(const binary::Node& reply);
inline constexpr size_t kMaxGroupParticipants = 5000;

// One child of a w:gp2 notification.
struct GroupChange {
  std::string action;  // the child's tag: add, remove, leave, promote, subject, create…
  std::vector<GroupParticipant> participants;  // <participant> children (may be empty)
  // add, remove, leave, create, modify: the member list is no longer what a
  // cache holds.
  bool ChangesMembers() const;
  // remove, leave: someone who had our sender key is out [§8.10].
  bool RemovesMembers() const;
};
struct GroupNotification {
  Jid group;
  Jid actor;  // `participant` attribute; empty when absent
  std::vector<GroupChange> changes;
};
// kInvalidArgument unless type='w:gp2' with a group `from`.
base::Result<GroupNotification> ParseGroupNotification(const binary::Node& node);

}  // namespace wa::iq
