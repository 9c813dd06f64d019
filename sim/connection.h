// SimConnection: the server side of one client connection, sans-IO. The
// WebSocket layer (ws_endpoint.cc) feeds it the bytes it receives and writes
// the frames it produces; everything protocol lives here:
//   intro + Noise XX responder (wa/noise) → ClientPayload check →
//   registration (pair-device / pairing code, pairing.cc) or login
//   (<success>, offline queue, <ib><offline/>) → stanza dispatch
//   (prekeys.cc, usync.cc, misc_iq.cc, md iqs).
// Output: encrypted, length-prefixed frames in outbox(); `closing()` asks the
// I/O layer to close after writing them, `aborted()` to close at once.
//
// Lifetime: created by the I/O layer, which owns it (shared_ptr); it attaches
// itself to the Simulator on construction and detaches in the destructor.
// Thread safety: none; the simulator runs on one io_context thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/accounts.h"
#include "sim/stanza.h"
#include "wa/crypto/curve25519.h"
#include "wa/noise/frame.h"
#include "wa/noise/responder.h"
#include "wa/noise/transport.h"
#include "wa/pair/pair_code.h"

namespace sim {

class Simulator;

// What the companion sent in devicePairingData [§3.2]; kept until pairing ends.
struct Registration {
  uint32_t registration_id = 0;
  std::string identity_key;  // 32 bytes
  SignedPreKeyPublic signed_prekey;
};

// pair-success was sent; waiting for pair-device-sign.
struct PendingPairSign {
  std::string phone;
  uint16_t device_id = 0;
  uint32_t key_index = 0;
  std::string iq_id;
  std::string companion_identity;  // 32 bytes
  std::string platform;            // QR platform id, or "pairing-code"
};

// companion_hello was answered; waiting for the phone to type the code and
// then for companion_finish [§6].
struct PendingPairCode {
  std::string phone;
  std::string ref;
  std::string wrapped_companion_ephemeral;      // 80 bytes
  std::optional<wa::pair::PrimaryHello> hello;  // set once the code was typed
  std::string code;
};

class SimConnection {
 public:
  enum class Phase { kHandshake, kRegistration, kLoggedIn, kClosed };

  SimConnection(Simulator& sim, uint64_t id);
  ~SimConnection();
  SimConnection(const SimConnection&) = delete;
  SimConnection& operator=(const SimConnection&) = delete;

  uint64_t id() const { return id_; }
  Phase phase() const { return phase_; }

  // Bytes from the socket (any split).
  void OnBytes(std::string_view bytes);

  // Output, drained by the I/O layer. `wake` runs whenever output or a close
  // request is added (also from admin calls).
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }
  bool HasOutput() const { return !outbox_.empty(); }
  std::string PopOutput();
  bool closing() const { return closing_; }
  bool aborted() const { return aborted_; }

  // Server-initiated.
  void Send(const Node& node);
  // Sends `error` (a <stream:error> or <failure>), then closes.
  void EndWith(const Node& error);
  // Closes without a word (fault "drop", protocol errors).
  void Abort(std::string_view reason);

  // Pairing state, for the Simulator's admin operations.
  const std::optional<wa::crypto::PublicKey>& client_static() const { return client_static_; }
  const std::vector<std::string>& pair_refs() const { return pair_refs_; }
  const std::optional<Registration>& registration() const { return registration_; }
  std::optional<PendingPairSign>& pending_sign() { return pending_sign_; }
  std::optional<PendingPairCode>& pending_code() { return pending_code_; }
  // The logged-in device (`phone:dev@s.whatsapp.net`), once logged in.
  const std::optional<wa::Jid>& device_jid() const { return device_jid_; }

 private:
  void OnFrame(std::string_view frame);
  void OnClientHello(std::string_view frame);
  void OnClientFinish(std::string_view frame);
  void StartRegistration();
  void StartLogin(uint64_t username, uint32_t device);
  void OnNode(const Node& node);
  void OnIq(const Node& iq);
  void OnMdIq(const Node& iq);
  void SendFrame(std::string_view payload);

  Simulator& sim_;
  const uint64_t id_;
  Phase phase_ = Phase::kHandshake;
  wa::noise::FrameReader reader_;
  wa::noise::FrameWriter writer_ = wa::noise::FrameWriter::Server();
  std::optional<wa::noise::Responder> responder_;
  std::optional<wa::noise::Transport> transport_;
  std::optional<wa::crypto::PublicKey> client_static_;
  std::optional<Registration> registration_;
  std::vector<std::string> pair_refs_;
  std::optional<PendingPairSign> pending_sign_;
  std::optional<PendingPairCode> pending_code_;
  std::optional<wa::Jid> device_jid_;
  std::deque<std::string> outbox_;
  size_t outbox_bytes_ = 0;
  bool closing_ = false;
  bool aborted_ = false;
  std::function<void()> wake_;

  friend class Simulator;
};

}  // namespace sim
