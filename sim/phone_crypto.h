// The Signal state of a simulated phone (device 0 of an account): real
// libsignal sessions and sender keys (wa/signal) over an in-memory key-value
// store, seeded with the phone's identity (= ADV account key), signed pre-key
// and one-time pre-keys from the AccountStore [whatsapp-protocol.md §8].
//
// The store is in memory; the Router saves and restores its entries
// (Snapshot / Create(saved)) with the data dir.
// Addresses of remote devices are always LID-form (`<lid>_1.<device>`), the
// way Baileys 7 keys them (§8.3).
// Thread safety: none (simulator thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "sim/accounts.h"
#include "wa/signal/context.h"
#include "wa/signal/memory_kv_store.h"
#include "wa/signal/session.h"
#include "wa/signal/stores.h"

namespace sim {

class PhoneCrypto {
 public:
  // `saved`: the key-value entries of an earlier run (Snapshot()), if any.
  static base::Result<std::unique_ptr<PhoneCrypto>> Create(
      wa::signal::Context& context, const Phone& phone,
      const std::vector<wa::signal::KeyWrite>& saved = {});
  // More one-time pre-keys (the phone's stock ran low).
  base::Status AddPreKeys(const std::vector<wa::signal::PreKey>& keys) {
    return stores_->PutPreKeys(keys);
  }
  // Every key-value entry (sessions, sender keys, pre-keys) for persistence.
  std::vector<wa::signal::KeyWrite> Snapshot() const;

  // `<lid>_1.<device>`.
  static wa::signal::Address AddressOf(const Account& account, uint16_t device);

  // Decrypts a pkmsg/msg from `from` and removes the padding (§8.4).
  base::Result<std::string> Decrypt(const wa::signal::Address& from, std::string_view type,
                                    std::string_view ciphertext);
  // Encrypts padded `plaintext` for companion `device` of `account`; builds a
  // session from the device's stored bundle first when there is none
  // (consuming one of its one-time pre-keys; `*consumed` set then).
  base::Result<wa::signal::EncryptedMessage> EncryptFor(Account& account, uint16_t device,
                                                        std::string_view plaintext,
                                                        base::Random& random, bool* consumed);
  // Forgets the session with a device (retry receipts).
  void ResetSession(const wa::signal::Address& address);

  // Sender keys (§8.10): our own for `group` (created on first use) and
  // the members'.
  base::Result<std::string> OwnDistribution(const std::string& group,
                                            const wa::signal::Address& self);
  base::Result<std::string> GroupEncrypt(const std::string& group, const wa::signal::Address& self,
                                         std::string_view padded);
  // Drops our own sender key for `group` (a new one on the next send).
  void ForgetOwnSenderKey(const std::string& group, const wa::signal::Address& self);
  base::Status ProcessDistribution(const std::string& group, const wa::signal::Address& sender,
                                   std::string_view distribution);
  base::Result<std::string> GroupDecrypt(const std::string& group,
                                         const wa::signal::Address& sender,
                                         std::string_view ciphertext);

 private:
  PhoneCrypto() = default;
  wa::signal::MemoryKeyValueStore kv_;
  std::unique_ptr<wa::signal::Stores> stores_;
};

}  // namespace sim
