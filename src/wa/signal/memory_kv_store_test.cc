#include "wa/signal/memory_kv_store.h"

#include <gtest/gtest.h>

namespace wa::signal {
namespace {

TEST(MemoryKeyValueStore, GetWriteDeleteFail) {
  MemoryKeyValueStore kv;
  ASSERT_TRUE(
      kv.Write({{"session", "a.0", "A"}, {"session", "b.0", "B"}, {"pre-key", "1", "P"}}).ok());
  auto found = kv.Get("session", {"a.0", "c.0", "b.0"});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 2u);
  EXPECT_EQ(found->at("b.0"), "B");
  EXPECT_EQ(kv.Count("session"), 2u);
  ASSERT_TRUE(kv.Delete("session", "a.0").ok());
  EXPECT_FALSE(kv.GetOne("session", "a.0")->has_value());
  MemoryKeyValueStore copy(kv);
  kv.FailNext(base::Unavailable("down"));
  EXPECT_EQ(kv.Put("x", "y", "z").code(), base::Code::kUnavailable);
  EXPECT_FALSE(kv.GetOne("x", "y")->has_value());
  EXPECT_EQ(copy.Snapshot(), kv.Snapshot());
}

}  // namespace
}  // namespace wa::signal
