// `wagate import`: loads chats and messages from JSON lines into the store,
// for seeding tests and demos (no REST route writes data without WhatsApp).
// Each non-blank line is one of
//   {"message": {<message object>}, "chatName"?: "...", "isGroup"?: bool}
//   {"chat": {<chat object>}}
// with the field names of api.md (see api::MessageFromJson/ChatFromJson).
// A message goes through Store::SaveMessage (so chats, unread counts and
// last messages follow the store's rules); a chat line replaces the chat.
// The whole input is validated before anything is written, so a bad line
// leaves the store untouched. Not thread-safe; one import at a time.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace app {

struct ImportItem {
  int line = 0;
  std::optional<store::MessageRecord> message;  // else `chat`
  store::ChatHint hint;
  store::ChatRecord chat;
};

struct ImportParse {
  std::vector<ImportItem> items;
  // "line 3: message.timestamp must be ..." — at most `max_errors`.
  std::vector<std::string> errors;
};

ImportParse ParseImport(std::istream& in, size_t max_errors = 20);

struct ImportCounts {
  int messages = 0;  // message lines applied
  int inserted = 0;  // of which new (not already stored)
  int chats = 0;     // chat lines applied
};

// Applies the items in order; stops at the first store error, naming the line.
base::Result<ImportCounts> ApplyImport(store::Store& store, std::string_view instance,
                                       const std::vector<ImportItem>& items);

}  // namespace app
