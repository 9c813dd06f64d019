#include "service/whatsapp_service.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "service/qr_image.h"

namespace service {

namespace {

// At most this many messages are read-receipted by one MarkChatRead.
constexpr int kMaxReadReceipts = 500;

// Parameters by value: they live in the coroutine frame.
boost::asio::awaitable<void> SendReadReceipts(
    std::shared_ptr<wa::client::Client> client, std::string chat,
    std::map<std::string, std::vector<std::string>> batches) {
  for (auto& [sender, ids] : batches) {
    base::Status sent = co_await client->SendReadReceipt(chat, sender, std::move(ids));
    if (!sent.ok()) spdlog::info("read receipt for {}: {}", chat, sent.ToString());
  }
}

ConnectResult ResultFromView(const SessionView& view) {
  ConnectResult r;
  r.status = view.status;
  if (view.status == "open") r.me = view.me;
  if (view.status == "qr-ready" && !view.qr.empty()) {
    r.qr = view.qr;
    auto image = QrPngDataUrl(view.qr);
    // The raw text still works without the picture; never fail the call for it.
    if (image.ok()) r.qr_image = std::move(*image);
    r.expires_at_ms = view.expires_at_ms;
  }
  if (view.status == "pairing" && !view.pairing_code.empty()) {
    r.pairing_code = view.pairing_code;
    r.expires_at_ms = view.expires_at_ms;
  }
  return r;
}

}  // namespace

WhatsappService::WhatsappService(std::string instance, store::Store& store,
                                 boost::asio::thread_pool& blocking, SessionManager& session,
                                 const base::Clock& clock, MessagingOptions messaging,
                                 EventBus* events)
    : instance_(std::move(instance)),
      store_(store),
      blocking_(blocking),
      session_(session),
      clock_(clock),
      media_(messaging.media_dir, messaging.public_url),
      downloads_(instance_, store, media_, clock, messaging.fetch.max_bytes),
      inbox_(
          instance_, store, events, blocking, media_, downloads_,
          [&session] { return session.OwnJid(); },
          [&session](const std::string& lid_user) {
            return session.messaging().PnForLid(lid_user);
          }),
      outbox_(instance_, store, events, blocking, media_, session, messaging.fetch,
              base::SecureRandom::Instance(), clock, messaging.ffmpeg) {
  session_.SetMessaging(&inbox_, [this](std::shared_ptr<wa::client::Client> client) {
    // Posted, not run here: this is called under the session's lock.
    boost::asio::post(session_.strand(), [this, client = std::move(client)]() mutable {
      boost::asio::co_spawn(session_.strand(),
                            downloads_.Run(
                                client,
                                [this, raw = client.get()] {
                                  auto open = session_.OpenClient();
                                  return open && open.get() == raw;
                                },
                                blocking_, base::SecureRandom::Instance()),
                            boost::asio::detached);
    });
  });
}

WhatsappService::~WhatsappService() { session_.SetMessaging(nullptr, nullptr); }

Status WhatsappService::Init() {
  WAGATE_RETURN_IF_ERROR(media_.Init());
  // The PN ↔ LID map learned before: chats of LID-addressed peers stay under
  // their numbers across restarts.
  auto mappings = store_.ListKeys(instance_, wa::client::MessagingState::kLidMappingType,
                                  wa::client::MessagingState::kMaxLidMappings);
  if (!mappings.ok()) return mappings.status().WithContext("load the LID map");
  session_.messaging().LoadLidMappings(*mappings);
  return downloads_.Load();
}

std::string WhatsappService::ConnectionStatus() const { return session_.View().status; }

Result<SessionState> WhatsappService::SessionStatus() {
  const SessionView view = session_.View();
  SessionState state;
  state.instance = instance_;
  state.status = view.status;
  state.since_ms = view.since_ms;
  state.me = view.me;
  if (view.last_disconnect) {
    state.last_disconnect = DisconnectInfo{
        std::string(wa::client::DisconnectKindName(view.last_disconnect->kind)),
        view.last_disconnect->reason, view.last_disconnect->code, view.last_disconnect_ms};
  }
  return state;
}

Status WhatsappService::PingStore() { return store_.Ping(); }

Result<std::vector<store::ChatRecord>> WhatsappService::ListChats(int limit, int offset) {
  return store_.ListChats(instance_, limit, offset);
}

Result<store::MessageStore::Page> WhatsappService::ListMessages(
    std::string_view jid, int limit, std::optional<store::MessageCursor> before) {
  return store_.ListMessages(instance_, jid, limit, before);
}

std::map<std::string, std::vector<std::string>> UnreadBySender(
    const std::vector<store::MessageRecord>& newest_first) {
  std::map<std::string, std::vector<std::string>> out;
  for (const store::MessageRecord& m : newest_first) {
    if (m.from_me || m.status == "read" || m.type == "undecryptable") continue;
    out[m.sender].push_back(m.id);
  }
  for (auto& [sender, ids] : out) std::reverse(ids.begin(), ids.end());
  return out;
}

Result<store::ChatRecord> WhatsappService::MarkChatRead(std::string_view jid) {
  if (std::shared_ptr<wa::client::Client> client = session_.OpenClient()) {
    auto page = store_.ListMessages(instance_, jid, kMaxReadReceipts, std::nullopt);
    if (!page.ok()) return page.status();
    auto batches = UnreadBySender(page->items);
    // Persist, then send: stored as read first, so a second call does not
    // receipt them again.
    for (const auto& [sender, ids] : batches) {
      for (const std::string& id : ids) {
        auto moved = store_.UpdateMessageStatus(instance_, jid, id, "read");
        if (!moved.ok()) return moved.status();
      }
    }
    if (!batches.empty()) {
      boost::asio::co_spawn(
          session_.strand(),
          SendReadReceipts(std::move(client), std::string(jid), std::move(batches)),
          boost::asio::detached);
    }
  }
  auto marked = store_.MarkChatRead(instance_, jid);
  if (!marked.ok()) return marked.status();
  if (!*marked) return base::NotFound("chat " + std::string(jid) + " not found");
  auto chat = store_.GetChat(instance_, jid);
  if (!chat.ok()) return chat.status();
  // Deleted between the two calls: report what the caller asked about.
  if (!chat->has_value()) return base::NotFound("chat " + std::string(jid) + " not found");
  return **chat;
}

Result<ConnectResult> WhatsappService::Connect(const ConnectRequest& request) {
  auto view = session_.Connect(request.phone_number);
  if (!view.ok()) return view.status();
  return ResultFromView(*view);
}

Result<ConnectResult> WhatsappService::CurrentQr() {
  const SessionView view = session_.View();
  if (view.status == "open" || (view.status == "qr-ready" && !view.qr.empty()) ||
      (view.status == "pairing" && !view.pairing_code.empty())) {
    return ResultFromView(view);
  }
  return base::NotFound("no QR code to show: the session is " + view.status +
                        (view.status == "closed" ? "; POST /whatsapp/session/connect first" : ""));
}

Result<SessionState> WhatsappService::Disconnect(bool logout) {
  auto view = session_.Disconnect(logout);
  if (!view.ok()) return view.status();
  return SessionStatus();
}

boost::asio::awaitable<Result<store::MessageRecord>> WhatsappService::SendText(
    SendTextRequest request) {
  co_return co_await outbox_.SendText(std::move(request));
}

boost::asio::awaitable<Result<store::MessageRecord>> WhatsappService::SendMedia(
    SendMediaRequest request) {
  co_return co_await outbox_.SendMedia(std::move(request));
}

std::map<std::string, std::string> WhatsappService::MediaErrors(
    const std::vector<store::MessageRecord>& messages) const {
  std::map<std::string, std::string> errors;
  const std::string prefix = media_.UrlFor("");
  for (const store::MessageRecord& m : messages) {
    if (!m.content.starts_with(prefix)) continue;  // text, or media we sent
    if (auto problem = downloads_.Problem(m.content.substr(prefix.size()))) {
      errors.emplace(m.id, *problem);
    }
  }
  return errors;
}

Result<Media> WhatsappService::GetMedia(std::string_view id) {
  auto file = media_.Find(id);
  if (file.ok()) return Media{file->mime_type, file->path, file->size};
  if (file.status().code() == base::Code::kNotFound) {
    if (auto problem = downloads_.Problem(std::string(id))) return base::NotFound(*problem);
  }
  return file.status();
}

}  // namespace service
