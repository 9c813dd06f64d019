// wa::signal::Stores — one party's Signal state: libsignal's store context
// wired onto a wa::signal::KeyValueStore (session, pre-key, signed pre-key,
// identity and sender-key stores; ids and types in wa/signal/kv_store.h), plus
// the local identity (identity key pair + registration id, which WhatsApp
// keeps in the creds, not in the key store [whatsapp-protocol.md §11.3]).
//
// Identity trust is TOFU as in WhatsApp Web and Baileys: every identity is
// trusted; saving one overwrites the stored key [§8.1, §11.1]. The
// replace-and-drop-session step for a changed identity in an incoming pkmsg
// is done by wa::signal::Decrypt (wa/signal/session.h).
//
// Not supported (libsignal never needs them for messaging; the KV interface
// has no prefix scan): listing the sub-device sessions of a name, and
// deleting all sessions of a name — both report "none".
//
// Ownership: Create() returns a unique_ptr (libsignal keeps a pointer to the
// object). `context` and `kv` are borrowed and must outlive the Stores.
// Thread safety: as the Context — every operation holds Context::Lock().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wa/signal/address.h"
#include "wa/signal/context.h"
#include "wa/signal/keygen.h"
#include "wa/signal/kv_store.h"

struct signal_protocol_store_context;

namespace wa::signal {

struct LocalIdentity {
  KeyPairBytes identity;  // 32-byte raw public and private keys
  uint32_t registration_id = 0;
};

class Stores {
 public:
  // REQUIRES: local.identity holds a 32-byte public and private key.
  static base::Result<std::unique_ptr<Stores>> Create(Context& context, KeyValueStore& kv,
                                                      LocalIdentity local);
  ~Stores();
  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  Context& context() const { return context_; }
  KeyValueStore& kv() const { return kv_; }
  const LocalIdentity& local() const { return local_; }
  signal_protocol_store_context* get() const { return store_; }

  // Our own pre-keys, as libsignal records under "pre-key" / "signed-pre-key".
  base::Status PutPreKeys(const std::vector<PreKey>& keys);
  base::Status PutSignedPreKey(const SignedPreKey& key, uint64_t timestamp_ms = 0);

  base::Result<bool> HasSession(const Address& address);
  base::Status DeleteSession(const Address& address);
  // The stored 33-byte identity key (05 ‖ key) of `address`, if any.
  base::Result<std::optional<std::string>> IdentityKey(const Address& address);

  // Starts an operation: takes Context::Lock() and forgets any store failure
  // left over from an earlier one.
  std::unique_lock<std::recursive_mutex> Begin() {
    auto lock = context_.Lock();
    store_error_.reset();
    return lock;
  }

  // Turns a libsignal return code into a Status. A store failure inside a
  // callback reaches libsignal as SG_ERR_UNKNOWN; the real Status was kept
  // and is returned here (with `what` as context), then forgotten.
  // REQUIRES: rc < 0; Begin() held since the failing call.
  base::Status Error(int rc, std::string_view what);
  // Records a store failure for Error(); used by the store callbacks.
  void RecordStoreError(base::Status status);

 private:
  Stores(Context& context, KeyValueStore& kv, LocalIdentity local)
      : context_(context), kv_(kv), local_(std::move(local)) {}
  base::Status Init();

  Context& context_;
  KeyValueStore& kv_;
  LocalIdentity local_;
  signal_protocol_store_context* store_ = nullptr;
  std::optional<base::Status> store_error_;
};

}  // namespace wa::signal
