// The MongoDB backend against the conformance suite, on the server named by
// WAGATE_TEST_MONGODB_URI (FerretDB from scripts/ferretdb.sh in make test and
// CI). Each test gets a fresh database, wagate_test_<random hex>, dropped at
// its end. Without the variable the tests skip, unless
// WAGATE_TEST_REQUIRE_MONGODB=1, where they fail.
#include "store/mongo/mongo_store.h"
#include "store/mongo/test_database.h"
#include "store_conformance.h"

namespace store::conformance {
namespace {

class MongoBackend {
 public:
  std::string SkipReason() {
    // A required server that is missing: let Open() fail with the reason.
    if (mongo::testing::TestDatabase::Required()) return "";
    return db_.SkipReason();
  }
  Result<std::unique_ptr<Store>> Open() {
    std::string reason = db_.SkipReason();
    if (!reason.empty()) return base::Unavailable(reason);
    return mongo::Open({.uri = db_.uri()});
  }
  // The same database again.
  Result<std::unique_ptr<Store>> Reopen() { return Open(); }

 private:
  mongo::testing::TestDatabase db_;  // dropped by its destructor
};

INSTANTIATE_TYPED_TEST_SUITE_P(Mongo, StoreConformance, ::testing::Types<MongoBackend>);
INSTANTIATE_TYPED_TEST_SUITE_P(Mongo, PersistentStoreConformance, ::testing::Types<MongoBackend>);

}  // namespace
}  // namespace store::conformance
