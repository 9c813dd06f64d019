// wa::signal::Context — one libsignal-protocol-c `signal_context` (RAII),
// with our crypto provider (wa/signal/crypto_provider.h) and a recursive lock.
//
// Ownership: Create() returns a unique_ptr because libsignal keeps pointers
// to the object; `random` is borrowed and must outlive the context. Every
// wa::signal::Stores made on a context must be destroyed before it.
// Thread safety: libsignal takes the context lock around each cipher and
// builder call, and our wrappers hold Lock() for a whole operation (including
// the store callbacks and every draw from `random`), so one context — and the
// Stores on it — may be used from several threads; operations on it are
// serialised. Use one context per account/instance for parallelism.
#pragma once

#include <memory>
#include <mutex>

#include "base/random.h"
#include "base/status.h"

struct signal_context;

namespace wa::signal {

class Context {
 public:
  static base::Result<std::unique_ptr<Context>> Create(base::Random& random);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  signal_context* get() const { return context_; }
  base::Random& random() const { return random_; }

  // Held by every wa::signal operation; recursive, as libsignal re-enters it.
  std::unique_lock<std::recursive_mutex> Lock() const {
    return std::unique_lock<std::recursive_mutex>(mutex_);
  }

 private:
  explicit Context(base::Random& random) : random_(random) {}
  static void LockCallback(void* user_data);
  static void UnlockCallback(void* user_data);

  base::Random& random_;
  signal_context* context_ = nullptr;
  mutable std::recursive_mutex mutex_;
};

}  // namespace wa::signal
