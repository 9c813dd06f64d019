// Plain record structs stored by every backend. They mirror the message and
// chat objects of api.md; times are epoch milliseconds (UTC). No behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace store {

// One WhatsApp message as stored. `seq` is assigned by the store on first
// insert (ignored on input): a per-instance number that only grows, so it
// orders messages by arrival and breaks timestamp ties in pagination.
struct MessageRecord {
  std::string id;
  std::string jid;     // chat JID
  std::string sender;  // author JID
  bool from_me = false;
  std::string type;     // text|image|video|document|audio|sticker|reaction|location|contact|
                        // undecryptable|unknown
  std::string content;  // text, or the media URL
  std::string caption;
  std::string mime_type;
  std::string file_name;
  int64_t size = 0;
  int64_t timestamp_ms = 0;
  std::string status;  // pending|sent|delivered|read|failed
  std::string push_name;
  std::optional<std::string> quoted_id;
  int64_t seq = 0;

  friend bool operator==(const MessageRecord&, const MessageRecord&) = default;
};

struct ChatRecord {
  std::string jid;
  std::string name;
  bool is_group = false;
  int64_t unread_count = 0;
  std::optional<MessageRecord> last_message;
  int64_t updated_at_ms = 0;

  friend bool operator==(const ChatRecord&, const ChatRecord&) = default;
};

// The linked-device session of one instance. `creds` and `me` are JSON texts
// owned by the protocol client; a backend may store them natively (MongoDB
// keeps them as sub-documents) but must give back equivalent JSON.
struct SessionRecord {
  std::string instance;
  std::string creds;   // JSON object text, "{}" when none
  std::string status;  // closed|connecting|qr-ready|pairing|open
  std::string me;      // JSON object text, or empty when not linked
  int64_t updated_at_ms = 0;

  friend bool operator==(const SessionRecord&, const SessionRecord&) = default;
};

// A write to the key store: a value to put, or std::nullopt to delete.
struct KeyWrite {
  std::string type;  // e.g. "session", "pre-key", "sender-key", "app-state-sync-key"
  std::string id;
  std::optional<std::string> value;  // opaque bytes
};

// One published event (Socket.IO `new-message`, `message-status`, ...), kept
// for replay to clients that reconnect with a cursor. `seq` is assigned by
// the store (EventStore::AppendEvent): per instance, larger than every seq
// given before, also across restarts and pruning.
struct EventRecord {
  int64_t seq = 0;
  std::string name;     // e.g. "new-message"
  std::string payload;  // JSON object text, without "seq"
  int64_t created_at_ms = 0;

  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

// A position in a message page: the (timestamp, seq) of the last item seen.
struct MessageCursor {
  int64_t timestamp_ms = 0;
  int64_t seq = 0;
  friend bool operator==(const MessageCursor&, const MessageCursor&) = default;
};

}  // namespace store
