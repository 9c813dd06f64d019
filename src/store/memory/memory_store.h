// The reference backend: everything in memory, guarded by one mutex. It
// defines the intended behaviour of the contract in store/store.h in the
// simplest form; the conformance suite runs it beside sqlite and mongo.
// Thread safety: every method is safe from any thread.
#pragma once

#include <memory>

#include "store/store.h"

namespace store::memory {

std::unique_ptr<Store> Create();

}  // namespace store::memory
