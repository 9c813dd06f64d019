// StagedKv: what the send pipeline relies on — a staged write is read at
// once, a released one reads as stored (committed) or as before (failed),
// committed records are served from memory, nothing else is, and the cache
// stays within its bounds.
#include "wa/client/signal_kv.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wa::client {
namespace {

// A store that counts its reads.
class CountingKv final : public signal::KeyValueStore {
 public:
  base::Result<std::map<std::string, std::string>> Get(
      std::string_view type, const std::vector<std::string>& ids) override {
    ++reads;
    std::map<std::string, std::string> found;
    for (const std::string& id : ids) {
      auto it = data.find({std::string(type), id});
      if (it != data.end()) found[id] = it->second;
    }
    return found;
  }
  base::Status Write(const std::vector<signal::KeyWrite>& writes) override {
    if (fail_writes) return base::Unavailable("disk full");
    for (const signal::KeyWrite& w : writes) {
      if (w.value) {
        data[{w.type, w.id}] = *w.value;
      } else {
        data.erase({w.type, w.id});
      }
    }
    return base::Status::Ok();
  }
  std::map<std::pair<std::string, std::string>, std::string> data;
  int reads = 0;
  bool fail_writes = false;
};

constexpr std::string_view kSession = signal::kSessionType;
constexpr std::string_view kPreKey = signal::kPreKeyType;

std::optional<std::string> Read(signal::KeyValueStore& kv, std::string_view type,
                                const std::string& id) {
  auto got = kv.Get(type, {id});
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!got.ok() || !got->contains(id)) return std::nullopt;
  return got->at(id);
}

TEST(StagedKv, StagedWritesAreReadBeforeTheirCommit) {
  CountingKv store;
  store.data[{"session", "a.0"}] = "v1";
  StagedKv kv(store);
  std::vector<signal::KeyWrite> writes{{std::string(kSession), "a.0", "v2"}};
  uint64_t stage = kv.Stage(writes);
  EXPECT_FALSE(kv.empty());
  EXPECT_EQ(Read(kv, kSession, "a.0"), "v2");
  EXPECT_EQ((store.data[{"session", "a.0"}]), "v1");  // not stored yet
  // Committed: the store has it now, and it stays in memory.
  store.data[{"session", "a.0"}] = "v2";
  kv.Release(writes, stage, /*committed=*/true);
  EXPECT_TRUE(kv.empty());
  int reads = store.reads;
  EXPECT_EQ(Read(kv, kSession, "a.0"), "v2");
  EXPECT_EQ(store.reads, reads);
}

TEST(StagedKv, AFailedCommitReadsTheStoredStateAgain) {
  CountingKv store;
  store.data[{"session", "a.0"}] = "v1";
  StagedKv kv(store);
  std::vector<signal::KeyWrite> writes{{std::string(kSession), "a.0", "v2"}};
  uint64_t stage = kv.Stage(writes);
  kv.Release(writes, stage, /*committed=*/false);
  EXPECT_EQ(Read(kv, kSession, "a.0"), "v1");
}

TEST(StagedKv, AnOlderReleaseLeavesALaterStageInPlace) {
  CountingKv store;
  StagedKv kv(store);
  std::vector<signal::KeyWrite> first{{std::string(kSession), "a.0", "v2"}};
  std::vector<signal::KeyWrite> second{{std::string(kSession), "a.0", "v3"}};
  uint64_t one = kv.Stage(first);
  kv.Stage(second);
  kv.Release(first, one, /*committed=*/false);
  EXPECT_EQ(Read(kv, kSession, "a.0"), "v3");
  EXPECT_FALSE(kv.empty());
}

TEST(StagedKv, CachesCommittedRecordsAndAbsenceButNotPreKeys) {
  CountingKv store;
  store.data[{"session", "a.0"}] = "s";
  store.data[{"pre-key", "5"}] = "p";
  StagedKv kv(store);
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s");
  EXPECT_EQ(Read(kv, kSession, "b.0"), std::nullopt);
  int reads = store.reads;
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s");
  EXPECT_EQ(Read(kv, kSession, "b.0"), std::nullopt);
  EXPECT_EQ(store.reads, reads);
  // Pre-keys are written by the upload path too: always from the store.
  EXPECT_EQ(Read(kv, kPreKey, "5"), "p");
  EXPECT_EQ(Read(kv, kPreKey, "5"), "p");
  EXPECT_EQ(store.reads, reads + 2);
}

TEST(StagedKv, DirectWritesUpdateTheCacheAndAFailedOneForgetsIt) {
  CountingKv store;
  StagedKv kv(store);
  ASSERT_TRUE(kv.Write({{std::string(kSession), "a.0", "s1"}}).ok());
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s1");
  store.fail_writes = true;
  EXPECT_FALSE(kv.Write({{std::string(kSession), "a.0", "s2"}}).ok());
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s1");  // as stored
  // A write rolled back later by an enclosing transaction: ForgetCached.
  store.fail_writes = false;
  ASSERT_TRUE(kv.Write({{std::string(kSession), "a.0", "s3"}}).ok());
  store.data[{"session", "a.0"}] = "s1";  // the rollback
  kv.ForgetCached();
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s1");
}

TEST(StagedKv, InMemoryReadsFailOnAMissInsteadOfReadingTheStore) {
  CountingKv store;
  store.data[{"session", "a.0"}] = "s";
  StagedKv kv(store);
  InMemoryKv in_memory(kv);
  auto miss = in_memory.Get(kSession, {"a.0"});
  EXPECT_EQ(miss.status().code(), base::Code::kUnavailable);
  EXPECT_EQ(store.reads, 0);
  EXPECT_EQ(Read(kv, kSession, "a.0"), "s");  // now cached
  auto hit = in_memory.Get(kSession, {"a.0"});
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(hit->at("a.0"), "s");
  EXPECT_FALSE(in_memory.Write({{std::string(kSession), "a.0", "x"}}).ok());
}

TEST(StagedKv, TheCacheStaysWithinItsBytes) {
  CountingKv store;
  StagedKv kv(store, /*max_cached_bytes=*/64 * 1024);
  const std::string record(1000, 'r');
  for (int i = 0; i < 500; ++i) {
    store.data[{"session", std::to_string(i) + ".0"}] = record;
    EXPECT_EQ(Read(kv, kSession, std::to_string(i) + ".0"), record);
  }
  // Evicted ones are read from the store again, still correctly.
  int reads = store.reads;
  EXPECT_EQ(Read(kv, kSession, "0.0"), record);
  EXPECT_EQ(store.reads, reads + 1);
  // The most recent ones are still in memory.
  InMemoryKv in_memory(kv);
  EXPECT_TRUE(in_memory.Get(kSession, {"499.0"}).ok());
}

}  // namespace
}  // namespace wa::client
