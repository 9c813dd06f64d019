// Open(), the store's lifecycle, and the session store.
#include "store/mongo/mongo_store.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include "store/mongo/bson_convert.h"
#include "store/mongo/collection_ops.h"
#include "store/mongo/errors.h"
#include "store/mongo/mongo_store_impl.h"
#include "store/mongo/schema.h"

namespace store::mongo {
namespace {

constexpr char kDefaultDatabase[] = "wagate";

std::once_flag g_mongoc_init;

// libmongoc logs to stderr in its own format by default, DEBUG included (the
// server monitor logs every failed connect). Route it through spdlog so the
// process has one log format and level.
void ForwardLog(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  spdlog::level::level_enum to = spdlog::level::debug;
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
      to = spdlog::level::err;
      break;
    case MONGOC_LOG_LEVEL_WARNING:
      to = spdlog::level::warn;
      break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
      to = spdlog::level::info;
      break;
    default:
      break;
  }
  // FerretDB 1.x advertises sessions but has no endSessions command, which
  // libmongoc sends when a pool closes: expected there, and harmless.
  if (to == spdlog::level::warn && std::strstr(message, "endSessions") != nullptr) {
    to = spdlog::level::debug;
  }
  spdlog::log(to, "mongo: libmongoc {}: {}", domain, message);
}

void SetIfAbsent(mongoc_uri_t* uri, const char* option, int32_t value) {
  if (!mongoc_uri_has_option(uri, option)) mongoc_uri_set_option_as_int32(uri, option, value);
}

}  // namespace

base::Result<std::unique_ptr<store::Store>> Open(const Options& options) {
  std::call_once(g_mongoc_init, [] {
    mongoc_log_set_handler(ForwardLog, nullptr);
    mongoc_init();
  });
  if (options.pool_max < 1 || options.timeout_ms < 1) {
    return Error(base::Code::kInvalidArgument, "open", "pool_max and timeout_ms must be positive");
  }
  bson_error_t error;
  UriPtr uri(mongoc_uri_new_with_error(options.uri.c_str(), &error));
  if (!uri) return Error(base::Code::kInvalidArgument, "open: parse URI", error.message);

  SetIfAbsent(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS, options.timeout_ms);
  SetIfAbsent(uri.get(), MONGOC_URI_CONNECTTIMEOUTMS, options.timeout_ms);
  SetIfAbsent(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS, options.timeout_ms);
  SetIfAbsent(uri.get(), MONGOC_URI_WAITQUEUETIMEOUTMS, options.timeout_ms);
  SetIfAbsent(uri.get(), MONGOC_URI_MAXPOOLSIZE, options.pool_max);
  if (mongoc_uri_get_appname(uri.get()) == nullptr) mongoc_uri_set_appname(uri.get(), "wagate");
  const char* db = mongoc_uri_get_database(uri.get());
  std::string database = db != nullptr && *db != '\0' ? db : kDefaultDatabase;

  WAGATE_ASSIGN_OR_RETURN(auto pool, ClientPool::Create(std::move(uri), std::move(database)));
  auto store = std::make_unique<MongoStore>(std::move(pool), options.timeout_ms);
  WAGATE_RETURN_IF_ERROR(store->Ping());
  {
    WAGATE_ASSIGN_OR_RETURN(auto lease, store->pool().Acquire());
    WAGATE_RETURN_IF_ERROR(EnsureIndexes(lease));
  }
  return std::unique_ptr<store::Store>(std::move(store));
}

Status MongoStore::Ping() {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  BsonPtr cmd = NewBson();
  BSON_APPEND_INT32(cmd.get(), "ping", 1);
  Reply reply;
  bson_error_t error;
  if (!mongoc_client_command_simple(lease.client(), "admin", cmd.get(), nullptr, reply.out(),
                                    &error)) {
    return ToStatus(error, "ping");
  }
  return Status::Ok();
}

Result<MongoStore::WriterGuard> MongoStore::LockWriter(std::string_view instance,
                                                       std::string_view context) {
  std::timed_mutex* mu = nullptr;
  {
    std::lock_guard lock(writers_mu_);
    auto it = writers_.find(instance);
    if (it == writers_.end()) {
      it = writers_.emplace(std::string(instance), std::make_unique<std::timed_mutex>()).first;
    }
    mu = it->second.get();
  }
  WriterGuard guard(*mu, std::defer_lock);
  if (!guard.try_lock_for(std::chrono::milliseconds(lock_timeout_ms_))) {
    return Error(base::Code::kUnavailable, context,
                 "earlier writes of this instance did not finish within the timeout");
  }
  return guard;
}

Result<std::optional<SessionRecord>> MongoStore::GetSession(std::string_view instance) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kSessions);
  WAGATE_ASSIGN_OR_RETURN(
      auto doc, FindOne(coll.get(), *IdFilter(SessionId(instance)), nullptr, "get session"));
  if (!doc) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(SessionFromBson(*doc));
}

Status MongoStore::PutSession(const SessionRecord& session) {
  WAGATE_ASSIGN_OR_RETURN(BsonPtr doc, SessionDocument(session));
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kSessions);
  BsonPtr filter = IdFilter(SessionId(session.instance));
  auto put = ReplaceOne(coll.get(), *filter, *doc, /*upsert=*/true, "put session");
  // Two upserts of a missing document may race to insert it; the loser sees
  // the unique key and, retried, replaces the winner's document.
  if (!put.ok() && put.status().code() == base::Code::kAlreadyExists) {
    put = ReplaceOne(coll.get(), *filter, *doc, /*upsert=*/true, "put session");
  }
  return put.status();
}

Status MongoStore::DeleteSession(std::string_view instance) {
  WAGATE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
  CollectionPtr coll = lease.Collection(kSessions);
  return DeleteOne(coll.get(), *IdFilter(SessionId(instance)), "delete session").status();
}

}  // namespace store::mongo
