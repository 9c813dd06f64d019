#include "wa/noise/initiator.h"

#include "wa/noise/frame.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_handshake.pb.h"

namespace wa::noise {
base::Result<Initiator> Initiator::Create(InitiatorConfig config, base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(crypto::KeyPair ephemeral,
                          config.ephemeral ? base::Result<crypto::KeyPair>(*config.ephemeral)
                                           : crypto::KeyPair::Generate(random));
  WAGATE_ASSIGN_OR_RETURN(SymmetricState state, SymmetricState::Create(kWaHeader));
  return Initiator(std::move(config), std::move(ephemeral), std::move(state));
}

base::Result<std::string> Initiator::WriteClientHello() {
  if (step_ != Step::kHello) return OutOfOrder(step_, "client hello");
  step_ = Step::kFailed;
  WAGATE_RETURN_IF_ERROR(state_.MixHash(ephemeral_.public_key.raw()));
  proto::HandshakeMessage msg;
  msg.mutable_client_hello()->set_ephemeral(std::string(ephemeral_.public_key.raw()));
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, proto::Serialize(msg));
  step_ = Step::kServerHello;
  return bytes;
}

base::Status Initiator::ReadServerHello(std::string_view handshake_message) {
  if (step_ != Step::kServerHello) return OutOfOrder(step_, "server hello");
  step_ = Step::kFailed;
  WAGATE_RETURN_IF_ERROR(ReadServerHelloImpl(handshake_message));
  step_ = Step::kFinish;
  return base::Status::Ok();
}

base::Status Initiator::ReadServerHelloImpl(std::string_view handshake_message) {
  auto msg = proto::Parse<proto::HandshakeMessage>(handshake_message);
  if (!msg.ok()) return base::InvalidArgument("noise: server hello: does not parse");
  if (!msg->has_server_hello()) {
    return base::InvalidArgument("noise: server hello: message has no serverHello");
  }
  const auto& hello = msg->server_hello();
  if (!hello.has_ephemeral() || hello.ephemeral().size() != crypto::kCurve25519KeySize) {
    return base::InvalidArgument("noise: server hello: ephemeral missing or not 32 bytes");
  }
  if (!hello.has_static_() || hello.static_().size() != kEncryptedKeySize) {
    return base::InvalidArgument("noise: server hello: static missing or not 48 bytes");
  }
  if (!hello.has_payload() || hello.payload().size() < crypto::kGcmTagSize) {
    return base::InvalidArgument("noise: server hello: payload missing or too short");
  }
  auto context = [](const char* what) { return std::string("noise: server hello: ") + what; };

  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey server_ephemeral,
                          crypto::PublicKey::FromRaw(hello.ephemeral()));
  WAGATE_RETURN_IF_ERROR(state_.MixHash(server_ephemeral.raw()));
  auto dh = crypto::SharedSecret(ephemeral_.private_key, server_ephemeral);
  if (!dh.ok()) return dh.status().WithContext(context("bad ephemeral"));
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));

  auto static_raw = state_.DecryptAndHash(hello.static_());
  if (!static_raw.ok()) return static_raw.status().WithContext(context("bad static ciphertext"));
  auto server_static = crypto::PublicKey::FromRaw(*static_raw);
  if (!server_static.ok()) return server_static.status().WithContext(context("bad static key"));
  dh = crypto::SharedSecret(ephemeral_.private_key, *server_static);
  if (!dh.ok()) return dh.status().WithContext(context("bad static key"));
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));

  auto cert = state_.DecryptAndHash(hello.payload());
  if (!cert.ok()) return cert.status().WithContext(context("bad payload ciphertext"));
  base::Status verified = VerifyCertChain(*cert, {.trusted_root = &config_.trusted_root,
                                                  .server_static = &*server_static,
                                                  .now = config_.now});
  if (!verified.ok()) return verified.WithContext("noise: server hello");
  server_ephemeral_ = server_ephemeral;
  server_static_ = *server_static;
  return base::Status::Ok();
}

base::Result<std::string> Initiator::WriteClientFinish(std::string_view client_payload) {
  if (step_ != Step::kFinish) return OutOfOrder(step_, "client finish");
  step_ = Step::kFailed;
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, WriteClientFinishImpl(client_payload));
  step_ = Step::kSplit;
  return bytes;
}

base::Result<std::string> Initiator::WriteClientFinishImpl(std::string_view client_payload) {
  // Same key epoch as the certificate: n = 1 here [§2.2 step 4, §14.1 item 4].
  WAGATE_ASSIGN_OR_RETURN(std::string static_ct,
                          state_.EncryptAndHash(config_.static_key.public_key.raw()));
  auto dh = crypto::SharedSecret(config_.static_key.private_key, *server_ephemeral_);
  if (!dh.ok()) return dh.status().WithContext("noise: client finish");
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));
  WAGATE_ASSIGN_OR_RETURN(std::string payload_ct, state_.EncryptAndHash(client_payload));
  proto::HandshakeMessage msg;
  msg.mutable_client_finish()->set_static_(std::move(static_ct));
  msg.mutable_client_finish()->set_payload(std::move(payload_ct));
  return proto::Serialize(msg);
}

base::Result<Transport> Initiator::Split() {
  if (step_ != Step::kSplit) return OutOfOrder(step_, "split");
  step_ = Step::kFailed;
  WAGATE_ASSIGN_OR_RETURN(auto keys, state_.Split());
  WAGATE_ASSIGN_OR_RETURN(Transport transport, Transport::Create(keys.first, keys.second));
  step_ = Step::kDone;
  return transport;
}

}  // namespace wa::noise
