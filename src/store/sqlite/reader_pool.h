// ReaderPool: a fixed set of read-only connections lent out one at a time.
//
// Why a pool and not one connection per thread: the callers are a thread pool
// whose size the store does not control, and a bounded number of connections
// bounds memory (each has its own page cache and statement cache). In WAL
// mode readers run in parallel with each other and with the writer.
// Ownership: owns the connections. A Lease returns its connection when it
// goes out of scope.
// Thread safety: Acquire() may be called from any thread; it blocks while all
// connections are lent out. CloseAll() REQUIRES that no Lease is alive
// (SqliteStore ensures it with its lifetime lock).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "store/sqlite/connection.h"

namespace store::sqlite {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), conn_(std::exchange(other.conn_, nullptr)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(conn_);
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    ReaderPool* pool_;
    Connection* conn_;
  };

  explicit ReaderPool(std::vector<std::unique_ptr<Connection>> conns) : all_(std::move(conns)) {
    for (auto& c : all_) free_.push_back(c.get());
  }

  Lease Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !free_.empty(); });
    Connection* conn = free_.back();
    free_.pop_back();
    return Lease(this, conn);
  }

  void CloseAll() {
    std::lock_guard lock(mu_);
    for (auto& c : all_) c->Close();
  }

 private:
  void Release(Connection* conn) {
    {
      std::lock_guard lock(mu_);
      // LIFO: the most recently used connection has the warmest page cache.
      free_.push_back(conn);
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> free_;  // guarded by mu_
};

}  // namespace store::sqlite
