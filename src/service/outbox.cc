#include "service/outbox.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "base/encoding.h"
#include "base/offload.h"
#include "service/inbox.h"
#include "service/thumbnail.h"
#include "service/whatsapp_service.h"
#include "wa/client/content.h"

namespace service {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr char kIdempotencyType[] = "idempotency";

bool IsGroup(const std::string& jid) { return jid.ends_with("@g.us"); }

// Whether the sniffed type fits the declared media type.
bool Fits(const std::string& media_type, const std::string& mime) {
  if (media_type == "image") return mime.starts_with("image/");
  if (media_type == "video") return mime.starts_with("video/");
  if (media_type == "audio") {
    return mime.starts_with("audio/") || mime == "video/mp4" || mime == "video/webm";
  }
  return true;  // a document can be anything
}

// A protocol failure of the send, as the API caller should see it.
base::Status SendError(const base::Status& s) {
  switch (s.code()) {
    case base::Code::kNotFound:
    case base::Code::kInvalidArgument:
    case base::Code::kDeadlineExceeded:
    case base::Code::kResourceExhausted:
      return s;
    default:
      return base::Unavailable("WhatsApp did not take the message: " + s.message());
  }
}

}  // namespace

Outbox::Outbox(std::string instance, store::Store& store, EventBus* events,
               asio::thread_pool& blocking, MediaStore& media, SessionManager& session,
               FetchOptions fetch, base::Random& random, const base::Clock& clock,
               std::string ffmpeg)
    : instance_(std::move(instance)),
      store_(store),
      events_(events),
      blocking_(blocking),
      media_(media),
      session_(session),
      fetch_(std::move(fetch)),
      video_thumbnails_(std::move(ffmpeg)),
      random_(random),
      clock_(clock) {}

std::string Outbox::NewMessageId() {
  // WhatsApp Web's shape: "3EB0" and upper-case hex.
  std::string hex = base::HexEncode(random_.Bytes(9));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "3EB0" + hex;
}

std::string Outbox::ChatJid(const std::string& to) {
  return ChatJidFor(
      to, [this](const std::string& lid_user) { return session_.messaging().PnForLid(lid_user); });
}

base::Result<std::shared_ptr<wa::client::Client>> Outbox::OpenClient() const {
  auto client = session_.OpenClient();
  if (!client) {
    return base::FailedPrecondition(
        "the WhatsApp session is not open (status: " + session_.View().status +
        "); POST /whatsapp/session/connect first");
  }
  return client;
}

template <typename Send>
asio::awaitable<base::Result<store::MessageRecord>> Outbox::Idempotent(
    const std::string& key, const std::string& fingerprint, Send send) {
  if (key.empty()) co_return co_await send();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  const std::string id =
      base::HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.insert(id).second) {
      co_return base::FailedPrecondition(
          "a request with this Idempotency-Key is still in progress");
    }
  }
  struct Release {
    Outbox* self;
    std::string id;
    ~Release() {
      std::lock_guard lock(self->mu_);
      self->in_flight_.erase(id);
    }
  } release{this, id};

  // A remembered answer: the message as stored now.
  auto earlier =
      co_await base::Offload(blocking_, [&]() -> base::Result<std::optional<store::MessageRecord>> {
        auto found = store_.GetKeys(instance_, kIdempotencyType, {id});
        if (!found.ok()) return found.status();
        auto it = found->find(id);
        if (it == found->end()) return std::optional<store::MessageRecord>();
        boost::system::error_code ec;
        json::value v = json::parse(it->second, ec);
        if (ec || !v.is_object()) return std::optional<store::MessageRecord>();
        const json::object& o = v.as_object();
        if (!o.contains("at") || !o.at("at").is_int64() ||
            clock_.NowMs() - o.at("at").as_int64() > kIdempotencyTtlMs) {
          return std::optional<store::MessageRecord>();  // expired: a new request
        }
        if (o.at("request") != json::value(fingerprint)) {
          return base::FailedPrecondition("this Idempotency-Key was used with a different request");
        }
        auto message = store_.GetMessage(instance_, std::string(o.at("jid").as_string()),
                                         std::string(o.at("id").as_string()));
        if (!message.ok()) return message.status();
        return *message;
      });
  if (!earlier.ok()) co_return earlier.status();
  if (earlier->has_value()) co_return **earlier;

  auto sent = co_await send();
  if (sent.ok()) {
    json::object o;
    o["request"] = fingerprint;
    o["jid"] = sent->jid;
    o["id"] = sent->id;
    o["at"] = clock_.NowMs();
    const std::string value = json::serialize(o);
    base::Status kept = co_await base::Offload(blocking_, [&] {
      return store_.WriteKeys(instance_, {{kIdempotencyType, id, value}});
    });
    if (!kept.ok()) spdlog::warn("idempotency key not recorded: {}", kept.ToString());
  }
  co_return sent;
}

asio::awaitable<base::Result<store::MessageRecord>> Outbox::Deliver(
    std::shared_ptr<wa::client::Client> client, store::MessageRecord record,
    wa::client::SendRequest request) {
  // Two lines per chat, taken in arrival order: the send line from storing
  // as pending until the stanza is queued on the connection, and the
  // publish line from the ack to the events. Stored order = wire order =
  // event order, while sends to one chat still overlap their acks.
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<ChatTurns::Ticket> send_turn = turns_.Reserve(executor, record.jid);
  co_await send_turn->Wait();
  std::unique_ptr<ChatTurns::Ticket> publish_turn = published_.Reserve(executor, record.jid);
  record.timestamp_ms = clock_.NowMs();  // under the send turn, for the same reason
  // Persist, then send: the client stores the pending message and the
  // Signal state the encryption advanced in one transaction before the
  // stanza leaves. Shared: it runs inside the client's own coroutine.
  struct Pending {
    store::MessageRecord record;
    store::ChatHint hint;
    bool stored = false;
    base::Status error;
  };
  auto pending = std::make_shared<Pending>();
  pending->record = record;
  pending->hint.is_group = IsGroup(record.jid);
  request.persist = [this, pending](const std::function<base::Status()>& commit_signal_state) {
    pending->error = store_.InTransaction([&]() -> base::Status {
      WAGATE_RETURN_IF_ERROR(
          store_.SaveMessage(instance_, pending->record, pending->hint).status());
      return commit_signal_state();
    });
    pending->stored = pending->error.ok();
    return pending->error;
  };
  // Runs on the client's strand, before SendMessage completes.
  request.on_queued = [send_turn] { send_turn->Release(); };
  auto sent = co_await client->SendMessage(std::move(request));
  send_turn->Release();  // when it failed before queueing
  co_await publish_turn->Wait();
  if (!pending->error.ok()) co_return pending->error.WithContext("store message");

  const std::string status = sent.ok() ? "sent" : "failed";
  // The status, then (once sent) the events, in one transaction.
  store::MessageRecord now = record;
  auto work = [&]() -> base::Result<std::vector<EventBus::Pending>> {
    std::vector<EventBus::Pending> events;
    store::MessageRecord failed = record;
    failed.status = "failed";
    if (!pending->stored) {
      // It failed before the persist step (a recipient not on WhatsApp…):
      // kept as failed, as a send that failed later is.
      WAGATE_RETURN_IF_ERROR(store_.SaveMessage(instance_, failed, pending->hint).status());
      return events;
    }
    auto moved = store_.UpdateMessageStatus(instance_, record.jid, record.id, status);
    const bool missing = moved.ok() ? !*moved : moved.status().code() == base::Code::kNotFound;
    if (missing && !sent.ok()) {
      // Its persist step ran but the shared commit around it failed.
      WAGATE_RETURN_IF_ERROR(store_.SaveMessage(instance_, failed, pending->hint).status());
      return events;
    }
    WAGATE_RETURN_IF_ERROR(moved.status());
    if (!sent.ok()) return events;  // failed: nothing to publish
    auto message = store_.GetMessage(instance_, record.jid, record.id);
    if (!message.ok()) return message.status();
    auto chat = store_.GetChat(instance_, record.jid);
    if (!chat.ok()) return chat.status();
    now = message->value_or(record);
    return MessageStoredEvents(now, chat->value_or(store::ChatRecord{}));
  };
  // Without a pool thread waiting for the combined commit; a named Work,
  // not a temporary in the co_await (GCC 12).
  EventBus::Work job = work;
  base::Status stored = co_await CommitAsync(events_, store_, blocking_, std::move(job));
  publish_turn->Release();
  if (!sent.ok()) {
    spdlog::info("send {} to {} failed: {}", record.id, record.jid, sent.status().ToString());
    co_return SendError(sent.status());
  }
  if (!stored.ok()) co_return stored.WithContext("message sent, status not stored");
  co_return now;
}

asio::awaitable<base::Result<store::MessageRecord>> Outbox::SendText(SendTextRequest request) {
  json::object fp;
  fp["to"] = request.to;
  fp["text"] = request.text;
  fp["quotedId"] = request.quoted_id ? json::value(*request.quoted_id) : json::value(nullptr);
  co_return co_await Idempotent(
      request.idempotency_key, json::serialize(fp),
      [&]() -> asio::awaitable<base::Result<store::MessageRecord>> {
        auto client = OpenClient();
        if (!client.ok()) co_return client.status();
        const std::string chat = ChatJid(request.to);
        std::optional<wa::client::Quote> quote;
        if (request.quoted_id) {
          quote = wa::client::Quote{*request.quoted_id, ""};
          auto quoted = co_await base::Offload(
              blocking_, [&] { return store_.GetMessage(instance_, chat, *request.quoted_id); });
          if (quoted.ok() && quoted->has_value()) quote->sender = (*quoted)->sender;
        }
        store::MessageRecord r;
        r.id = NewMessageId();
        r.jid = chat;
        r.sender = session_.OwnJid();
        r.from_me = true;
        r.type = "text";
        r.content = request.text;
        r.timestamp_ms = clock_.NowMs();
        r.status = "pending";
        r.quoted_id = request.quoted_id;
        wa::client::SendRequest send;
        send.to = request.to;  // the address the caller chose; stored under r.jid
        send.id = r.id;
        send.message = wa::client::BuildTextMessage(request.text, quote);
        send.type = "text";
        co_return co_await Deliver(*client, std::move(r), std::move(send));
      });
}

asio::awaitable<base::Result<store::MessageRecord>> Outbox::SendMedia(SendMediaRequest request) {
  json::object fp;
  fp["to"] = request.to;
  fp["mediaUrl"] = request.media_url;
  fp["mediaType"] = request.media_type;
  fp["caption"] = request.caption;
  fp["fileName"] = request.file_name;
  fp["mimeType"] = request.mime_type;
  co_return co_await Idempotent(
      request.idempotency_key, json::serialize(fp),
      [&]() -> asio::awaitable<base::Result<store::MessageRecord>> {
        auto client = OpenClient();
        if (!client.ok()) co_return client.status();
        const std::string temp = media_.TempPath(random_);
        struct Cleanup {
          std::string path;
          ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove(path, ec);
          }
        } cleanup{temp};

        auto fetched = co_await base::Offload(
            blocking_, [&] { return FetchToFile(request.media_url, temp, fetch_); });
        if (!fetched.ok()) co_return fetched.status();
        const std::string& sniffed = fetched->sniffed_mime;
        if (!Fits(request.media_type, sniffed)) {
          co_return base::InvalidArgument("mediaUrl is " + sniffed + ", not " +
                                          (request.media_type == "image" ? "an " : "a ") +
                                          request.media_type);
        }
        // The declared type wins for documents (the sniffer knows few);
        // for the others the bytes decide.
        std::string mime = sniffed;
        if (!request.mime_type.empty() &&
            (request.media_type == "document" || sniffed == "application/octet-stream")) {
          mime = request.mime_type;
        }
        wa::client::MediaMessageInput input;
        input.media_type = request.media_type;
        input.mime_type = mime;
        input.caption = request.caption;
        input.file_name = request.file_name;
        input.media_key_timestamp = clock_.NowMs() / 1000;
        if (request.media_type == "image") {
          auto thumb = co_await base::Offload(blocking_, [&] { return MakeImageThumbnail(temp); });
          if (thumb.ok()) {
            input.jpeg_thumbnail = std::move(thumb->jpeg);
            input.width = thumb->width;
            input.height = thumb->height;
          } else {
            co_return base::InvalidArgument("mediaUrl is not a usable image: " +
                                            thumb.status().message());
          }
        } else if (request.media_type == "video") {
          // Best effort: without ffmpeg (or when it fails) no thumbnail.
          auto thumb = co_await base::Offload(
              blocking_, [&] { return video_thumbnails_.TryMake(temp, mime); });
          if (thumb) input.jpeg_thumbnail = std::move(thumb->jpeg);
        }
        auto uploaded = co_await (*client)->UploadMedia(request.media_type, temp);
        if (!uploaded.ok()) co_return SendError(uploaded.status()).WithContext("media upload");
        input.uploaded = *uploaded;
        auto message = wa::client::BuildMediaMessage(input);
        if (!message.ok()) co_return message.status();

        // Our copy, served at the URL the message record shows.
        const std::string name = MediaStore::NameFor(uploaded->file_sha256, mime);
        base::Status kept = co_await base::Offload(blocking_, [&] {
          return media_.Has(name) ? base::Status::Ok() : media_.Adopt(temp, name);
        });
        if (!kept.ok()) co_return kept;

        store::MessageRecord r;
        r.id = NewMessageId();
        r.jid = ChatJid(request.to);
        r.sender = session_.OwnJid();
        r.from_me = true;
        r.type = request.media_type;
        r.content = media_.UrlFor(name);
        r.caption = request.caption;
        r.mime_type = mime;
        r.file_name = request.file_name;
        r.size = static_cast<int64_t>(fetched->size);
        r.timestamp_ms = clock_.NowMs();
        r.status = "pending";
        wa::client::SendRequest send;
        send.to = request.to;  // the address the caller chose; stored under r.jid
        send.id = r.id;
        send.message = std::move(*message);
        send.type = "media";
        send.media_type = request.media_type;
        co_return co_await Deliver(*client, std::move(r), std::move(send));
      });
}

}  // namespace service
