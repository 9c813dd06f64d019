#include "wa/signal/kv_store.h"

namespace wa::signal {

base::Result<std::optional<std::string>> KeyValueStore::GetOne(std::string_view type,
                                                               const std::string& id) {
  WAGATE_ASSIGN_OR_RETURN(auto found, Get(type, {id}));
  auto it = found.find(id);
  if (it == found.end()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(it->second));
}

base::Status KeyValueStore::Put(std::string_view type, std::string id, std::string value) {
  return Write({KeyWrite{std::string(type), std::move(id), std::move(value)}});
}

base::Status KeyValueStore::Delete(std::string_view type, std::string id) {
  return Write({KeyWrite{std::string(type), std::move(id), std::nullopt}});
}

}  // namespace wa::signal
