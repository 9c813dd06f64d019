#include "store/store.h"

namespace store {

const std::vector<std::string>& StatusesBefore(std::string_view next) {
  static const std::vector<std::string> kNone;
  static const std::vector<std::string> kSent = {"pending"};
  static const std::vector<std::string> kDelivered = {"pending", "sent"};
  static const std::vector<std::string> kRead = {"pending", "sent", "delivered"};
  static const std::vector<std::string> kFailed = {"pending", "sent"};
  if (next == "sent") return kSent;
  if (next == "delivered") return kDelivered;
  if (next == "read") return kRead;
  if (next == "failed") return kFailed;
  return kNone;
}

bool IsKnownStatus(std::string_view s) {
  return s == "pending" || s == "sent" || s == "delivered" || s == "read" || s == "failed";
}

bool ReplacesPlaceholder(const MessageRecord& stored, const MessageRecord& incoming) {
  return stored.type == "undecryptable" && incoming.type != "undecryptable";
}

MessageRecord FillPlaceholder(const MessageRecord& stored, const MessageRecord& incoming) {
  MessageRecord m = stored;
  m.type = incoming.type;
  m.content = incoming.content;
  m.caption = incoming.caption;
  m.mime_type = incoming.mime_type;
  m.file_name = incoming.file_name;
  m.size = incoming.size;
  m.push_name = incoming.push_name;
  m.quoted_id = incoming.quoted_id;
  return m;
}

}  // namespace store
