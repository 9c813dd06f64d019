#include "wa/client/signal_kv.h"

namespace wa::client {

base::Result<std::map<std::string, std::string>> KeyStoreKv::Get(
    std::string_view type, const std::vector<std::string>& ids) {
  return keys_.GetKeys(instance_, type, ids);
}

base::Status KeyStoreKv::Write(const std::vector<signal::KeyWrite>& writes) {
  std::vector<store::KeyWrite> batch;
  batch.reserve(writes.size());
  for (const signal::KeyWrite& w : writes) {
    batch.push_back(store::KeyWrite{.type = w.type, .id = w.id, .value = w.value});
  }
  return keys_.WriteKeys(instance_, batch);
}

base::Result<std::map<std::string, std::string>> OverlayKv::Get(
    std::string_view type, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> found;
  std::vector<std::string> missing;
  for (const std::string& id : ids) {
    auto it = pending_.find({std::string(type), id});
    if (it == pending_.end()) {
      missing.push_back(id);
    } else if (it->second) {
      found[id] = *it->second;
    }
  }
  if (!missing.empty()) {
    base::Result<std::map<std::string, std::string>> stored = base_.Get(type, missing);
    if (!stored.ok()) return stored.status();
    for (auto& [id, value] : *stored) found.emplace(id, std::move(value));
  }
  return found;
}

base::Status OverlayKv::Write(const std::vector<signal::KeyWrite>& writes) {
  for (const signal::KeyWrite& w : writes) pending_[{w.type, w.id}] = w.value;
  return base::Status::Ok();
}

base::Status OverlayKv::Commit() {
  if (pending_.empty()) return base::Status::Ok();
  std::vector<signal::KeyWrite> batch;
  batch.reserve(pending_.size());
  for (const auto& [key, value] : pending_) {
    batch.push_back(signal::KeyWrite{.type = key.first, .id = key.second, .value = value});
  }
  base::Status written = base_.Write(batch);
  if (written.ok()) pending_.clear();
  return written;
}

}  // namespace wa::client
