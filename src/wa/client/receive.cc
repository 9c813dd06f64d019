// The receive pipeline [whatsapp-protocol.md §8.9, §8.10; architecture.md
// §4.1]: decrypt into a buffered overlay, hand the message to the sink, and
// only when it was stored write the Signal state and send the receipt.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/offload.h"
#include "wa/client/messenger.h"
#include "wa/iq/iq.h"
#include "wa/signal/group.h"
#include "wa/signal/padding.h"

namespace wa::client {

namespace asio = boost::asio;
using binary::Node;

namespace {

constexpr int kMaxRetries = 5;
constexpr size_t kMaxRetryIds = 1000;

// Moves a session (and identity) kept under the PN address to the LID
// address once the mapping is known, as Baileys migrates them [§8.3].
base::Status MigrateSession(signal::KeyValueStore& kv, const signal::Address& from,
                            const signal::Address& to) {
  std::string from_id = from.ToString();
  std::string to_id = to.ToString();
  WAGATE_ASSIGN_OR_RETURN(auto sessions, kv.Get(signal::kSessionType, {from_id, to_id}));
  if (!sessions.contains(from_id) || sessions.contains(to_id)) return base::Status::Ok();
  std::vector<signal::KeyWrite> writes;
  writes.push_back({std::string(signal::kSessionType), to_id, sessions.at(from_id)});
  writes.push_back({std::string(signal::kSessionType), from_id, std::nullopt});
  WAGATE_ASSIGN_OR_RETURN(auto identity, kv.Get(signal::kIdentityKeyType, {from_id}));
  if (identity.contains(from_id)) {
    writes.push_back({std::string(signal::kIdentityKeyType), to_id, identity.at(from_id)});
  }
  return kv.Write(writes);
}

struct Decrypted {
  std::string message;  // serialized Message, unwrapped
  std::string destination;
  bool has_content = false;
  base::Status error;  // first failure
  bool duplicate = false;
};

}  // namespace

Messenger::Messenger(asio::any_io_executor executor, asio::thread_pool& blocking,
                     const ClientConfig& config, MessengerLink& link, store::KeyStore& keys,
                     std::string instance, MessagingState& state, MessageSink& sink,
                     base::Random& random, const base::Clock& clock)
    : ex_(std::move(executor)),
      blocking_(blocking),
      config_(config),
      link_(link),
      keys_(keys),
      instance_(std::move(instance)),
      state_(state),
      sink_(sink),
      random_(random),
      clock_(clock),
      store_kv_(keys_, instance_),
      inbound_ready_(ex_),
      inbound_space_(ex_) {
  base::Result<std::unique_ptr<signal::Context>> context = signal::Context::Create(random_);
  if (context.ok()) {
    context_ = std::move(*context);
  } else {
    spdlog::error("wa messaging: signal context: {}", context.status().ToString());
  }
}

Messenger::~Messenger() = default;

base::Result<OwnIds> Messenger::Own() const {
  const Creds& creds = link_.LinkCreds();
  if (!creds.me) return base::FailedPrecondition("not logged in");
  base::Result<OwnIds> own = ParseOwnIds(creds.me->jid, creds.me->lid);
  // Our own PN ↔ LID first of all: sessions with our other devices live
  // under the LID address however a stanza addresses them [§8.3].
  if (own.ok() && !own->lid.IsEmpty()) state_.PutLidMapping(own->pn.user(), own->lid.user());
  return own;
}

signal::LocalIdentity Messenger::Local() const {
  const Creds& creds = link_.LinkCreds();
  return signal::LocalIdentity{.identity = creds.identity,
                               .registration_id = creds.registration_id};
}

signal::Address Messenger::AddressOf(const Jid& device) const {
  if (device.IsPnUser()) {
    if (std::optional<std::string> lid = state_.LidForPn(device.user())) {
      return signal::Address::ForUser(*lid, kLidAgent, device.device());
    }
  }
  return signal::Address::ForUser(device.user(), device.agent(), device.device());
}

void Messenger::LearnMapping(const Jid& a, const Jid& b) {
  if (a.IsPnUser() && b.IsLid()) state_.PutLidMapping(a.user(), b.user());
  if (a.IsLid() && b.IsPnUser()) state_.PutLidMapping(b.user(), a.user());
}

asio::awaitable<void> Messenger::LockSignal(bool flush) {
  if (!signal_busy_) {
    signal_busy_ = true;
  } else {
    auto turn = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
    signal_waiters_.push_back(turn);
    // Woken only by UnlockSignal, which leaves signal_busy_ set: the lock is ours.
    co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (flush) co_await FlushCommits();
}

void Messenger::UnlockSignal() {
  if (signal_waiters_.empty()) {
    signal_busy_ = false;
    return;
  }
  std::shared_ptr<asio::steady_timer> next = std::move(signal_waiters_.front());
  signal_waiters_.pop_front();
  next->cancel();
}

namespace {

// What the stanza itself says, addressed as the sink wants it; the
// content (or the reason there is none) is the caller's to add.
IncomingMessage FromInfo(const MessageInfo& info) {
  IncomingMessage m;
  m.id = info.id;
  m.chat = info.chat.ToString();
  m.sender = info.author.ToNonAd().ToString();
  m.sender_alt = info.sender_alt.ToString();
  m.from_me = info.from_me;
  m.is_group = info.is_group;
  m.timestamp_ms = info.timestamp_s * 1000;
  m.push_name = info.notify;
  m.offline = info.offline;
  return m;
}

// One message of a batch on its way through decryption.
struct Item {
  MessageInfo info;
  std::vector<const Node*> encs;
  signal::Address author;
  signal::Address sk_author;
  // Where a session made before the PN ↔ LID mapping was known may still be.
  std::optional<signal::Address> legacy;
  std::string group_id;
  Decrypted result;
  enum class After { kReceipt, kResend } after = After::kReceipt;
};

}  // namespace

asio::awaitable<void> Messenger::OnMessages(std::vector<Node> nodes) {
  base::Result<OwnIds> own = Own();
  if (!own.ok()) co_return;
  std::vector<Item> items;
  items.reserve(nodes.size());
  for (const Node& node : nodes) {
    base::Result<MessageInfo> parsed = ParseMessageInfo(node, *own);
    if (!parsed.ok()) {
      spdlog::warn("wa messaging: dropping message: {}", parsed.status().ToString());
      if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)link_.LinkSend(*ack);
      continue;
    }
    const MessageInfo& info = *parsed;
    if (!info.sender_alt.IsEmpty()) LearnMapping(info.author.ToNonAd(), info.sender_alt);
    std::vector<const Node*> encs;
    for (const Node& child : node.children()) {
      if (child.tag != "enc") continue;
      std::string type = child.GetAttrText("type").value_or("");
      if (type == "pkmsg" || type == "msg" || type == "skmsg") encs.push_back(&child);
    }
    if (encs.empty() || context_ == nullptr) {
      // Nothing we can decrypt (no <enc>, or only msmsg): acknowledge it.
      if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)link_.LinkSend(*ack);
      continue;
    }
    signal::Address author = AddressOf(info.author);
    signal::Address sk_author = RawAddress(info.author);
    Item item{.info = std::move(*parsed),
              .encs = std::move(encs),
              .author = std::move(author),
              .sk_author = std::move(sk_author)};
    if (item.info.author.IsLid() && item.info.sender_alt.IsPnUser()) {
      item.legacy = signal::Address::ForUser(item.info.sender_alt.user(), kWhatsAppAgent,
                                             item.info.author.device());
    } else if (item.info.author.IsPnUser() && !(item.sk_author == item.author)) {
      item.legacy = item.sk_author;
    }
    if (item.info.is_group) item.group_id = item.info.chat.ToString();
    items.push_back(std::move(item));
  }
  if (items.empty()) co_return;

  co_await LockSignal();
  SignalLockGuard unlock{this};
  // One overlay for the batch: each message decrypts with the state the
  // ones before it left, and the whole batch commits (or not) at once.
  OverlayKv overlay(kv_);
  signal::LocalIdentity local = Local();
  co_await base::Offload(blocking_, [&] {
    base::Result<std::unique_ptr<signal::Stores>> stores =
        signal::Stores::Create(*context_, overlay, local);
    for (Item& item : items) {
      Decrypted& out = item.result;
      if (!stores.ok()) {
        out.error = stores.status();
        continue;
      }
      if (item.legacy) {
        base::Status migrated = MigrateSession(overlay, *item.legacy, item.author);
        if (!migrated.ok())
          spdlog::warn("wa messaging: session migration: {}", migrated.ToString());
      }
      for (const Node* enc : item.encs) {
        std::string type = *enc->GetAttrText("type");
        std::string_view bytes =
            enc->bytes() != nullptr ? enc->bytes()->view() : std::string_view();
        base::Result<std::string> plain = base::Internal("unset");
        if (type == "skmsg") {
          if (item.group_id.empty()) {
            plain = base::InvalidArgument("skmsg outside a group");
          } else {
            plain = signal::GroupDecrypt(**stores, {item.group_id, item.sk_author}, bytes);
          }
        } else {
          signal::MessageType mtype =
              type == "pkmsg" ? signal::MessageType::kPreKey : signal::MessageType::kWhisper;
          plain = signal::Decrypt(**stores, item.author, mtype, bytes);
        }
        if (!plain.ok()) {
          if (plain.status().code() == base::Code::kAlreadyExists) out.duplicate = true;
          if (out.error.ok()) out.error = plain.status().WithContext(type);
          continue;
        }
        base::Result<std::string> unpadded = signal::Unpad(*plain);
        if (!unpadded.ok()) {
          if (out.error.ok()) out.error = unpadded.status().WithContext(type);
          continue;
        }
        base::Result<Unwrapped> message = UnwrapMessage(*unpadded);
        if (!message.ok()) {
          if (out.error.ok()) out.error = message.status().WithContext(type);
          continue;
        }
        if (!message->skdm.empty() && !item.group_id.empty()) {
          base::Status processed = signal::ProcessSenderKeyDistribution(
              **stores, {item.group_id, item.sk_author}, message->skdm);
          if (!processed.ok()) spdlog::warn("wa messaging: skdm: {}", processed.ToString());
        }
        if (!message->protocol_only) {
          out.message = std::move(message->message);
          out.destination = std::move(message->destination);
          out.has_content = true;
        }
      }
    }
    return 0;
  });

  std::vector<IncomingMessage> batch;
  batch.reserve(items.size());
  for (Item& item : items) {
    const MessageInfo& info = item.info;
    Decrypted& result = item.result;
    if (!result.has_content && !result.error.ok()) {
      // A duplicate was decrypted and stored before (the state only
      // advances once stored): its receipt was lost; it gets one again.
      if (!result.duplicate) {
        batch.push_back(Placeholder(info, result.error.ToString()));
        item.after = Item::After::kResend;
      }
      continue;
    }
    if (!result.has_content) continue;  // protocol only: receipted
    IncomingMessage message = FromInfo(info);
    if (info.from_me && !result.destination.empty()) {
      if (base::Result<Jid> dest = Jid::Parse(result.destination); dest.ok()) {
        message.chat = dest->ToNonAd().ToString();
      }
    }
    message.message = std::move(result.message);
    batch.push_back(std::move(message));
  }

  // PN ↔ LID pairs learned from these stanzas (and before) commit with them.
  auto mappings = SaveLidMappings(overlay);
  bool committed_by_sink = false;
  if (!batch.empty()) {
    base::Status stored = co_await sink_.OnMessages(batch, [&overlay, &committed_by_sink] {
      base::Status s = overlay.Commit();
      committed_by_sink = s.ok();
      return s;
    });
    if (!stored.ok()) {
      spdlog::warn("wa messaging: {} messages (first {}) not stored: {}", batch.size(),
                   batch.front().id, stored.ToString());
      state_.ReturnUnsavedLidMappings(std::move(mappings));
      kv_.ForgetCached();  // the state it wrote was rolled back with the batch
      co_return;           // no commit, no receipt: the server redelivers
    }
  }
  // (An if, not ?: — GCC 12 miscompiles co_await inside a conditional.)
  base::Status committed;
  if (!committed_by_sink) {
    committed = co_await base::Offload(blocking_, [&] { return overlay.Commit(); });
  }
  if (!committed.ok()) {
    state_.ReturnUnsavedLidMappings(std::move(mappings));
    kv_.ForgetCached();
    // Stored but the Signal state is not: without a receipt the server
    // redelivers, the old state decrypts it again, the store deduplicates.
    spdlog::error("wa messaging: signal state for {} messages: {}", items.size(),
                  committed.ToString());
    co_return;
  }
  for (const Item& item : items) {
    if (item.after == Item::After::kResend) {
      RequestResend(item.info);
      continue;
    }
    retry_counts_.erase(item.info.id);
    (void)link_.LinkSend(BuildDeliveryReceipt(item.info));
  }
}

IncomingMessage Messenger::Placeholder(const MessageInfo& info, const std::string& error) const {
  spdlog::warn("wa messaging: cannot decrypt {} from {}: {}", info.id, info.author.ToString(),
               error);
  IncomingMessage placeholder = FromInfo(info);
  placeholder.undecryptable = true;
  placeholder.error = error;
  return placeholder;
}

// The placeholder is stored: ask the sender to encrypt it again [§8.12].
void Messenger::RequestResend(const MessageInfo& info) {
  int& count = retry_counts_[info.id];
  ++count;
  if (retry_counts_.size() > kMaxRetryIds) retry_counts_.erase(retry_counts_.begin());
  base::Result<OwnIds> own = Own();
  if (count <= kMaxRetries) {
    const Creds& creds = link_.LinkCreds();
    std::optional<Node> keys;
    if (count >= 2) {
      // Our identity and signed pre-key, so the sender can rebuild the
      // session without fetching a bundle [§8.12].
      Node k("keys");
      k.AddChild(iq::BytesNode("type", std::string(1, '\x05')));
      k.AddChild(iq::BytesNode("identity", creds.identity.public_key));
      Node skey("skey");
      skey.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(creds.signed_prekey.id, 3)));
      skey.AddChild(iq::BytesNode("value", creds.signed_prekey.key_pair.public_key));
      skey.AddChild(iq::BytesNode("signature", creds.signed_prekey.signature));
      k.AddChild(std::move(skey));
      if (!creds.account.empty()) k.AddChild(iq::BytesNode("device-identity", creds.account));
      keys = std::move(k);
    }
    (void)link_.LinkSend(BuildRetryReceipt(info, count, creds.registration_id, std::move(keys)));
  }
  if (own.ok()) (void)link_.LinkSend(BuildMessageNack(info, own->pn, 500));
}

}  // namespace wa::client
