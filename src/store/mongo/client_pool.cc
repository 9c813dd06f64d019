#include "store/mongo/client_pool.h"

#include <mutex>
#include <utility>

#include "store/mongo/errors.h"

namespace store::mongo {

ClientPool::Lease::Lease(Lease&& other) noexcept
    : lock_(std::move(other.lock_)),
      pool_(std::exchange(other.pool_, nullptr)),
      client_(std::exchange(other.client_, nullptr)) {}

ClientPool::Lease::~Lease() {
  // The shared lock is still held here (members die after the body), so the
  // pool cannot be destroyed under us.
  if (client_ != nullptr) mongoc_client_pool_push(pool_->pool_, client_);
}

CollectionPtr ClientPool::Lease::Collection(const char* name) const {
  return CollectionPtr(mongoc_client_get_collection(client_, pool_->database_.c_str(), name));
}

DatabasePtr ClientPool::Lease::Database() const {
  return DatabasePtr(mongoc_client_get_database(client_, pool_->database_.c_str()));
}

base::Result<std::unique_ptr<ClientPool>> ClientPool::Create(UriPtr uri, std::string database) {
  bson_error_t error;
  mongoc_client_pool_t* pool = mongoc_client_pool_new_with_error(uri.get(), &error);
  if (pool == nullptr) return ToStatus(error, "create client pool");
  // Version 2 reports server errors in MONGOC_ERROR_SERVER with the server's
  // own code (11000 for a duplicate key), which errors.cc relies on.
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  return std::unique_ptr<ClientPool>(new ClientPool(std::move(uri), pool, std::move(database)));
}

ClientPool::~ClientPool() { Close(); }

base::Result<ClientPool::Lease> ClientPool::Acquire() {
  if (closed_.load()) return Error(base::Code::kUnavailable, "acquire client", "store closed");
  std::shared_lock lock(close_mu_);
  if (pool_ == nullptr) return Error(base::Code::kUnavailable, "acquire client", "store closed");
  // Blocks at most waitQueueTimeoutMS when every client is out.
  mongoc_client_t* client = mongoc_client_pool_pop(pool_);
  if (client == nullptr) {
    return Error(base::Code::kUnavailable, "acquire client",
                 "no pooled client came free within the wait-queue timeout");
  }
  return Lease(std::move(lock), this, client);
}

void ClientPool::Close() {
  closed_.store(true);
  std::unique_lock lock(close_mu_);
  if (pool_ != nullptr) {
    mongoc_client_pool_destroy(pool_);
    pool_ = nullptr;
  }
}

}  // namespace store::mongo
