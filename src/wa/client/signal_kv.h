// Signal state on the instance's KeyStore [architecture.md §4.1]:
//   KeyStoreKv   wa::signal::KeyValueStore over store::KeyStore + instance;
//   OverlayKv    buffers every write in memory (reads see them) until
//                Commit() writes them all in one KeyStore batch, or Discard()
//                forgets them. One overlay per incoming batch makes
//                "decrypt, persist the messages, then write the Signal
//                state" possible; a send Take()s its writes and stages them.
//   StagedKv     the connection's view of its Signal state: the sends'
//                state between encryption and commit (staged: one send's
//                writes are read by the next at once while the commit that
//                carries them is still queued, send_commits.cc, so sends
//                pipeline instead of waiting for a store commit each), and
//                a bounded cache of committed records, so a send to a known
//                chat reads nothing from the store.
// All block (the KeyStore does): call them on the blocking pool.
// Thread safety: KeyStoreKv and OverlayKv one thread at a time (wa::signal
// holds its Context lock); StagedKv is safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
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
  // The buffered changes (last value per key), forgotten here.
  std::vector<signal::KeyWrite> Take();
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }

 private:
  signal::KeyValueStore& base_;
  // (type, id) → value; nullopt = deleted.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> pending_;
};

class StagedKv final : public signal::KeyValueStore {
 public:
  // Bounds the clean (committed) entries; staged ones stay until released.
  static constexpr size_t kMaxCachedBytes = 4 << 20;
  static constexpr size_t kMaxCachedEntries = 8192;

  explicit StagedKv(signal::KeyValueStore& base, size_t max_cached_bytes = kMaxCachedBytes)
      : base_(base), max_bytes_(max_cached_bytes) {}

  // Staged and cached values first, then the base (what it returns for a
  // cached type is cached, absence included). REQUIRES: the Signal lock —
  // one Get or Write at a time.
  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override;
  // Straight to the base, then cached. REQUIRES: the Signal lock, and
  // nothing staged for these keys (callers outside the send pipeline wait
  // until every staged commit is done). A caller whose write may still be
  // rolled back by an enclosing transaction calls ForgetCached when it is.
  base::Status Write(const std::vector<signal::KeyWrite>& writes) override;

  // Get without the base: kUnavailable unless every id is staged or cached
  // (absence included). REQUIRES: the Signal lock.
  base::Result<std::map<std::string, std::string>> GetInMemory(std::string_view type,
                                                               const std::vector<std::string>& ids);

  // Any thread. Makes `writes` visible to Get; returns the stage's number
  // (increasing).
  uint64_t Stage(const std::vector<signal::KeyWrite>& writes);
  // Any thread. The commit carrying stage `stage` ended: stored (the
  // values stay cached) or failed (its keys read from the base again),
  // unless a later stage wrote them.
  void Release(const std::vector<signal::KeyWrite>& writes, uint64_t stage, bool committed);
  // Drops every clean entry: the next reads go to the base.
  void ForgetCached();
  bool empty() const;  // nothing staged

  // Only what nothing but this connection's Signal code writes is cached;
  // pre-keys are written by the upload path too.
  static bool Cacheable(std::string_view type);

 private:
  using Key = std::pair<std::string, std::string>;
  struct Entry {
    std::optional<std::string> value;  // nullopt = absent / deleted
    uint64_t stage = 0;                // 0: clean (as the base has it)
    uint64_t used = 0;                 // for eviction, least recently used first
  };
  void PutClean(const Key& key, std::optional<std::string> value);  // REQUIRES mu_
  void Evict();                                                     // REQUIRES mu_
  // Drops an entry and its bytes (staged_count_ is the caller's). REQUIRES mu_.
  std::map<Key, Entry>::iterator Erase(std::map<Key, Entry>::iterator it);
  static size_t SizeOf(const Key& key, const Entry& e) {
    return key.first.size() + key.second.size() + (e.value ? e.value->size() : 0) + 64;
  }

  signal::KeyValueStore& base_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  uint64_t next_stage_ = 0;       // guarded by mu_
  uint64_t clock_ = 0;            // guarded by mu_
  size_t bytes_ = 0;              // guarded by mu_
  std::map<Key, Entry> entries_;  // guarded by mu_
  size_t staged_count_ = 0;       // guarded by mu_
};

// StagedKv's memory only, for work that must not block (a send encrypting
// on the client's strand): a record not in memory fails the read with
// kUnavailable, and the caller redoes the work on the blocking pool. Reads
// only: it sits under an OverlayKv, which buffers the writes.
class InMemoryKv final : public signal::KeyValueStore {
 public:
  explicit InMemoryKv(StagedKv& kv) : kv_(kv) {}
  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override {
    return kv_.GetInMemory(type, ids);
  }
  base::Status Write(const std::vector<signal::KeyWrite>&) override {
    return base::Internal("InMemoryKv is read-only");
  }

 private:
  StagedKv& kv_;
};

}  // namespace wa::client
