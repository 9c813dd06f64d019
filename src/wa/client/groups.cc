// Groups on the messaging layer [whatsapp-protocol.md §7.5, §8.10]: the
// metadata the send path uses (cached in MessagingState), and the w:gp2
// notifications that change it. When someone leaves or is removed, our own
// sender key for the group is thrown away before the notification is acked,
// so the next send makes a fresh one and distributes it (SKDM) only to the
// devices still in the group: a removed member keeps the old chain key but
// cannot read what follows. The WhatsApp security whitepaper says the apps
// do this ("sender keys … rotated when a member leaves"); Baileys 7 does not
// (it clears sender-key-memory only for retry receipts, messages-recv.js),
// and the protocol does not need it: the server never sees the keys.
#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>

#include "base/offload.h"
#include "wa/client/messenger.h"
#include "wa/iq/group.h"
#include "wa/iq/iq.h"

namespace wa::client {

namespace asio = boost::asio;
using binary::Node;

asio::awaitable<base::Result<MessagingState::GroupInfo>> Messenger::GroupInfoFor(const Jid& group,
                                                                                 uint64_t epoch) {
  if (std::optional<MessagingState::GroupInfo> cached = state_.GetGroup(group.ToString())) {
    co_return std::move(*cached);
  }
  base::Result<Node> reply = co_await link_.LinkQuery(iq::BuildGroupMetadataQuery(group));
  if (!reply.ok()) co_return reply.status().WithContext("group metadata");
  base::Result<iq::GroupMetadata> meta = iq::ParseGroupMetadata(*reply);
  if (!meta.ok()) co_return base::FailedPrecondition(meta.status().message());
  MessagingState::GroupInfo info;
  info.addressing_mode = meta->addressing_mode;
  for (const iq::GroupParticipant& p : meta->participants) {
    if (!p.phone_number.IsEmpty()) LearnMapping(p.jid, p.phone_number);
    info.participants.push_back(p.jid.ToString());
  }
  state_.PutGroup(group.ToString(), info, epoch);
  co_return info;
}

bool Messenger::IsGroupMember(const MessagingState::GroupInfo& info, const Jid& device) const {
  Jid user = device.ToNonAd();
  // The member list and the device may use different addressing (PN ↔ LID).
  std::string other;
  if (user.IsPnUser()) {
    if (std::optional<std::string> lid = state_.LidForPn(user.user())) {
      other = Jid(*lid, std::string(kLidServer)).ToString();
    }
  } else if (user.IsLid()) {
    if (std::optional<std::string> pn = state_.PnForLid(user.user())) {
      other = Jid(*pn, std::string(kUserServer)).ToString();
    }
  }
  for (const std::string& p : info.participants) {
    if (p == user.ToString() || (!other.empty() && p == other)) return true;
  }
  return false;
}

base::Status Messenger::ForgetOwnSenderKey(const Jid& group, const OwnIds& own) {
  // Under both identities we may have keyed it with (the group's
  // addressing mode decides which one a send used), and who has it.
  std::vector<signal::KeyWrite> writes;
  for (const Jid& me : {own.pn, own.lid}) {
    if (me.IsEmpty()) continue;
    signal::SenderKeyName name{group.ToString(), RawAddress(me)};
    writes.push_back({std::string(signal::kSenderKeyType), name.ToString(), std::nullopt});
  }
  writes.push_back({std::string(kSenderKeyMemoryType), group.ToString(), std::nullopt});
  return kv_.Write(writes);
}

asio::awaitable<bool> Messenger::OnGroupNotification(const Node& node) {
  base::Result<iq::GroupNotification> parsed = iq::ParseGroupNotification(node);
  if (!parsed.ok()) {
    // Nothing we could act on; acked so the server does not resend it forever.
    spdlog::warn("wa messaging: bad w:gp2 notification: {}", parsed.status().ToString());
    co_return true;
  }
  bool members_changed = false;
  bool someone_left = false;
  for (const iq::GroupChange& change : parsed->changes) {
    for (const iq::GroupParticipant& p : change.participants) {
      if (!p.phone_number.IsEmpty()) LearnMapping(p.jid, p.phone_number);
    }
    members_changed = members_changed || change.ChangesMembers();
    someone_left = someone_left || change.RemovesMembers();
  }
  if (!members_changed) co_return true;
  // First, so a send that read the old list starts over (GroupEpoch).
  state_.InvalidateGroup(parsed->group.ToString());
  if (!someone_left || context_ == nullptr) co_return true;
  base::Result<OwnIds> own = Own();
  if (!own.ok()) co_return true;
  co_await LockSignal();
  SignalLockGuard unlock{this};
  base::Status forgotten =
      co_await base::Offload(blocking_, [&] { return ForgetOwnSenderKey(parsed->group, *own); });
  if (!forgotten.ok()) {
    // Persist, then ack: unacked, the server sends it again at the next login.
    spdlog::error("wa messaging: sender key rotation for {}: {}", parsed->group.ToString(),
                  forgotten.ToString());
    co_return false;
  }
  spdlog::info("wa messaging: {}: a member left; new sender key on the next send",
               parsed->group.ToString());
  co_return true;
}

}  // namespace wa::client
