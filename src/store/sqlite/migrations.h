// Versioned schema migrations, tracked in PRAGMA user_version.
//
// Step i (1-based) brings the schema from version i-1 to i. Each step runs in
// its own write transaction together with the user_version bump, so a crash
// leaves the database at a whole version. A database whose version is newer
// than the steps this binary knows is refused: an older binary must not write
// into a schema it does not understand.
// Rule for new steps: append only; never edit a released step.
// Thread safety: call with exclusive use of the connection (at open).
#pragma once

#include <span>
#include <string_view>

#include "base/status.h"
#include "store/sqlite/connection.h"

namespace store::sqlite {

struct Migration {
  std::string_view description;
  std::string_view sql;  // one or more statements
};

// PRAGMA application_id of a wagate database ("WAGA"), so that opening some
// other application's SQLite file fails clearly instead of being "migrated".
inline constexpr int64_t kApplicationId = 0x57414741;

// The schema of this binary, oldest step first.
std::span<const Migration> SchemaMigrations();

// Brings the database to steps.size(). Returns kFailedPrecondition for a
// newer database or a foreign one, or the error of the failing step (rolled
// back, the version stays at the last whole step).
base::Status Migrate(Connection& db, std::span<const Migration> steps);

}  // namespace store::sqlite
