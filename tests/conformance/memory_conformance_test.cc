// The reference backend against the conformance suite.
#include "store/memory/memory_store.h"
#include "store_conformance.h"

namespace store::conformance {
namespace {

struct MemoryBackend {
  std::string SkipReason() { return ""; }
  Result<std::unique_ptr<Store>> Open() { return memory::Create(); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreConformance, ::testing::Types<MemoryBackend>);
// Memory keeps nothing across a close: no PersistentStoreConformance here.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PersistentStoreConformance);

}  // namespace
}  // namespace store::conformance
