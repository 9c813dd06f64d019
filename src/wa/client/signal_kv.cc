#include "wa/client/signal_kv.h"

#include <algorithm>

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

std::vector<signal::KeyWrite> OverlayKv::Take() {
  std::vector<signal::KeyWrite> out;
  out.reserve(pending_.size());
  for (auto& [key, value] : pending_) {
    out.push_back(signal::KeyWrite{.type = key.first, .id = key.second, .value = std::move(value)});
  }
  pending_.clear();
  return out;
}

bool StagedKv::Cacheable(std::string_view type) {
  return type == signal::kSessionType || type == signal::kIdentityKeyType ||
         type == signal::kSenderKeyType || type == "sender-key-memory";
}

base::Result<std::map<std::string, std::string>> StagedKv::Get(
    std::string_view type, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> found;
  std::vector<std::string> missing;
  {
    std::lock_guard lock(mu_);
    Key key{std::string(type), {}};
    for (const std::string& id : ids) {
      key.second = id;
      auto it = entries_.find(key);
      if (it == entries_.end()) {
        missing.push_back(id);
        continue;
      }
      it->second.used = ++clock_;
      if (it->second.value) found[id] = *it->second.value;
    }
  }
  if (missing.empty()) return found;
  // Releases run meanwhile only relabel or drop entries, never add one, so
  // what the base returns for a key that had none is current.
  base::Result<std::map<std::string, std::string>> stored = base_.Get(type, missing);
  if (!stored.ok()) return stored.status();
  if (Cacheable(type)) {
    std::lock_guard lock(mu_);
    for (const std::string& id : missing) {
      auto it = stored->find(id);
      Key key{std::string(type), id};
      if (!entries_.contains(key)) {
        PutClean(key, it == stored->end() ? std::nullopt : std::optional<std::string>(it->second));
      }
    }
    Evict();
  }
  for (auto& [id, value] : *stored) found.emplace(id, std::move(value));
  return found;
}

base::Result<std::map<std::string, std::string>> StagedKv::GetInMemory(
    std::string_view type, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> found;
  std::lock_guard lock(mu_);
  Key key{std::string(type), {}};
  for (const std::string& id : ids) {
    key.second = id;
    auto it = entries_.find(key);
    if (it == entries_.end()) return base::Unavailable("not in memory: " + key.first);
    it->second.used = ++clock_;
    if (it->second.value) found[id] = *it->second.value;
  }
  return found;
}

base::Status StagedKv::Write(const std::vector<signal::KeyWrite>& writes) {
  base::Status written = base_.Write(writes);
  std::lock_guard lock(mu_);
  for (const signal::KeyWrite& w : writes) {
    if (!Cacheable(w.type)) continue;
    Key key{w.type, w.id};
    if (written.ok()) {
      PutClean(key, w.value);
    } else if (auto it = entries_.find(key); it != entries_.end() && it->second.stage == 0) {
      Erase(it);  // unknown now: read again
    }
  }
  Evict();
  return written;
}

uint64_t StagedKv::Stage(const std::vector<signal::KeyWrite>& writes) {
  std::lock_guard lock(mu_);
  const uint64_t stage = ++next_stage_;
  for (const signal::KeyWrite& w : writes) {
    Key key{w.type, w.id};
    auto [it, added] = entries_.try_emplace(key);
    if (!added) bytes_ -= SizeOf(it->first, it->second);
    if (added || it->second.stage == 0) ++staged_count_;
    it->second = Entry{w.value, stage, ++clock_};
    bytes_ += SizeOf(it->first, it->second);
  }
  return stage;
}

void StagedKv::Release(const std::vector<signal::KeyWrite>& writes, uint64_t stage,
                       bool committed) {
  std::lock_guard lock(mu_);
  for (const signal::KeyWrite& w : writes) {
    auto it = entries_.find({w.type, w.id});
    if (it == entries_.end() || it->second.stage == 0 || it->second.stage > stage) continue;
    --staged_count_;
    if (committed && Cacheable(w.type)) {
      it->second.stage = 0;  // as stored now
    } else {
      Erase(it);
    }
  }
  Evict();
}

void StagedKv::ForgetCached() {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.stage == 0) {
      it = Erase(it);
    } else {
      ++it;
    }
  }
}

bool StagedKv::empty() const {
  std::lock_guard lock(mu_);
  return staged_count_ == 0;
}

void StagedKv::PutClean(const Key& key, std::optional<std::string> value) {
  auto [it, added] = entries_.try_emplace(key);
  if (!added) {
    bytes_ -= SizeOf(it->first, it->second);
    if (it->second.stage != 0) --staged_count_;
  }
  it->second = Entry{std::move(value), 0, ++clock_};
  bytes_ += SizeOf(it->first, it->second);
}

std::map<StagedKv::Key, StagedKv::Entry>::iterator StagedKv::Erase(
    std::map<Key, Entry>::iterator it) {
  bytes_ -= SizeOf(it->first, it->second);
  return entries_.erase(it);
}

void StagedKv::Evict() {
  if (bytes_ <= max_bytes_ && entries_.size() <= kMaxCachedEntries) return;
  // Rare (a cache this size holds thousands of chats): one pass ordering
  // the clean entries by last use, then the oldest go until a quarter of
  // the budget is free again.
  std::vector<std::pair<uint64_t, std::map<Key, Entry>::iterator>> clean;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.stage == 0) clean.emplace_back(it->second.used, it);
  }
  std::sort(clean.begin(), clean.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t target_bytes = max_bytes_ / 4 * 3;
  const size_t target_entries = kMaxCachedEntries / 4 * 3;
  for (auto& [used, it] : clean) {
    if (bytes_ <= target_bytes && entries_.size() <= target_entries) break;
    Erase(it);
  }
}

}  // namespace wa::client
