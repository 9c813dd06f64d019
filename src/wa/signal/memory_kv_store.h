// MemoryKeyValueStore — wa::signal::KeyValueStore in a std::map: the fake for
// tests and the interop peer, and the shape of wa/client's bridge onto
// store::KeyStore (one instance's keys). Copyable, so a test can "restart"
// from the same bytes. FailNext() makes the next Get or Write fail once
// (fault injection).
// Thread safety: internally locked; safe from any thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "wa/signal/kv_store.h"

namespace wa::signal {

class MemoryKeyValueStore final : public KeyValueStore {
 public:
  MemoryKeyValueStore() = default;
  MemoryKeyValueStore(const MemoryKeyValueStore& other);
  MemoryKeyValueStore& operator=(const MemoryKeyValueStore&) = delete;

  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override;
  base::Status Write(const std::vector<KeyWrite>& writes) override;

  void FailNext(base::Status status);
  size_t Count(std::string_view type) const;
  // Every (type, id) → value, for tests.
  std::map<std::pair<std::string, std::string>, std::string> Snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> values_;
  std::optional<base::Status> fail_next_;
};

}  // namespace wa::signal
