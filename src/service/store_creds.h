// StoreCredsStore: wa::client::CredsStore on the store — the creds live in
// the instance's SessionRecord (creds JSON, plus `me` for the API), the
// Signal keys in the KeyStore. Every write is one PutSession, which each
// backend applies atomically, so a crash leaves the old or the new creds,
// never half of them.
//
// Thread safety: BLOCKING calls; safe from any thread (the store is).
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "store/store.h"
#include "wa/client/client.h"

namespace service {

class StoreCredsStore final : public wa::client::CredsStore {
 public:
  StoreCredsStore(std::string instance, store::Store& store, const base::Clock& clock)
      : instance_(std::move(instance)), store_(store), clock_(clock) {}

  base::Result<std::optional<wa::client::Creds>> LoadCreds() override;
  base::Status SaveCreds(const wa::client::Creds& creds) override;
  base::Status DeleteCredsAndKeys() override;

  // Records the connection status in the session record (what the last run
  // saw; informative only). Keeps the creds.
  base::Status SaveStatus(const std::string& status);

 private:
  base::Result<store::SessionRecord> Current();

  const std::string instance_;
  store::Store& store_;
  const base::Clock& clock_;
  // Read-modify-write of the one record: serialized here.
  std::mutex mu_;
};

}  // namespace service
