// wa_peer ops for wa/noise (tests/interop/noise.test.mjs). Bytes as hex; a
// session id names one connection's state. `data` arguments are raw socket
// bytes (intro, length prefixes and all), so the frame codec is exercised
// with every call; results that go on the wire are framed the same way.
//   noise.cert_chain.build {root_priv, intermediate_priv, leaf_pub, not_before, not_after}
//                                                     → {hex}
//   noise.responder.new  {static_priv, root_priv, intermediate_priv, ephemeral_priv?,
//                         not_before, not_after}      → {id}
//   noise.responder.hello  {id, data}                 → {data, routing_info}
//   noise.responder.finish {id, data}                 → {client_static, client_payload}
//   noise.initiator.new  {static_priv, trusted_root, now, ephemeral_priv?, routing_info?}
//                                                     → {id, data}
//   noise.initiator.finish {id, data, payload}        → {data, server_static}
//   noise.transport.encrypt {id, plaintext}           → {data}
//   noise.transport.decrypt {id, data}                → {frames: [hex...]}
//   noise.close {id}
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>

#include "base/encoding.h"
#include "base/random.h"
#include "peer.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/frame.h"
#include "wa/noise/initiator.h"
#include "wa/noise/responder.h"
#include "wa/noise/transport.h"

namespace interop {
namespace {

namespace json = boost::json;
using namespace wa::noise;
using wa::crypto::KeyPair;
using wa::crypto::PublicKey;

struct Session {
  std::optional<Initiator> initiator;
  std::optional<Responder> responder;
  std::optional<Transport> transport;
  std::optional<FrameReader> reader;
  std::optional<FrameWriter> writer;
};

std::map<int64_t, std::unique_ptr<Session>>& Sessions() {
  static std::map<int64_t, std::unique_ptr<Session>> sessions;
  return sessions;
}

int64_t Add(std::unique_ptr<Session> s) {
  static int64_t next = 1;
  Sessions()[next] = std::move(s);
  return next++;
}

base::Result<Session*> SessionArg(const json::object& args) {
  auto it = args.find("id");
  if (it == args.end() || !it->value().is_int64()) {
    return base::InvalidArgument("missing integer argument id");
  }
  auto s = Sessions().find(it->value().as_int64());
  if (s == Sessions().end())
    return base::NotFound("no noise session " + std::to_string(it->value().as_int64()));
  return s->second.get();
}

base::Result<uint64_t> UintArg(const json::object& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !it->value().is_number()) {
    return base::InvalidArgument(std::string("missing number argument ") + name);
  }
  return static_cast<uint64_t>(it->value().to_number<double>());
}

base::Result<KeyPair> KeyArg(const json::object& args, const char* name) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw, HexArg(args, name));
  return KeyPair::FromPrivate(raw);
}

base::Result<std::optional<KeyPair>> OptKeyArg(const json::object& args, const char* name) {
  if (!args.contains(name)) return std::optional<KeyPair>();
  WAGATE_ASSIGN_OR_RETURN(KeyPair key, KeyArg(args, name));
  return std::optional<KeyPair>(std::move(key));
}

// Reads exactly one frame from `data`.
base::Result<std::string> OneFrame(Session& s, std::string_view data, const char* what) {
  WAGATE_ASSIGN_OR_RETURN(auto frames, s.reader->Feed(data));
  if (frames.size() != 1) {
    return base::InvalidArgument(std::string(what) + ": expected one frame, got " +
                                 std::to_string(frames.size()));
  }
  return frames[0];
}

base::Result<std::string> ChainFrom(const json::object& args, const PublicKey& leaf) {
  WAGATE_ASSIGN_OR_RETURN(KeyPair root, KeyArg(args, "root_priv"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair inter, KeyArg(args, "intermediate_priv"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t not_before, UintArg(args, "not_before"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t not_after, UintArg(args, "not_after"));
  return BuildCertChain({.root = &root,
                         .intermediate = &inter,
                         .leaf_key = leaf,
                         .not_before = not_before,
                         .not_after = not_after},
                        base::SecureRandom::Instance());
}

base::Result<json::value> CertChainBuildOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string leaf_raw, HexArg(args, "leaf_pub"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey leaf, PublicKey::FromRaw(leaf_raw));
  WAGATE_ASSIGN_OR_RETURN(std::string chain, ChainFrom(args, leaf));
  return json::value(json::object{{"hex", base::HexEncode(chain)}});
}

base::Result<json::value> ResponderNewOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(KeyPair static_key, KeyArg(args, "static_priv"));
  WAGATE_ASSIGN_OR_RETURN(std::string chain, ChainFrom(args, static_key.public_key));
  WAGATE_ASSIGN_OR_RETURN(auto ephemeral, OptKeyArg(args, "ephemeral_priv"));
  auto s = std::make_unique<Session>();
  WAGATE_ASSIGN_OR_RETURN(Responder responder,
                          Responder::Create({.static_key = std::move(static_key),
                                             .cert_chain = std::move(chain),
                                             .ephemeral = std::move(ephemeral)},
                                            base::SecureRandom::Instance()));
  s->responder.emplace(std::move(responder));
  s->reader.emplace(FrameReader::Server());
  s->writer.emplace(FrameWriter::Server());
  return json::value(json::object{{"id", Add(std::move(s))}});
}

base::Result<json::value> ResponderHelloOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Session * s, SessionArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  if (!s->responder) return base::FailedPrecondition("not a responder session");
  WAGATE_ASSIGN_OR_RETURN(std::string hello, OneFrame(*s, data, "client hello"));
  WAGATE_RETURN_IF_ERROR(s->responder->ReadClientHello(hello));
  WAGATE_ASSIGN_OR_RETURN(std::string server_hello, s->responder->WriteServerHello());
  WAGATE_ASSIGN_OR_RETURN(std::string out, s->writer->Write(server_hello));
  return json::value(
      json::object{{"data", base::HexEncode(out)},
                   {"routing_info", base::HexEncode(s->reader->intro()->routing_info)}});
}

base::Result<json::value> ResponderFinishOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Session * s, SessionArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  if (!s->responder) return base::FailedPrecondition("not a responder session");
  WAGATE_ASSIGN_OR_RETURN(std::string msg, OneFrame(*s, data, "client finish"));
  WAGATE_ASSIGN_OR_RETURN(ClientFinish finish, s->responder->ReadClientFinish(msg));
  WAGATE_ASSIGN_OR_RETURN(Transport transport, s->responder->Split());
  s->transport.emplace(std::move(transport));
  return json::value(json::object{{"client_static", base::HexEncode(finish.client_static.raw())},
                                  {"client_payload", base::HexEncode(finish.client_payload)}});
}

base::Result<json::value> InitiatorNewOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(KeyPair static_key, KeyArg(args, "static_priv"));
  WAGATE_ASSIGN_OR_RETURN(std::string root_raw, HexArg(args, "trusted_root"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey root, PublicKey::FromRaw(root_raw));
  WAGATE_ASSIGN_OR_RETURN(uint64_t now, UintArg(args, "now"));
  WAGATE_ASSIGN_OR_RETURN(auto ephemeral, OptKeyArg(args, "ephemeral_priv"));
  std::string routing_info;
  if (args.contains("routing_info")) {
    WAGATE_ASSIGN_OR_RETURN(routing_info, HexArg(args, "routing_info"));
  }
  auto s = std::make_unique<Session>();
  WAGATE_ASSIGN_OR_RETURN(Initiator initiator,
                          Initiator::Create({.static_key = std::move(static_key),
                                             .trusted_root = root,
                                             .now = now,
                                             .ephemeral = std::move(ephemeral)},
                                            base::SecureRandom::Instance()));
  s->initiator.emplace(std::move(initiator));
  s->reader.emplace(FrameReader::Client());
  s->writer.emplace(FrameWriter::Client(std::move(routing_info)));
  WAGATE_ASSIGN_OR_RETURN(std::string hello, s->initiator->WriteClientHello());
  WAGATE_ASSIGN_OR_RETURN(std::string out, s->writer->Write(hello));
  int64_t id = Add(std::move(s));
  return json::value(json::object{{"id", id}, {"data", base::HexEncode(out)}});
}

base::Result<json::value> InitiatorFinishOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Session * s, SessionArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  WAGATE_ASSIGN_OR_RETURN(std::string payload, HexArg(args, "payload"));
  if (!s->initiator) return base::FailedPrecondition("not an initiator session");
  WAGATE_ASSIGN_OR_RETURN(std::string msg, OneFrame(*s, data, "server hello"));
  WAGATE_RETURN_IF_ERROR(s->initiator->ReadServerHello(msg));
  WAGATE_ASSIGN_OR_RETURN(std::string finish, s->initiator->WriteClientFinish(payload));
  WAGATE_ASSIGN_OR_RETURN(std::string out, s->writer->Write(finish));
  WAGATE_ASSIGN_OR_RETURN(Transport transport, s->initiator->Split());
  s->transport.emplace(std::move(transport));
  return json::value(
      json::object{{"data", base::HexEncode(out)},
                   {"server_static", base::HexEncode(s->initiator->server_static()->raw())}});
}

base::Result<json::value> EncryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Session * s, SessionArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, HexArg(args, "plaintext"));
  if (!s->transport) return base::FailedPrecondition("handshake not finished");
  WAGATE_ASSIGN_OR_RETURN(std::string c, s->transport->Encrypt(plaintext));
  WAGATE_ASSIGN_OR_RETURN(std::string out, s->writer->Write(c));
  return json::value(json::object{{"data", base::HexEncode(out)}});
}

base::Result<json::value> DecryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Session * s, SessionArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  if (!s->transport) return base::FailedPrecondition("handshake not finished");
  WAGATE_ASSIGN_OR_RETURN(auto frames, s->reader->Feed(data));
  json::array out;
  for (const std::string& frame : frames) {
    WAGATE_ASSIGN_OR_RETURN(std::string p, s->transport->Decrypt(frame));
    out.emplace_back(base::HexEncode(p));
  }
  return json::value(json::object{{"frames", std::move(out)}});
}

base::Result<json::value> CloseOp(const json::object& args) {
  auto it = args.find("id");
  if (it != args.end() && it->value().is_int64()) Sessions().erase(it->value().as_int64());
  return json::value(json::object{});
}

static PeerOps ops{{"noise.cert_chain.build", CertChainBuildOp},
                   {"noise.responder.new", ResponderNewOp},
                   {"noise.responder.hello", ResponderHelloOp},
                   {"noise.responder.finish", ResponderFinishOp},
                   {"noise.initiator.new", InitiatorNewOp},
                   {"noise.initiator.finish", InitiatorFinishOp},
                   {"noise.transport.encrypt", EncryptOp},
                   {"noise.transport.decrypt", DecryptOp},
                   {"noise.close", CloseOp}};

}  // namespace
}  // namespace interop
