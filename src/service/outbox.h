// Outbox: POST /whatsapp/message/send/text and /send/media. Each send is
// stored as `pending` before anything goes to WhatsApp (persist, then send),
// then handed to the protocol client, which resolves the recipient's
// devices, encrypts per device and waits for the server's ack; the status
// then moves to `sent` (receipts move it on), or to `failed` with the reason
// as the answer. `new-message` and `chat-update` are published once sent.
//
// Media: the mediaUrl is fetched with the SSRF guard and the size limit,
// its type sniffed and checked against mediaType, a JPEG thumbnail made for
// images (and for videos when ffmpeg is there: video_thumbnail.h), the file encrypted and uploaded
// (streaming), and a copy kept in the media store so /whatsapp/media/:id serves what was sent.
//
// Idempotency-Key: the first answer is remembered for 24 h (key store, type
// "idempotency"); a repeat with the same body returns it and sends nothing,
// a repeat with another body is 409, one arriving while the first is in
// flight is 409 too.
//
// Sends to one chat are ordered (ChatTurns) from storing to the stanza's
// place in the outgoing queue, and again from the ack to publishing, so
// concurrent callers see one order everywhere while their acks overlap;
// other chats run in parallel.
//
// Threading: coroutines; WhatsApp work runs on the session strand, store
// and file work on the blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <mutex>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "service/chat_turns.h"
#include "service/event_bus.h"
#include "service/media_fetch.h"
#include "service/media_store.h"
#include "service/session_manager.h"
#include "service/video_thumbnail.h"
#include "store/store.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

struct SendTextRequest;
struct SendMediaRequest;

class Outbox {
 public:
  static constexpr int64_t kIdempotencyTtlMs = 24 * 3600 * 1000;

  Outbox(std::string instance, store::Store& store, EventBus* events,
         boost::asio::thread_pool& blocking, MediaStore& media, SessionManager& session,
         FetchOptions fetch, base::Random& random, const base::Clock& clock,
         std::string ffmpeg = {});

  boost::asio::awaitable<base::Result<store::MessageRecord>> SendText(SendTextRequest request);
  boost::asio::awaitable<base::Result<store::MessageRecord>> SendMedia(SendMediaRequest request);

 private:
  // The part shared by both: idempotency around `send`.
  template <typename Send>
  boost::asio::awaitable<base::Result<store::MessageRecord>> Idempotent(
      const std::string& key, const std::string& fingerprint, Send send);
  // Stores `record` as pending, sends `message`, marks it sent or failed.
  boost::asio::awaitable<base::Result<store::MessageRecord>> Deliver(
      std::shared_ptr<wa::client::Client> client, store::MessageRecord record,
      wa::client::SendRequest request);
  base::Result<std::shared_ptr<wa::client::Client>> OpenClient() const;
  std::string NewMessageId();
  // The chat a send to `to` is stored under (a known LID → its number).
  std::string ChatJid(const std::string& to);

  const std::string instance_;
  store::Store& store_;
  EventBus* const events_;
  boost::asio::thread_pool& blocking_;
  MediaStore& media_;
  SessionManager& session_;
  const FetchOptions fetch_;
  VideoThumbnailer video_thumbnails_;  // WAGATE_FFMPEG
  base::Random& random_;
  const base::Clock& clock_;
  std::mutex mu_;
  std::set<std::string> in_flight_;  // idempotency keys; guarded by mu_
  ChatTurns turns_;                  // the send line: pending → stanza queued
  ChatTurns published_;              // the publish line: ack → events
};

}  // namespace service
