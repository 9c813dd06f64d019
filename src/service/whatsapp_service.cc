#include "service/whatsapp_service.h"

#include <utility>

namespace service {

const char kNoProtocolClient[] =
    "WhatsApp protocol client not built yet: linking arrives with the session issue";

WhatsappService::WhatsappService(std::string instance, store::Store& store,
                                 boost::asio::thread_pool& blocking, const base::Clock& clock)
    : instance_(std::move(instance)),
      store_(store),
      blocking_(blocking),
      clock_(clock),
      started_ms_(clock.NowMs()) {}

std::string WhatsappService::ConnectionStatus() const { return "closed"; }

Result<SessionState> WhatsappService::SessionStatus() {
  SessionState state;
  state.instance = instance_;
  state.status = ConnectionStatus();
  state.since_ms = started_ms_;
  auto stored = store_.GetSession(instance_);
  if (!stored.ok()) return stored.status().WithContext("read session");
  // The stored `status` is what the last run saw; without a live socket the
  // connection is closed whatever it says, but the linked account is still
  // worth showing (the device stays linked across restarts).
  if (stored->has_value()) state.me = (*stored)->me;
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

Result<store::ChatRecord> WhatsappService::MarkChatRead(std::string_view jid) {
  auto marked = store_.MarkChatRead(instance_, jid);
  if (!marked.ok()) return marked.status();
  if (!*marked) return base::NotFound("chat " + std::string(jid) + " not found");
  auto chat = store_.GetChat(instance_, jid);
  if (!chat.ok()) return chat.status();
  // Deleted between the two calls: report what the caller asked about.
  if (!chat->has_value()) return base::NotFound("chat " + std::string(jid) + " not found");
  return **chat;
}

Result<ConnectResult> WhatsappService::Connect(const ConnectRequest&) {
  return base::Unavailable(kNoProtocolClient);
}

Result<ConnectResult> WhatsappService::CurrentQr() { return base::Unavailable(kNoProtocolClient); }

Result<SessionState> WhatsappService::Disconnect(bool) {
  return base::Unavailable(kNoProtocolClient);
}

Result<store::MessageRecord> WhatsappService::SendText(const SendTextRequest&) {
  return base::Unavailable(kNoProtocolClient);
}

Result<store::MessageRecord> WhatsappService::SendMedia(const SendMediaRequest&) {
  return base::Unavailable(kNoProtocolClient);
}

Result<Media> WhatsappService::GetMedia(std::string_view) {
  return base::Unavailable(kNoProtocolClient);
}

}  // namespace service
