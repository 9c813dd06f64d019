#include "wa/noise/responder.h"

#include "wa/noise/frame.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_handshake.pb.h"

namespace wa::noise {
base::Result<Responder> Responder::Create(ResponderConfig config, base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(crypto::KeyPair ephemeral,
                          config.ephemeral ? base::Result<crypto::KeyPair>(*config.ephemeral)
                                           : crypto::KeyPair::Generate(random));
  WAGATE_ASSIGN_OR_RETURN(SymmetricState state, SymmetricState::Create(kWaHeader));
  return Responder(std::move(config), std::move(ephemeral), std::move(state));
}

base::Status Responder::ReadClientHello(std::string_view handshake_message) {
  if (step_ != Step::kHello) return OutOfOrder(step_, "client hello");
  step_ = Step::kFailed;
  WAGATE_RETURN_IF_ERROR(ReadClientHelloImpl(handshake_message));
  step_ = Step::kServerHello;
  return base::Status::Ok();
}

base::Status Responder::ReadClientHelloImpl(std::string_view handshake_message) {
  auto msg = proto::Parse<proto::HandshakeMessage>(handshake_message);
  if (!msg.ok()) return base::InvalidArgument("noise: client hello: does not parse");
  if (!msg->has_client_hello()) {
    return base::InvalidArgument("noise: client hello: message has no clientHello");
  }
  const auto& hello = msg->client_hello();
  if (!hello.has_ephemeral() || hello.ephemeral().size() != crypto::kCurve25519KeySize) {
    return base::InvalidArgument("noise: client hello: ephemeral missing or not 32 bytes");
  }
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey client_ephemeral,
                          crypto::PublicKey::FromRaw(hello.ephemeral()));
  WAGATE_RETURN_IF_ERROR(state_.MixHash(client_ephemeral.raw()));
  client_ephemeral_ = client_ephemeral;
  return base::Status::Ok();
}

base::Result<std::string> Responder::WriteServerHello() {
  if (step_ != Step::kServerHello) return OutOfOrder(step_, "server hello");
  step_ = Step::kFailed;
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, WriteServerHelloImpl());
  step_ = Step::kFinish;
  return bytes;
}

base::Result<std::string> Responder::WriteServerHelloImpl() {
  auto context = [](const char* what) { return std::string("noise: server hello: ") + what; };
  WAGATE_RETURN_IF_ERROR(state_.MixHash(ephemeral_.public_key.raw()));
  auto dh = crypto::SharedSecret(ephemeral_.private_key, *client_ephemeral_);
  if (!dh.ok()) return dh.status().WithContext(context("bad client ephemeral"));
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));
  WAGATE_ASSIGN_OR_RETURN(std::string static_ct,
                          state_.EncryptAndHash(config_.static_key.public_key.raw()));
  dh = crypto::SharedSecret(config_.static_key.private_key, *client_ephemeral_);
  if (!dh.ok()) return dh.status().WithContext(context("bad client ephemeral"));
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));
  WAGATE_ASSIGN_OR_RETURN(std::string cert_ct, state_.EncryptAndHash(config_.cert_chain));

  proto::HandshakeMessage msg;
  auto* hello = msg.mutable_server_hello();
  hello->set_ephemeral(std::string(ephemeral_.public_key.raw()));
  hello->set_static_(std::move(static_ct));
  hello->set_payload(std::move(cert_ct));
  return proto::Serialize(msg);
}

base::Result<ClientFinish> Responder::ReadClientFinish(std::string_view handshake_message) {
  if (step_ != Step::kFinish) return OutOfOrder(step_, "client finish");
  step_ = Step::kFailed;
  WAGATE_ASSIGN_OR_RETURN(ClientFinish finish, ReadClientFinishImpl(handshake_message));
  step_ = Step::kSplit;
  return finish;
}

base::Result<ClientFinish> Responder::ReadClientFinishImpl(std::string_view handshake_message) {
  auto context = [](const char* what) { return std::string("noise: client finish: ") + what; };
  auto msg = proto::Parse<proto::HandshakeMessage>(handshake_message);
  if (!msg.ok()) return base::InvalidArgument(context("does not parse"));
  if (!msg->has_client_finish()) {
    return base::InvalidArgument(context("message has no clientFinish"));
  }
  const auto& finish = msg->client_finish();
  if (!finish.has_static_() || finish.static_().size() != kEncryptedKeySize) {
    return base::InvalidArgument(context("static missing or not 48 bytes"));
  }
  if (!finish.has_payload() || finish.payload().size() < crypto::kGcmTagSize) {
    return base::InvalidArgument(context("payload missing or too short"));
  }
  // Same key epoch as the certificate: n = 1 here [§2.2 step 4, §14.1 item 4].
  auto static_raw = state_.DecryptAndHash(finish.static_());
  if (!static_raw.ok()) return static_raw.status().WithContext(context("bad static ciphertext"));
  auto client_static = crypto::PublicKey::FromRaw(*static_raw);
  if (!client_static.ok()) return client_static.status().WithContext(context("bad static key"));
  auto dh = crypto::SharedSecret(ephemeral_.private_key, *client_static);
  if (!dh.ok()) return dh.status().WithContext(context("bad static key"));
  WAGATE_RETURN_IF_ERROR(state_.MixKey(*dh));
  auto payload = state_.DecryptAndHash(finish.payload());
  if (!payload.ok()) return payload.status().WithContext(context("bad payload ciphertext"));
  return ClientFinish{.client_static = *client_static, .client_payload = std::move(*payload)};
}

base::Result<Transport> Responder::Split() {
  if (step_ != Step::kSplit) return OutOfOrder(step_, "split");
  step_ = Step::kFailed;
  WAGATE_ASSIGN_OR_RETURN(auto keys, state_.Split());
  // The responder reads with the first key and writes with the second [§2.2 step 5].
  WAGATE_ASSIGN_OR_RETURN(Transport transport, Transport::Create(keys.second, keys.first));
  step_ = Step::kDone;
  return transport;
}

}  // namespace wa::noise
