// The SQLite backend against the conformance suite; each test gets a fresh
// database file in its own temporary directory.
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"
#include "store_conformance.h"

namespace store::conformance {
namespace {

class SqliteBackend {
 public:
  SqliteBackend() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "wagate-conformance-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
  }
  ~SqliteBackend() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string SkipReason() { return ""; }
  Result<std::unique_ptr<Store>> Open() {
    if (dir_.empty()) return base::Unavailable("cannot create a temporary directory");
    return sqlite::Open({.path = (dir_ / "wagate.db").string()});
  }
  // The same file again (Open on an existing file keeps its data).
  Result<std::unique_ptr<Store>> Reopen() { return Open(); }

 private:
  std::filesystem::path dir_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Types<SqliteBackend>);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, PersistentStoreConformance, ::testing::Types<SqliteBackend>);

}  // namespace
}  // namespace store::conformance
