// Sends [whatsapp-protocol.md §8.6–8.8, §8.10]: device lists (usync, cached
// in MessagingState), sessions from pre-key bundles, one <enc> per device
// (device-sent wrapper for our own devices; sender keys for groups), then
// the server's ack.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

#include "base/offload.h"
#include "wa/client/messenger.h"
#include "wa/iq/bundles.h"
#include "wa/iq/iq.h"
#include "wa/signal/group.h"
#include "wa/signal/padding.h"

namespace wa::client {

namespace asio = boost::asio;
using binary::Node;

namespace {

std::set<std::string> SplitLines(const std::string& text) {
  std::set<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.insert(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

asio::awaitable<base::Result<std::vector<iq::UsyncUser>>> Messenger::FetchDevices(
    const std::vector<Jid>& users, bool force) {
  std::vector<iq::UsyncUser> out;
  std::vector<Jid> missing;
  for (const Jid& user : users) {
    std::optional<MessagingState::Devices> cached =
        force ? std::nullopt : state_.GetDevices(user.ToString());
    if (!cached) {
      missing.push_back(user);
      continue;
    }
    iq::UsyncUser entry;
    entry.jid = user;
    for (uint32_t id : cached->ids) entry.devices.push_back(iq::UsyncDevice{.id = uint16_t(id)});
    out.push_back(std::move(entry));
  }
  if (missing.empty()) co_return out;
  std::string sid = std::to_string(clock_.NowMs()) + "-" + std::to_string(++next_sid_);
  base::Result<Node> reply = co_await link_.LinkQuery(iq::BuildUsyncDevices(missing, sid));
  if (!reply.ok()) co_return reply.status().WithContext("usync");
  base::Result<std::vector<iq::UsyncUser>> parsed = iq::ParseUsyncDevices(*reply);
  if (!parsed.ok()) co_return parsed.status();
  for (iq::UsyncUser& user : *parsed) {
    if (user.lid) LearnMapping(user.jid.ToNonAd(), user.lid->ToNonAd());
    if (!user.error) {
      MessagingState::Devices devices;
      for (const iq::UsyncDevice& d : user.devices) devices.ids.push_back(d.id);
      state_.PutDevices(user.jid.ToNonAd().ToString(), std::move(devices));
    }
    out.push_back(std::move(user));
  }
  co_return out;
}

// Every device of `users` (own user included when listed) except our own
// sending device, addressed PN or LID as the chat is [§8.6].
asio::awaitable<base::Result<std::vector<Messenger::Recipient>>> Messenger::DevicesOf(
    const std::vector<Jid>& users, const OwnIds& own, bool lid_addressing) {
  base::Result<std::vector<iq::UsyncUser>> fetched = co_await FetchDevices(users, false);
  if (!fetched.ok()) co_return fetched.status();
  std::vector<Recipient> out;
  std::set<std::string> seen;
  for (const iq::UsyncUser& user : *fetched) {
    Jid base = user.jid.ToNonAd();
    bool own_user = own.IsOwnUser(base);
    if (user.error || user.devices.empty()) {
      if (own_user) continue;
      co_return base::NotFound(base.ToString() + " is not on WhatsApp");
    }
    if (own_user) {
      base = lid_addressing && !own.lid.IsEmpty() ? own.lid.ToNonAd() : own.pn.ToNonAd();
    } else if (lid_addressing && base.IsPnUser()) {
      if (std::optional<std::string> lid = state_.LidForPn(base.user())) {
        base = Jid(*lid, std::string(kLidServer));
      }
    }
    for (const iq::UsyncDevice& d : user.devices) {
      if (own_user && d.id == own.pn.device()) continue;
      if (d.id == kHostedDevice) continue;
      Jid device = d.id == 0 ? base : base.WithDeviceOf(d.id);
      if (!seen.insert(device.ToString()).second) continue;
      out.push_back(Recipient{.device = device, .address = AddressOf(device), .own = own_user});
    }
  }
  co_return out;
}

// Builds sessions from pre-key bundles for the recipients without one (all
// of them when `force`). REQUIRES: the Signal lock.
asio::awaitable<base::Status> Messenger::EnsureSessions(const std::vector<Recipient>& recipients,
                                                        bool force) {
  signal::LocalIdentity local = Local();
  std::vector<Jid> need;
  if (force) {
    for (const Recipient& r : recipients) need.push_back(r.device);
  } else {
    base::Result<std::vector<Jid>> missing =
        co_await base::Offload(blocking_, [&]() -> base::Result<std::vector<Jid>> {
          WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, kv_, local));
          std::vector<Jid> out;
          for (const Recipient& r : recipients) {
            WAGATE_ASSIGN_OR_RETURN(bool has, stores->HasSession(r.address));
            if (!has) out.push_back(r.device);
          }
          return out;
        });
    if (!missing.ok()) co_return missing.status();
    need = std::move(*missing);
  }
  if (need.empty()) co_return base::Status::Ok();
  // Bundles are asked for by LID device JID whenever a mapping is known.
  std::vector<Jid> query;
  for (const Jid& device : need) {
    Jid jid = device;
    if (device.IsPnUser()) {
      if (std::optional<std::string> lid = state_.LidForPn(device.user())) {
        jid = device.has_device() ? Jid::WithDevice(*lid, std::string(kLidServer), device.device())
                                  : Jid(*lid, std::string(kLidServer));
      }
    }
    query.push_back(jid);
  }
  base::Result<Node> reply = co_await link_.LinkQuery(iq::BuildPreKeyBundleQuery(query, force));
  if (!reply.ok()) co_return reply.status().WithContext("pre-key bundles");
  base::Result<std::vector<iq::PreKeyBundle>> bundles = iq::ParsePreKeyBundles(*reply);
  if (!bundles.ok()) co_return bundles.status();
  // Written directly, so after every staged send state (rare: new devices).
  co_await FlushCommits();
  co_return co_await base::Offload(blocking_, [&]() -> base::Status {
    OverlayKv overlay(kv_);
    WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, local));
    for (const iq::PreKeyBundle& b : *bundles) {
      signal::PreKeyBundle bundle;
      bundle.registration_id = b.registration_id;
      bundle.device_id = b.jid.device();
      bundle.identity_key = b.identity;
      bundle.signed_pre_key_id = b.signed_prekey.id;
      bundle.signed_pre_key_public = b.signed_prekey.public_key;
      bundle.signed_pre_key_signature = b.signed_prekey.signature;
      if (b.prekey) {
        bundle.pre_key_id = b.prekey->id;
        bundle.pre_key_public = b.prekey->public_key;
      }
      WAGATE_RETURN_IF_ERROR(signal::ProcessPreKeyBundle(*stores, AddressOf(b.jid), bundle)
                                 .WithContext(b.jid.ToString()));
    }
    return overlay.Commit();
  });
}

std::vector<std::pair<std::string, std::string>> Messenger::SaveLidMappings(OverlayKv& overlay) {
  std::vector<std::pair<std::string, std::string>> mappings = state_.TakeUnsavedLidMappings();
  std::vector<signal::KeyWrite> writes;
  writes.reserve(mappings.size());
  for (const auto& [pn, lid] : mappings) {
    writes.push_back({std::string(MessagingState::kLidMappingType), pn, lid});
  }
  if (!writes.empty()) (void)overlay.Write(writes);  // buffers; never fails
  return mappings;
}

asio::awaitable<base::Result<SendResult>> Messenger::SendMessage(SendRequest request) {
  if (!link_.LinkOpen()) co_return base::Unavailable("not connected");
  if (context_ == nullptr) co_return base::Internal("no signal context");
  base::Result<OwnIds> own = Own();
  if (!own.ok()) co_return own.status();
  base::Result<Jid> to = Jid::Parse(request.to);
  if (!to.ok()) co_return base::InvalidArgument("bad recipient: " + to.status().message());
  Jid chat = to->NormalizedUser();
  if (!chat.IsGroup() && !(chat.IsPnUser() || chat.IsLid())) {
    co_return base::InvalidArgument("cannot send to " + request.to);
  }
  if (request.message.empty()) co_return base::InvalidArgument("empty message");
  if (request.id.empty()) request.id = NewMessageId(random_);
  if (request.type.empty()) request.type = "text";
  if (chat.IsGroup()) co_return co_await SendGroup(request, chat, *own);
  co_return co_await SendDirect(request, chat, *own);
}

asio::awaitable<base::Result<SendResult>> Messenger::SendDirect(const SendRequest& request,
                                                                const Jid& chat,
                                                                const OwnIds& own) {
  bool lid = chat.IsLid();
  std::vector<Jid> users{chat, own.pn.ToNonAd()};
  if (own.IsOwnUser(chat)) users.pop_back();
  base::Result<std::vector<Recipient>> recipients = co_await DevicesOf(users, own, lid);
  if (!recipients.ok()) co_return recipients.status();
  bool any_peer = std::any_of(recipients->begin(), recipients->end(),
                              [](const Recipient& r) { return !r.own; });
  if (!any_peer && !own.IsOwnUser(chat)) {
    co_return base::NotFound(chat.ToString() + " is not on WhatsApp");
  }
  base::Result<std::string> wrapped = WrapDeviceSent(request.message, chat.ToString());
  if (!wrapped.ok()) co_return base::InvalidArgument("bad message: " + wrapped.status().message());

  std::shared_ptr<Outgoing> queued;
  {
    co_await LockSignal(/*flush=*/false);
    SignalLockGuard unlock{this};
    signal::LocalIdentity local = Local();
    // One hand-off in the common case: check the sessions, encrypt, stage.
    // Only when a device has no session yet do the bundles come first.
    bool need_sessions = false;
    Staged staged;
    auto encrypt_on = [&](signal::KeyValueStore& records) -> base::Result<std::vector<DeviceEnc>> {
      OverlayKv overlay(records);
      WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, local));
      for (const Recipient& r : *recipients) {
        WAGATE_ASSIGN_OR_RETURN(bool has, stores->HasSession(r.address));
        if (!has) {
          need_sessions = true;
          return std::vector<DeviceEnc>();
        }
      }
      std::vector<DeviceEnc> result;
      for (const Recipient& r : *recipients) {
        const std::string& plain = r.own ? *wrapped : request.message;
        WAGATE_ASSIGN_OR_RETURN(signal::EncryptedMessage enc,
                                signal::Encrypt(*stores, r.address, signal::Pad(plain, random_)));
        result.push_back(DeviceEnc{r.device, std::string(signal::MessageTypeName(enc.type)),
                                   std::move(enc.ciphertext)});
      }
      staged = StageSend(overlay);
      return result;
    };
    auto encrypt = [&] { return encrypt_on(kv_); };
    // Right here on the strand when every record it reads is in memory (a
    // chat in use): no hand-off to the pool and back. A miss, or any error:
    // again on the pool, from the store.
    InMemoryKv in_memory(kv_);
    base::Result<std::vector<DeviceEnc>> encs = encrypt_on(in_memory);
    if (!encs.ok()) encs = co_await base::Offload(blocking_, encrypt);
    if (encs.ok() && need_sessions) {
      base::Status sessions = co_await EnsureSessions(*recipients, false);
      if (!sessions.ok()) co_return sessions;
      need_sessions = false;
      encs = co_await base::Offload(blocking_, encrypt);
      if (encs.ok() && need_sessions) co_return base::Internal("no session after fetching bundles");
    }
    if (!encs.ok()) co_return encs.status();
    OutgoingStanza out;
    out.participants = std::move(*encs);
    out.id = request.id;
    out.to = chat;
    out.type = request.type;
    out.media_type = request.media_type;
    bool any_pkmsg = std::any_of(out.participants.begin(), out.participants.end(),
                                 [](const DeviceEnc& e) { return e.type == "pkmsg"; });
    if (any_pkmsg) out.device_identity = link_.LinkCreds().account;
    MessagingState::Sent sent{.to = chat.ToString(),
                              .message = request.message,
                              .type = request.type,
                              .media_type = request.media_type};
    queued = QueueSend(out, request, std::move(sent), std::move(staged));
  }
  co_return co_await FinishSend(std::move(queued));
}

asio::awaitable<base::Result<SendResult>> Messenger::SendGroup(const SendRequest& request,
                                                               const Jid& group,
                                                               const OwnIds& own) {
  // A membership change between reading the member list and encrypting
  // (GroupEpoch moved) starts over with the new list, so a member removed
  // meanwhile never receives the sender key made after the removal.
  constexpr int kMaxAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    uint64_t epoch = state_.GroupEpoch();
    // Metadata: participants and addressing mode [§8.10 step 1], cached.
    base::Result<MessagingState::GroupInfo> info = co_await GroupInfoFor(group, epoch);
    if (!info.ok()) co_return info.status();
    std::string mode = info->addressing_mode;
    bool lid = mode == "lid";
    std::vector<Jid> users;
    for (const std::string& participant : info->participants) {
      base::Result<Jid> jid = Jid::Parse(participant);
      if (!jid.ok() || own.IsOwnUser(*jid)) continue;
      users.push_back(jid->ToNonAd());
    }
    users.push_back(own.pn.ToNonAd());
    base::Result<std::vector<Recipient>> recipients = co_await DevicesOf(users, own, lid);
    if (!recipients.ok()) co_return recipients.status();

    Jid me = lid && !own.lid.IsEmpty() ? own.lid : own.pn;
    signal::SenderKeyName name{group.ToString(), RawAddress(me)};
    std::shared_ptr<Outgoing> queued;
    {
      co_await LockSignal(/*flush=*/false);
      SignalLockGuard unlock{this};
      if (state_.GroupChangedSince(group.ToString(), epoch)) {
        if (attempt < kMaxAttempts) continue;
        co_return base::Unavailable("group membership keeps changing; try again");
      }
      signal::LocalIdentity local = Local();
      // Who already has our sender key (sender-key-memory). After a removal
      // it is gone with the key itself (groups.cc): everyone gets the new one.
      base::Result<std::optional<std::string>> memory = co_await base::Offload(
          blocking_, [&] { return kv_.GetOne(kSenderKeyMemoryType, group.ToString()); });
      if (!memory.ok()) co_return memory.status();
      std::set<std::string> has_key = *memory ? SplitLines(**memory) : std::set<std::string>();
      std::vector<Recipient> need;
      for (const Recipient& r : *recipients) {
        if (!has_key.contains(r.device.ToString())) need.push_back(r);
      }
      base::Status sessions = co_await EnsureSessions(need, false);
      if (!sessions.ok()) co_return sessions;
      struct Encrypted {
        std::string skmsg;
        std::vector<DeviceEnc> skdms;
        Staged staged;
      };
      base::Result<Encrypted> encrypted =
          co_await base::Offload(blocking_, [&]() -> base::Result<Encrypted> {
            OverlayKv overlay(kv_);
            WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, local));
            Encrypted result;
            WAGATE_ASSIGN_OR_RETURN(std::string skdm,
                                    signal::CreateSenderKeyDistribution(*stores, name));
            if (!need.empty()) {
              WAGATE_ASSIGN_OR_RETURN(std::string skdm_message,
                                      WithSenderKeyDistribution("", group.ToString(), skdm));
              for (const Recipient& r : need) {
                WAGATE_ASSIGN_OR_RETURN(
                    signal::EncryptedMessage enc,
                    signal::Encrypt(*stores, r.address, signal::Pad(skdm_message, random_)));
                result.skdms.push_back(DeviceEnc{r.device,
                                                 std::string(signal::MessageTypeName(enc.type)),
                                                 std::move(enc.ciphertext)});
                has_key.insert(r.device.ToString());
              }
            }
            WAGATE_ASSIGN_OR_RETURN(
                result.skmsg,
                signal::GroupEncrypt(*stores, name, signal::Pad(request.message, random_)));
            std::string remembered;
            for (const std::string& device : has_key) remembered += device + "\n";
            WAGATE_RETURN_IF_ERROR(
                overlay.Put(kSenderKeyMemoryType, group.ToString(), std::move(remembered)));
            result.staged = StageSend(overlay);
            return result;
          });
      if (!encrypted.ok()) co_return encrypted.status();
      OutgoingStanza out;
      out.skmsg = std::move(encrypted->skmsg);
      out.participants = std::move(encrypted->skdms);
      out.id = request.id;
      out.to = group;
      out.type = request.type;
      out.media_type = request.media_type;
      out.addressing_mode = mode;
      bool any_pkmsg = std::any_of(out.participants.begin(), out.participants.end(),
                                   [](const DeviceEnc& e) { return e.type == "pkmsg"; });
      if (any_pkmsg) out.device_identity = link_.LinkCreds().account;
      MessagingState::Sent sent{.to = group.ToString(),
                                .message = request.message,
                                .type = request.type,
                                .media_type = request.media_type,
                                .addressing_mode = mode};
      queued = QueueSend(out, request, std::move(sent), std::move(encrypted->staged));
    }
    co_return co_await FinishSend(std::move(queued));
  }
}

}  // namespace wa::client
