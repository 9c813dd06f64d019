#include "service/inbox.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include <algorithm>

#include "base/offload.h"
#include "service/objects.h"
#include "wa/client/content.h"

namespace service {

Inbox::Inbox(std::string instance, store::Store& store, EventBus* events,
             boost::asio::thread_pool& blocking, MediaStore& media, MediaDownloads& downloads,
             std::function<std::string()> own_jid,
             std::function<std::optional<std::string>(const std::string&)> pn_for_lid)
    : instance_(std::move(instance)),
      store_(store),
      events_(events),
      blocking_(blocking),
      media_(media),
      downloads_(downloads),
      own_jid_(std::move(own_jid)),
      pn_for_lid_(std::move(pn_for_lid)) {}

std::string ChatJidFor(const std::string& jid, const PnForLid& pn_for_lid) {
  constexpr std::string_view kLid = "@lid";
  if (!jid.ends_with(kLid) || !pn_for_lid) return jid;
  if (auto pn = pn_for_lid(jid.substr(0, jid.size() - kLid.size()))) {
    return *pn + "@s.whatsapp.net";
  }
  return jid;
}

std::string Inbox::Canonical(const std::string& jid, const std::string& alt) const {
  if (jid.ends_with("@lid") && alt.ends_with("@s.whatsapp.net")) return alt;
  return ChatJidFor(jid, pn_for_lid_);
}

Inbox::Stored Inbox::ToRecord(const wa::client::IncomingMessage& m) const {
  Stored out;
  store::MessageRecord& r = out.record;
  r.id = m.id;
  const std::string sender = Canonical(m.sender, m.sender_alt);
  // A 1:1 chat with the peer is the peer's JID, as its sender.
  r.jid = m.is_group ? m.chat : (!m.from_me && m.chat == m.sender ? sender : Canonical(m.chat, ""));
  r.from_me = m.from_me;
  r.sender = m.from_me ? own_jid_() : sender;
  r.timestamp_ms = m.timestamp_ms;
  // Ours from another device went out already; theirs reached us.
  r.status = m.from_me ? "sent" : "delivered";
  if (!m.from_me) r.push_name = m.push_name;
  if (m.undecryptable) {
    r.type = "undecryptable";
  } else {
    auto content = wa::client::ParseContent(m.message);
    if (!content.ok()) {
      // Kept rather than dropped: the user sees that something came.
      r.type = "unknown";
      r.content = "raw:unparseable";
    } else if (content->skip) {
      out.skip = true;
      return out;
    } else {
      r.type = content->type;
      r.content = content->text;
      r.caption = content->caption;
      r.mime_type = content->mime_type;
      r.file_name = content->file_name;
      r.size = content->size;
      r.quoted_id = content->quoted_id;
      if (content->media && content->media->file_sha256.size() == 32) {
        const std::string name = MediaStore::NameFor(content->media->file_sha256, r.mime_type);
        r.content = media_.UrlFor(name);
        out.media.emplace(name, *content->media);
      }
    }
  }
  out.hint.is_group = m.is_group;
  // A 1:1 chat is named after the peer's push name; groups keep theirs.
  if (!m.is_group && !m.from_me) out.hint.name = m.push_name;
  return out;
}

boost::asio::awaitable<base::Status> Inbox::OnMessage(const wa::client::IncomingMessage& m) {
  std::vector<wa::client::IncomingMessage> one(1, m);
  co_return co_await OnMessages(one, m.commit_signal_state);
}

boost::asio::awaitable<base::Status> Inbox::OnMessages(
    const std::vector<wa::client::IncomingMessage>& messages,
    const std::function<base::Status()>& commit_signal_state) {
  std::vector<Stored> batch;
  batch.reserve(messages.size());
  for (const wa::client::IncomingMessage& m : messages) {
    Stored stored = ToRecord(m);
    if (!stored.skip) batch.push_back(std::move(stored));
  }
  // What runs inside the transaction: store, Signal state, the events.
  auto work = [&]() -> base::Result<std::vector<EventBus::Pending>> {
    std::vector<EventBus::Pending> events;
    std::vector<std::pair<std::string, store::ChatRecord>> chats;  // first-seen order
    for (const Stored& stored : batch) {
      // The job first: a crash after it and before the message leaves a
      // job whose message comes again (redelivery), never a message whose
      // media is never fetched.
      if (stored.media && !media_.Has(stored.media->first)) {
        WAGATE_RETURN_IF_ERROR(downloads_.Enqueue(stored.media->first, stored.media->second));
      }
      auto saved = store_.SaveMessage(instance_, stored.record, stored.hint);
      if (!saved.ok()) return saved.status().WithContext("store message " + stored.record.id);
      if (!saved->inserted && !saved->replaced) continue;  // a redelivery
      events.push_back({kNewMessage, MessageToJson(saved->message)});
      auto it = std::find_if(chats.begin(), chats.end(),
                             [&](const auto& c) { return c.first == saved->chat.jid; });
      if (it == chats.end()) {
        chats.emplace_back(saved->chat.jid, std::move(saved->chat));
      } else {
        it->second = std::move(saved->chat);
      }
    }
    // Stored but the Signal state not (it failed): the transaction rolls
    // back, nothing is receipted, the server redelivers; the old state
    // decrypts the batch again.
    if (commit_signal_state) WAGATE_RETURN_IF_ERROR(commit_signal_state());
    for (auto& [jid, chat] : chats) events.push_back({kChatUpdate, ChatToJson(chat)});
    return events;
  };
  // A named Work, not a temporary in the co_await (GCC 12).
  EventBus::Work job = work;
  co_return co_await CommitAsync(events_, store_, blocking_, std::move(job));
}

boost::asio::awaitable<void> Inbox::OnReceipt(const wa::client::ReceiptEvent& r) {
  std::vector<wa::client::ReceiptEvent> one(1, r);
  co_await OnReceipts(one);
}

base::Status Inbox::InOneTransaction(const std::function<base::Status()>& body) {
  return CommitWith(events_, store_, [&]() -> base::Result<std::vector<EventBus::Pending>> {
    WAGATE_RETURN_IF_ERROR(body());
    return std::vector<EventBus::Pending>();
  });
}

boost::asio::awaitable<void> Inbox::OnReceipts(
    const std::vector<wa::client::ReceiptEvent>& receipts) {
  auto work = [&]() -> base::Result<std::vector<EventBus::Pending>> {
    std::vector<EventBus::Pending> events;
    for (const wa::client::ReceiptEvent& r : receipts) {
      // A receipt from a LID-addressed peer is for the message stored under its number.
      const std::string chat = Canonical(r.chat, "");
      for (const std::string& id : r.ids) {
        auto moved = store_.UpdateMessageStatus(instance_, chat, id, r.status);
        if (!moved.ok()) {
          // Unknown statuses ("played") and messages we never stored are not errors.
          if (moved.status().code() != base::Code::kInvalidArgument &&
              moved.status().code() != base::Code::kNotFound) {
            spdlog::warn("receipt {} {}: {}", r.status, id, moved.status().ToString());
          }
          continue;
        }
        if (!*moved) continue;
        boost::json::object o;
        o["id"] = id;
        o["jid"] = chat;
        o["status"] = r.status;
        events.push_back({kMessageStatus, std::move(o)});
      }
    }
    return events;
  };
  EventBus::Work job = work;
  base::Status done = co_await CommitAsync(events_, store_, blocking_, std::move(job));
  if (!done.ok()) spdlog::warn("receipts: {}", done.ToString());
}

}  // namespace service
