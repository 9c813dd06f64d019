// ClientPool: the libmongoc client pool behind one MongoStore, and Lease,
// the RAII loan of one client from it (popped on Acquire, pushed back when
// the Lease dies).
//
// Ownership: ClientPool owns the mongoc_client_pool_t and its URI. A Lease
// must not outlive its pool; it holds the pool's close lock in shared mode,
// so Close() waits for leases in flight and then destroys the pool.
// Thread safety: Acquire() and Close() may be called from any thread; one
// Lease (and the client in it) is used by one thread at a time.
// REQUIRES: a thread never holds two leases of one pool at once (with a full
// pool that would wait for itself until the wait-queue timeout).
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>

#include "base/status.h"
#include "store/mongo/handles.h"

namespace store::mongo {

class ClientPool {
 public:
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    mongoc_client_t* client() const { return client_; }
    // A collection handle of the store's database.
    CollectionPtr Collection(const char* name) const;
    DatabasePtr Database() const;

   private:
    friend class ClientPool;
    Lease(std::shared_lock<std::shared_mutex> lock, ClientPool* pool, mongoc_client_t* client)
        : lock_(std::move(lock)), pool_(pool), client_(client) {}

    std::shared_lock<std::shared_mutex> lock_;
    ClientPool* pool_;
    mongoc_client_t* client_;
  };

  // Takes the URI (with its timeouts and pool size already set) and the
  // database name. Does no I/O: libmongoc connects on first use.
  static base::Result<std::unique_ptr<ClientPool>> Create(UriPtr uri, std::string database);
  ~ClientPool();

  // kUnavailable after Close(), or when no client came free within the
  // URI's waitQueueTimeoutMS.
  base::Result<Lease> Acquire();
  // Waits for leases in flight, then destroys the pool. Idempotent.
  void Close();

  const std::string& database() const { return database_; }

 private:
  ClientPool(UriPtr uri, mongoc_client_pool_t* pool, std::string database)
      : uri_(std::move(uri)), pool_(pool), database_(std::move(database)) {}

  UriPtr uri_;
  // Shared by leases, exclusive for Close(). `closed_` is read before
  // locking so that a Close() waiting behind busy readers stops new ones.
  std::shared_mutex close_mu_;
  std::atomic<bool> closed_{false};
  mongoc_client_pool_t* pool_;  // guarded by close_mu_; null once closed
  const std::string database_;
};

}  // namespace store::mongo
