// Inbox: where incoming messages and receipts land (wa::client::MessageSink).
// Messages come in batches (a burst is one batch, one transaction); for
// each message, in arrival order: parse its content, store it with its
// chat (idempotent on (chat, id): a redelivery changes nothing, a decrypted
// resend fills an `undecryptable` placeholder), record a media download
// when it carries media, then publish `new-message` and `chat-update` — and
// only then return ok, after which the client commits the Signal state and
// receipts the message (persist, then ack).
// Receipts move stored statuses forward and publish `message-status`.
//
// Threading: called on the client's strand, one call at a time; store and
// event writes run on the blocking pool.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/clock.h"
#include "service/event_bus.h"
#include "service/media_downloads.h"
#include "service/media_store.h"
#include "store/store.h"
#include "wa/client/messaging.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

// Maps a LID user ("100000000000002") to its phone-number user when known.
using PnForLid = std::function<std::optional<std::string>(const std::string&)>;

// The JID a chat is stored under: a LID JID whose number is known becomes
// the phone-number JID (what API users send to and list); anything else is
// kept. Incoming messages, receipts and sends all go through it, so one
// conversation is one chat whichever address a stanza or a caller used.
std::string ChatJidFor(const std::string& jid, const PnForLid& pn_for_lid);

class Inbox final : public wa::client::MessageSink {
 public:
  // `own_jid` gives the linked account's JID without device (the sender of
  // our own messages), read at each call.
  // `pn_for_lid` maps a LID user ("100000000000002") to its phone-number
  // user when known.
  Inbox(std::string instance, store::Store& store, EventBus* events,
        boost::asio::thread_pool& blocking, MediaStore& media, MediaDownloads& downloads,
        std::function<std::string()> own_jid,
        std::function<std::optional<std::string>(const std::string&)> pn_for_lid = {});

  boost::asio::awaitable<base::Status> OnMessage(const wa::client::IncomingMessage& m) override;
  boost::asio::awaitable<void> OnReceipt(const wa::client::ReceiptEvent& r) override;
  // Group commit: the whole batch — media jobs, messages, chats, the Signal
  // state and the events — in one store transaction (EventBus::PublishWith),
  // then the events delivered: `new-message` per message in order, then one
  // `chat-update` per chat with its state after the batch.
  boost::asio::awaitable<base::Status> OnMessages(
      const std::vector<wa::client::IncomingMessage>& messages,
      const std::function<base::Status()>& commit_signal_state) override;
  // Every status of the run in one transaction, `message-status` for each move.
  boost::asio::awaitable<void> OnReceipts(
      const std::vector<wa::client::ReceiptEvent>& receipts) override;
  // Through the event bus's combined commit: a burst of sends commits once,
  // together with the status updates and receipts written meanwhile.
  base::Status InOneTransaction(const std::function<base::Status()>& body) override;

  // The record a message is stored as (exposed for tests). `media` is set
  // when the message carries a blob to download, with its file name.
  struct Stored {
    store::MessageRecord record;
    store::ChatHint hint;
    std::optional<std::pair<std::string, wa::client::MediaRef>> media;
    bool skip = false;  // protocol payload: nothing to store
  };
  Stored ToRecord(const wa::client::IncomingMessage& m) const;

 private:
  const std::string instance_;
  store::Store& store_;
  EventBus* const events_;
  boost::asio::thread_pool& blocking_;
  MediaStore& media_;
  MediaDownloads& downloads_;
  // Chats and senders are keyed by phone-number JIDs whenever the LID's
  // number is known — what API users send to — and by the LID otherwise.
  std::string Canonical(const std::string& jid, const std::string& alt) const;

  std::function<std::string()> own_jid_;
  std::function<std::optional<std::string>(const std::string&)> pn_for_lid_;
};

}  // namespace service
