// The server (responder) side of WhatsApp's Noise XX handshake
// [whatsapp-protocol.md §2.2], for the simulator and tests:
//   ReadClientHello   ← HandshakeMessage{clientHello{ephemeral}}
//   WriteServerHello  → HandshakeMessage{serverHello{ephemeral, static (enc),
//                       payload (enc CertChain)}}
//   ReadClientFinish  ← HandshakeMessage{clientFinish{static (enc), payload
//                       (enc)}} → the client's static key and ClientPayload bytes
//   Split             → the Transport (reads with the first key).
// Bytes in and out are frame payloads (no intro, no length prefix). The
// certificate chain is built once by the caller (BuildCertChain) and sent
// as is; its leaf key should be the static key given here.
// Checking the client static against the key bound at pairing (§2.2) is the
// caller's job; the Responder only proves the client holds it.
//
// Calls must come in the order above; anything else is kFailedPrecondition.
// After any error the Responder is failed and refuses further calls.
// Errors name the step: "noise: client finish: bad static ciphertext: ...".
// Thread safety: one object, one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"
#include "wa/noise/handshake_state.h"
#include "wa/noise/transport.h"

namespace wa::noise {

struct ResponderConfig {
  crypto::KeyPair static_key;  // the server's static Noise key
  std::string cert_chain;      // serialized CertChain (BuildCertChain)
  // Fixed ephemeral key for test vectors; normally drawn from the Random.
  std::optional<crypto::KeyPair> ephemeral;
};

struct ClientFinish {
  crypto::PublicKey client_static;
  std::string client_payload;  // serialized ClientPayload
};

class Responder {
 public:
  static base::Result<Responder> Create(ResponderConfig config, base::Random& random);

  base::Status ReadClientHello(std::string_view handshake_message);
  base::Result<std::string> WriteServerHello();
  base::Result<ClientFinish> ReadClientFinish(std::string_view handshake_message);
  base::Result<Transport> Split();

 private:
  enum class Step { kHello, kServerHello, kFinish, kSplit, kDone, kFailed };
  Responder(ResponderConfig config, crypto::KeyPair ephemeral, SymmetricState state)
      : config_(std::move(config)), ephemeral_(std::move(ephemeral)), state_(std::move(state)) {}
  base::Status ReadClientHelloImpl(std::string_view handshake_message);
  base::Result<std::string> WriteServerHelloImpl();
  base::Result<ClientFinish> ReadClientFinishImpl(std::string_view handshake_message);

  ResponderConfig config_;
  crypto::KeyPair ephemeral_;
  SymmetricState state_;
  std::optional<crypto::PublicKey> client_ephemeral_;
  Step step_ = Step::kHello;
};

}  // namespace wa::noise
