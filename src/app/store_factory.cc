#include "app/store_factory.h"

#include "app/mongo_driver.h"
#include "store/mongo/mongo_store.h"
#include "store/sqlite/sqlite_store.h"

namespace app {

base::Result<std::unique_ptr<store::Store>> OpenStore(const Config& config) {
  switch (config.db_kind) {
    case DbKind::kSqlite:
      return store::sqlite::Open({.path = config.db_target});
    case DbKind::kMongo: {
      base::Status driver = LoadMongoDriver();
      if (!driver.ok()) return driver;
      return store::mongo::Open({.uri = config.db_target});
    }
  }
  return base::InvalidArgument("unknown store kind");
}

std::string DescribeStore(const Config& config) {
  if (config.db_kind == DbKind::kSqlite) return "sqlite " + config.db_target;
  return "mongodb " + RedactUserInfo(config.db_target);
}

}  // namespace app
