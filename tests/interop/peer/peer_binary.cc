// wa_peer ops for wa/types and wa/binary (tests/interop/binary.test.mjs):
//   node.encode  {node: <node json> | json: "<node json text>"} → {hex}
//   node.decode  {hex}                                          → {node}
//   frame.encode {node | json, compress?: bool}                 → {hex}
//   frame.decode {hex}                                          → {node}
//   jid.parse    {text} → {user, server, agent, device, has_device, integrator,
//                          string, signal_address}
// Nodes use the JSON form of docs/node-json.md. Deeply nested nodes should be
// passed as `json` text: the request line itself is parsed with Boost.JSON's
// default depth limit.
#include <boost/json.hpp>

#include "base/encoding.h"
#include "peer.h"
#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/binary/frame.h"
#include "wa/binary/node_json.h"
#include "wa/types/jid.h"

namespace interop {
namespace {

namespace json = boost::json;
using wa::binary::Node;

base::Result<Node> NodeArg(const json::object& args) {
  if (auto it = args.find("json"); it != args.end() && it->value().is_string()) {
    return wa::binary::NodeFromJsonText(std::string_view(it->value().as_string()));
  }
  auto it = args.find("node");
  if (it == args.end()) return base::InvalidArgument("missing argument 'node' or 'json'");
  return wa::binary::NodeFromJson(it->value());
}

json::value HexResult(const std::string& bytes) {
  json::object out;
  out["hex"] = base::HexEncode(bytes);
  return out;
}

json::value NodeResult(const Node& node) {
  json::object out;
  out["node"] = wa::binary::NodeToJson(node);
  return out;
}

base::Result<json::value> NodeEncode(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Node node, NodeArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, wa::binary::EncodeNode(node));
  return HexResult(bytes);
}

base::Result<json::value> NodeDecode(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, HexArg(args, "hex"));
  WAGATE_ASSIGN_OR_RETURN(Node node, wa::binary::DecodeNode(bytes));
  return NodeResult(node);
}

base::Result<json::value> FrameEncode(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Node node, NodeArg(args));
  bool compress = false;
  if (auto it = args.find("compress"); it != args.end() && it->value().is_bool()) {
    compress = it->value().as_bool();
  }
  WAGATE_ASSIGN_OR_RETURN(
      std::string bytes,
      wa::binary::EncodeFrame(node, compress ? wa::binary::FrameCompression::kZlib
                                             : wa::binary::FrameCompression::kNone));
  return HexResult(bytes);
}

base::Result<json::value> FrameDecode(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, HexArg(args, "hex"));
  WAGATE_ASSIGN_OR_RETURN(Node node, wa::binary::DecodeFrame(bytes));
  return NodeResult(node);
}

base::Result<json::value> JidParse(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string text, StringArg(args, "text"));
  WAGATE_ASSIGN_OR_RETURN(wa::Jid jid, wa::Jid::Parse(text));
  json::object out;
  out["user"] = jid.user();
  out["server"] = jid.server();
  out["agent"] = jid.agent();
  out["device"] = jid.device();
  out["has_device"] = jid.has_device();
  out["integrator"] = jid.integrator();
  out["string"] = jid.ToString();
  out["signal_address"] = jid.SignalAddress();
  return json::value(std::move(out));
}

PeerOps ops{
    {"node.encode", NodeEncode},   {"node.decode", NodeDecode}, {"frame.encode", FrameEncode},
    {"frame.decode", FrameDecode}, {"jid.parse", JidParse},
};

}  // namespace
}  // namespace interop
