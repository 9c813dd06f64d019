#include "wa/signal/context.h"

#include <signal/signal_protocol.h>

#include "wa/signal/crypto_provider.h"
#include "wa/signal/errors.h"

namespace wa::signal {

base::Result<std::unique_ptr<Context>> Context::Create(base::Random& random) {
  std::unique_ptr<Context> context(new Context(random));
  Context* self = context.get();
  int rc = signal_context_create(&self->context_, self);
  if (rc < 0) return internal::SignalError(rc, "signal context create");
  signal_crypto_provider provider = MakeCryptoProvider(&random);
  rc = signal_context_set_crypto_provider(self->context_, &provider);
  if (rc < 0) return internal::SignalError(rc, "signal context crypto provider");
  rc = signal_context_set_locking_functions(self->context_, &Context::LockCallback,
                                            &Context::UnlockCallback);
  if (rc < 0) return internal::SignalError(rc, "signal context locking");
  return context;
}

Context::~Context() {
  if (context_ != nullptr) signal_context_destroy(context_);
}

void Context::LockCallback(void* user_data) { static_cast<Context*>(user_data)->mutex_.lock(); }

void Context::UnlockCallback(void* user_data) { static_cast<Context*>(user_data)->mutex_.unlock(); }

}  // namespace wa::signal
