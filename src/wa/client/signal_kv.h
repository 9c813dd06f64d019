// Signal state on the instance's KeyStore [architecture.md §4.1]:
//   KeyStoreKv   wa::signal::KeyValueStore over store::KeyStore + instance;
//   OverlayKv    buffers every write in memory (reads see them) until
//                Commit() writes them all in one KeyStore batch, or Discard()
//                forgets them. One overlay per incoming message makes
//                "decrypt, persist the message, then write the Signal state"
//                possible; sends commit theirs right away.
// Both block (the KeyStore does): call them on the blocking pool.
// Thread safety: one thread at a time (wa::signal holds its Context lock).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.h"
#include "wa/signal/kv_store.h"

namespace wa::client {

class KeyStoreKv final : public signal::KeyValueStore {
 public:
  KeyStoreKv(store::KeyStore& keys, std::string instance)
      : keys_(keys), instance_(std::move(instance)) {}

  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override;
  base::Status Write(const std::vector<signal::KeyWrite>& writes) override;

 private:
  store::KeyStore& keys_;
  std::string instance_;
};

class OverlayKv final : public signal::KeyValueStore {
 public:
  explicit OverlayKv(signal::KeyValueStore& base) : base_(base) {}

  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override;
  // Buffers; never fails.
  base::Status Write(const std::vector<signal::KeyWrite>& writes) override;

  // Writes every buffered change (last value per key) in one batch, then
  // forgets them. A failed commit keeps the buffer (the caller may retry).
  base::Status Commit();
  void Discard() { pending_.clear(); }
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }

 private:
  signal::KeyValueStore& base_;
  // (type, id) → value; nullopt = deleted.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> pending_;
};

}  // namespace wa::client
