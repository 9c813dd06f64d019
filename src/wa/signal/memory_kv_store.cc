#include "wa/signal/memory_kv_store.h"

namespace wa::signal {

MemoryKeyValueStore::MemoryKeyValueStore(const MemoryKeyValueStore& other) {
  std::lock_guard lock(other.mutex_);
  values_ = other.values_;
}

base::Result<std::map<std::string, std::string>> MemoryKeyValueStore::Get(
    std::string_view type, const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  if (fail_next_) {
    base::Status status = std::move(*fail_next_);
    fail_next_.reset();
    return status;
  }
  std::map<std::string, std::string> found;
  for (const std::string& id : ids) {
    auto it = values_.find({std::string(type), id});
    if (it != values_.end()) found.emplace(id, it->second);
  }
  return found;
}

base::Status MemoryKeyValueStore::Write(const std::vector<KeyWrite>& writes) {
  std::lock_guard lock(mutex_);
  if (fail_next_) {
    base::Status status = std::move(*fail_next_);
    fail_next_.reset();
    return status;
  }
  for (const KeyWrite& write : writes) {
    if (write.value) {
      values_[{write.type, write.id}] = *write.value;
    } else {
      values_.erase({write.type, write.id});
    }
  }
  return base::Status::Ok();
}

void MemoryKeyValueStore::FailNext(base::Status status) {
  std::lock_guard lock(mutex_);
  fail_next_ = std::move(status);
}

size_t MemoryKeyValueStore::Count(std::string_view type) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, value] : values_) n += key.first == type ? 1 : 0;
  return n;
}

std::map<std::pair<std::string, std::string>, std::string> MemoryKeyValueStore::Snapshot() const {
  std::lock_guard lock(mutex_);
  return values_;
}

}  // namespace wa::signal
