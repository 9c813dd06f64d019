#include "app/import.h"

#include <boost/json/value.hpp>

#include "api/dto.h"
#include "api/json_text.h"

namespace app {
namespace {

namespace json = boost::json;

// The longest line read; a message object is far smaller.
constexpr size_t kMaxLineBytes = 1 << 20;

base::Result<ImportItem> ParseLine(std::string_view text) {
  WAGATE_ASSIGN_OR_RETURN(json::value v, api::ParseJsonText(text));
  if (!v.is_object()) return base::InvalidArgument("expected a JSON object");
  const json::object& o = v.get_object();
  const json::value* message = o.if_contains("message");
  const json::value* chat = o.if_contains("chat");
  if ((message == nullptr) == (chat == nullptr)) {
    return base::InvalidArgument("expected an object with either \"message\" or \"chat\"");
  }
  ImportItem item;
  if (chat != nullptr) {
    WAGATE_ASSIGN_OR_RETURN(item.chat, api::ChatFromJson(*chat));
    return item;
  }
  WAGATE_ASSIGN_OR_RETURN(item.message, api::MessageFromJson(*message));
  if (const json::value* name = o.if_contains("chatName"); name && !name->is_null()) {
    if (!name->is_string()) return base::InvalidArgument("chatName must be a string");
    item.hint.name = std::string(name->get_string());
  }
  item.hint.is_group = item.message->jid.ends_with("@g.us");
  if (const json::value* group = o.if_contains("isGroup"); group && !group->is_null()) {
    if (!group->is_bool()) return base::InvalidArgument("isGroup must be a boolean");
    item.hint.is_group = group->get_bool();
  }
  return item;
}

}  // namespace

ImportParse ParseImport(std::istream& in, size_t max_errors) {
  ImportParse out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto add_error = [&](const std::string& m) {
      if (out.errors.size() < max_errors) {
        out.errors.push_back("line " + std::to_string(number) + ": " + m);
      }
    };
    if (line.size() > kMaxLineBytes) {
      add_error("longer than 1 MiB");
      continue;
    }
    auto item = ParseLine(line);
    if (!item.ok()) {
      add_error(item.status().message());
      continue;
    }
    item->line = number;
    out.items.push_back(std::move(item).value());
  }
  return out;
}

base::Result<ImportCounts> ApplyImport(store::Store& store, std::string_view instance,
                                       const std::vector<ImportItem>& items) {
  ImportCounts counts;
  for (const ImportItem& item : items) {
    std::string where = "line " + std::to_string(item.line);
    if (item.message) {
      auto saved = store.SaveMessage(instance, *item.message, item.hint);
      if (!saved.ok()) return saved.status().WithContext(where);
      ++counts.messages;
      if (saved->inserted) ++counts.inserted;
    } else {
      base::Status put = store.PutChat(instance, item.chat);
      if (!put.ok()) return put.WithContext(where);
      ++counts.chats;
    }
  }
  return counts;
}

}  // namespace app
