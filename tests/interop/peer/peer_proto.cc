// wa_peer ops for wa/proto (tests/interop/proto.test.mjs). `type` is the
// WAProto name without package ("Message", "Message.ImageMessage",
// "ClientPayload", ...); JSON is proto3 JSON with WAProto's field names.
//   proto.decode {type, hex}  → {json, hex}   (hex: our re-serialization)
//   proto.encode {type, json} → {hex}         (json: an object)
#include <boost/json.hpp>

#include "base/encoding.h"
#include "peer.h"
#include "wa/proto/codec.h"

namespace interop {
namespace {

namespace json = boost::json;

base::Result<std::unique_ptr<google::protobuf::Message>> TypeArg(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string type, StringArg(args, "type"));
  return wa::proto::NewMessage("wa.proto." + type);
}

base::Result<json::value> DecodeOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(auto message, TypeArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, HexArg(args, "hex"));
  WAGATE_RETURN_IF_ERROR(wa::proto::Parse(bytes, message.get()));
  WAGATE_ASSIGN_OR_RETURN(std::string text, wa::proto::ToJson(*message));
  WAGATE_ASSIGN_OR_RETURN(std::string again, wa::proto::Serialize(*message));
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return base::Internal("protobuf produced invalid JSON: " + ec.message());
  json::object out;
  out["json"] = std::move(parsed);
  out["hex"] = base::HexEncode(again);
  return json::value(std::move(out));
}

base::Result<json::value> EncodeOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(auto message, TypeArg(args));
  auto it = args.find("json");
  if (it == args.end()) return base::InvalidArgument("missing argument 'json'");
  WAGATE_RETURN_IF_ERROR(wa::proto::FromJson(json::serialize(it->value()), message.get()));
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, wa::proto::Serialize(*message));
  json::object out;
  out["hex"] = base::HexEncode(bytes);
  return json::value(std::move(out));
}

PeerOps ops{
    {"proto.decode", DecodeOp},
    {"proto.encode", EncodeOp},
};

}  // namespace
}  // namespace interop
