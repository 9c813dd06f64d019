// The client (initiator) side of WhatsApp's Noise XX handshake
// [whatsapp-protocol.md §2.2]:
//   WriteClientHello    → HandshakeMessage{clientHello{ephemeral}}
//   ReadServerHello     ← HandshakeMessage{serverHello{ephemeral, static (enc),
//                         payload (enc CertChain)}}; verifies the chain (§2.3)
//   WriteClientFinish   → HandshakeMessage{clientFinish{static (enc),
//                         payload (enc ClientPayload)}}
//   Split               → the Transport (writes with the first key).
// Bytes in and out are frame payloads; framing (and the intro header in front
// of the ClientHello frame) is FrameWriter's job. Sans-IO: the ephemeral key
// comes from the injected base::Random, the time for the certificate check
// from the caller.
//
// Calls must come in the order above; anything else is kFailedPrecondition.
// After any error the Initiator is failed and refuses further calls.
// Errors name the step: "noise: server hello: bad static ciphertext: ...".
// Thread safety: one object, one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/handshake_state.h"
#include "wa/noise/transport.h"

namespace wa::noise {

struct InitiatorConfig {
  crypto::KeyPair static_key;  // the long-term noise key (creds.noiseKey) [§2.2]
  crypto::PublicKey trusted_root = WhatsAppRootPublicKey();
  uint64_t now = 0;  // unix seconds, for the certificate validity windows
  // Fixed ephemeral key for test vectors; normally drawn from the Random.
  std::optional<crypto::KeyPair> ephemeral;
};

class Initiator {
 public:
  static base::Result<Initiator> Create(InitiatorConfig config, base::Random& random);

  base::Result<std::string> WriteClientHello();
  base::Status ReadServerHello(std::string_view handshake_message);
  // `client_payload` is a serialized ClientPayload (§3).
  base::Result<std::string> WriteClientFinish(std::string_view client_payload);
  base::Result<Transport> Split();

  // The server's static key, known after ReadServerHello.
  const std::optional<crypto::PublicKey>& server_static() const { return server_static_; }

 private:
  enum class Step { kHello, kServerHello, kFinish, kSplit, kDone, kFailed };
  Initiator(InitiatorConfig config, crypto::KeyPair ephemeral, SymmetricState state)
      : config_(std::move(config)), ephemeral_(std::move(ephemeral)), state_(std::move(state)) {}
  base::Status ReadServerHelloImpl(std::string_view handshake_message);
  base::Result<std::string> WriteClientFinishImpl(std::string_view client_payload);

  InitiatorConfig config_;
  crypto::KeyPair ephemeral_;
  SymmetricState state_;
  std::optional<crypto::PublicKey> server_ephemeral_;
  std::optional<crypto::PublicKey> server_static_;
  Step step_ = Step::kHello;
};

}  // namespace wa::noise
