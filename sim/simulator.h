// Simulator: the shared state of wasim and the operations on it.
//   * server identity: static Noise key + certificate chain under the sim root;
//   * the AccountStore (accounts, phones, devices; persisted);
//   * the connection registry: every live SimConnection by id, and the
//     logged-in ones by device JID — the routing table the messaging issue
//     will deliver stanzas through, with a per-device offline queue that is
//     flushed at login (before <ib><offline count/>) [§7.3];
//   * pairing: the phone "scans" a QR or "types" a code (pairing.cc);
//   * faults: delay, refuse (read by the I/O layer), drop and stream errors.
// Admin and protocol code call in here; nothing here does I/O.
//
// Thread safety: none; everything runs on the simulator's single io_context
// thread (admin handlers, WebSocket sessions and timers alike).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "sim/accounts.h"
#include "sim/blob_store.h"
#include "sim/connection.h"
#include "sim/router.h"
#include "wa/crypto/curve25519.h"

namespace sim {

struct SimLimits {
  size_t max_connections = 256;
  size_t max_frame_size = 4 << 20;         // incoming noise frames
  size_t max_outbox_bytes = 16 << 20;      // per connection; past it: abort
  size_t max_offline_per_device = 50'000;  // unacked stanzas per companion (router)
  int64_t handshake_timeout_ms = 20'000;   // from connect until the Noise handshake is done
  // From connect until pairing is done. Baileys gives up after 160 s of QR
  // codes itself [§5.2]; this bounds clients that never do.
  int64_t registration_timeout_ms = 300'000;
};

struct Faults {
  int64_t delay_ms = 0;         // added before every outgoing frame
  int64_t refuse_until_ms = 0;  // new WebSocket connections refused until then
};

struct ServerIdentity {
  wa::crypto::KeyPair root;
  wa::crypto::KeyPair static_key;
  std::string cert_chain;
};

class Simulator {
 public:
  Simulator(AccountStore& accounts, ServerIdentity identity, base::Random& random,
            const base::Clock& clock, SimLimits limits = {});

  AccountStore& accounts() { return accounts_; }
  const ServerIdentity& identity() const { return identity_; }
  base::Random& random() { return random_; }
  const base::Clock& clock() const { return clock_; }
  const SimLimits& limits() const { return limits_; }
  Faults& faults() { return faults_; }
  int64_t NowS() const { return clock_.NowMs() / 1000; }
  // Ids of server-initiated stanzas: "srv-N", which cannot collide with the
  // ids Baileys generates ("26628.17585-12", "3EB0…") [§7.2].
  std::string NextId();
  uint64_t NewConnectionId() { return next_connection_id_++; }
  size_t connection_count() const { return connections_.size(); }
  // Persists the account store; errors are logged (the sim keeps running).
  void SaveAccounts();

  // --- connection registry (SimConnection calls these) ---
  void Attach(SimConnection* conn);
  void Detach(SimConnection* conn);
  // Login accepted: a connection of the same device gets
  // <stream:error><conflict type='replaced'/></stream:error> [§1.5].
  void OnLoggedIn(SimConnection* conn, const wa::Jid& device);
  SimConnection* FindDevice(const wa::Jid& device);
  // The stored companion `phone:device@s.whatsapp.net`, or nullptr.
  Device* FindDeviceRecord(const wa::Jid& device);
  // Message routing, pending queues, groups, phones (router.h).
  Router& router() { return *router_; }
  // The media host's blobs (HTTPS in media.cc; phones use it in-process).
  BlobStore& blobs() { return blobs_; }

  // --- pairing (pairing.cc) ---
  // The phone of `phone` scans `qr`; returns the device JID assigned. Returns
  // once <pair-success> was sent; the device is stored when the companion's
  // pair-device-sign verifies.
  base::Result<wa::Jid> Scan(std::string_view phone, std::string_view qr);
  // The phone of `phone` types `code` (dash optional): sends primary_hello.
  base::Status TypePairingCode(std::string_view phone, std::string_view code);
  // Connection-side pairing events.
  void OnPairDeviceSign(SimConnection* conn, const Node& iq);
  // These answer the iq themselves (the finish result must precede pair-success).
  void OnCompanionHello(SimConnection* conn, const Node& iq, const Node& reg);
  void OnCompanionFinish(SimConnection* conn, const Node& iq, const Node& reg);

  // --- devices ---
  // Forgets the device and kicks its connection with 401 device_removed.
  base::Status RemoveDevice(std::string_view phone, uint16_t device);

  // --- faults ---
  void DropAll();
  void StreamErrorAll(int code);

 private:
  base::Result<wa::Jid> SendPairSuccess(SimConnection* conn, Account& account,
                                        const wa::crypto::PublicKey& ic,
                                        std::string_view adv_secret, std::string_view platform);

  AccountStore& accounts_;
  ServerIdentity identity_;
  base::Random& random_;
  const base::Clock& clock_;
  SimLimits limits_;
  Faults faults_;
  uint64_t next_id_ = 1;
  uint64_t next_connection_id_ = 1;
  std::map<uint64_t, SimConnection*> connections_;
  std::map<std::string, uint64_t, std::less<>> devices_;  // device JID text → connection
  BlobStore blobs_;
  std::unique_ptr<Router> router_;
};

// <stream:error code='N'/> (and the conflict variants) [§1.5].
Node StreamError(int code);
Node StreamErrorConflict(std::string_view type, int code);

}  // namespace sim
