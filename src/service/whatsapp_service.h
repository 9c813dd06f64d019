// WhatsappService: the one object the REST layer (and later the Socket.IO
// gateway) talks to about WhatsApp for one instance. The connection and
// linking are the SessionManager's; chats, messages and the session record
// are read from the store. Sending arrives with the messaging layer: until
// then the send and media operations answer kUnavailable with the reason.
//
// Ownership: borrows the Store, the SessionManager and the Clock; all must
// outlive the service.
// Thread safety: every method may be called from any thread. Methods marked
// BLOCKING touch the store: call them off the event loop (the API layer uses
// http::Offload on blocking_pool()).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "service/inbox.h"
#include "service/media_downloads.h"
#include "service/media_fetch.h"
#include "service/media_store.h"
#include "service/outbox.h"
#include "service/session_manager.h"
#include "store/store.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

using base::Result;
using base::Status;

// Why the last connection ended, as the protocol client will report it.
struct DisconnectInfo {
  std::string kind;    // "logged-out", "replaced", "transient", … (DisconnectKindName)
  std::string reason;  // human: "connection lost", "stream error 503", …
  int code = 0;        // WhatsApp's stream error code when there is one, else 0
  int64_t at_ms = 0;
};

struct SessionState {
  std::string instance;
  std::string status;  // closed|connecting|qr-ready|pairing|open
  // JSON object text of the linked account ({jid, lid, name}), empty when
  // no device is linked.
  std::string me;
  std::optional<DisconnectInfo> last_disconnect;
  int64_t since_ms = 0;  // when `status` was entered
};

// POST /whatsapp/session/connect. Empty phone: link by QR code.
struct ConnectRequest {
  std::string phone_number;  // digits only, or empty
};

// What connect has to show (see api.md "Session").
struct ConnectResult {
  std::string status;  // open|qr-ready|pairing
  std::string me;      // JSON object text when open
  std::string qr;
  std::string qr_image;  // data URL
  std::string pairing_code;
  int64_t expires_at_ms = 0;
};

struct SendTextRequest {
  std::string to;  // a validated JID
  std::string text;
  std::optional<std::string> quoted_id;
  std::string idempotency_key;  // empty when none
};

struct SendMediaRequest {
  std::string to;  // a validated JID
  std::string media_url;
  std::string media_type;  // image|video|document|audio
  std::string caption;
  std::string file_name;
  std::string mime_type;
  std::string idempotency_key;
};

// Where media live and how sends fetch them.
struct MessagingOptions {
  std::string media_dir = "./data/media";
  std::string public_url = "http://127.0.0.1:3000";
  FetchOptions fetch;  // mediaUrl downloads (size limit, SSRF guard)
  // WAGATE_FFMPEG: ffmpeg for video thumbnails; empty: `ffmpeg` on $PATH;
  // "off": none (see video_thumbnail.h).
  std::string ffmpeg;
};

struct Media {
  std::string mime_type;
  std::string path;  // file in the media directory
  int64_t size = 0;
};

// The messages of a chat page to read-receipt: the incoming ones not yet
// `read` (a receipted message is stored as read), undecryptable ones left
// out, by sender (a group's receipt names the author), each list oldest first.
std::map<std::string, std::vector<std::string>> UnreadBySender(
    const std::vector<store::MessageRecord>& newest_first);

class WhatsappService {
 public:
  // `blocking` runs store calls and file I/O for the API layer.
  // Wires the messaging layer into `session` (call before session.Start()).
  WhatsappService(std::string instance, store::Store& store, boost::asio::thread_pool& blocking,
                  SessionManager& session, const base::Clock& clock,
                  MessagingOptions messaging = {}, EventBus* events = nullptr);
  ~WhatsappService();
  WhatsappService(const WhatsappService&) = delete;
  WhatsappService& operator=(const WhatsappService&) = delete;

  const std::string& instance() const { return instance_; }
  store::Store& store() { return store_; }
  boost::asio::thread_pool& blocking_pool() { return blocking_; }

  // The connection state, without touching the store. Never blocks.
  std::string ConnectionStatus() const;

  // BLOCKING. The state for GET /whatsapp/session/status: the live
  // connection state plus the linked account from the stored session.
  Result<SessionState> SessionStatus();
  // BLOCKING. The store answers a round trip (GET /health).
  Status PingStore();

  // BLOCKING. Chats, most recent activity first.
  Result<std::vector<store::ChatRecord>> ListChats(int limit, int offset);
  // BLOCKING. One page of a chat's messages, newest first.
  Result<store::MessageStore::Page> ListMessages(std::string_view jid, int limit,
                                                 std::optional<store::MessageCursor> before);
  // BLOCKING. unreadCount = 0; kNotFound when the chat does not exist.
  // When the session is open, the incoming messages among the newest 500
  // that are not `read` yet are stored as read and their read receipts go
  // out in the background (a closed session sends none and marks none, so
  // a later call still sends them). Not gated on unreadCount: a message
  // that arrives during the call is counted read but stays unreceipted
  // until the next call.
  Result<store::ChatRecord> MarkChatRead(std::string_view jid);

  // BLOCKING (waits, bounded, for the connection): see
  // SessionManager::Connect and ::Disconnect for the errors.
  Result<ConnectResult> Connect(const ConnectRequest& request);
  Result<SessionState> Disconnect(bool logout);
  // What there is to show now: the QR, the pairing code, or the open
  // session; kNotFound when the session is closed or still connecting.
  // Never blocks.
  Result<ConnectResult> CurrentQr();

  // Sends (see Outbox). 409 when the session is not open.
  boost::asio::awaitable<Result<store::MessageRecord>> SendText(SendTextRequest request);
  boost::asio::awaitable<Result<store::MessageRecord>> SendMedia(SendMediaRequest request);
  // BLOCKING. A stored media file by name; kNotFound (with the download's
  // state when it is still coming) otherwise.
  Result<Media> GetMedia(std::string_view id);

  // Why the media of these messages cannot be served yet, by message id:
  // received media whose download is still coming or was given up ("media
  // download failed 8 times, given up: …"). Messages whose media is here,
  // and other messages, are absent. Never blocks (in-memory job table).
  std::map<std::string, std::string> MediaErrors(
      const std::vector<store::MessageRecord>& messages) const;

  // Where incoming messages and receipts land (the composition root hands
  // it to the session; tests feed it directly).
  wa::client::MessageSink& sink() { return inbox_; }

  // BLOCKING. Creates the media directory and resumes pending downloads.
  Status Init();

 private:
  const std::string instance_;
  store::Store& store_;
  boost::asio::thread_pool& blocking_;
  SessionManager& session_;
  const base::Clock& clock_;
  MediaStore media_;
  MediaDownloads downloads_;
  Inbox inbox_;
  Outbox outbox_;
};

}  // namespace service
