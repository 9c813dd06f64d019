// wa-tool commands for binary nodes, frame payloads and JIDs.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/encoding.h"
#include "command.h"
#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/binary/frame.h"
#include "wa/binary/node_json.h"
#include "wa/types/jid.h"

namespace tool {
namespace {

using wa::binary::Node;

// Splits `args` into one positional argument and the flags in `allowed`.
bool ParseArgs(std::span<const std::string_view> args,
               std::initializer_list<std::string_view> allowed, std::string_view* positional,
               std::vector<std::string_view>* flags) {
  bool have_positional = false;
  for (std::string_view arg : args) {
    if (arg.size() > 1 && arg.substr(0, 2) == "--") {
      if (std::find(allowed.begin(), allowed.end(), arg) == allowed.end()) return false;
      flags->push_back(arg);
    } else {
      if (have_positional) return false;
      *positional = arg;
      have_positional = true;
    }
  }
  return have_positional;
}

bool HasFlag(const std::vector<std::string_view>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

int PrintNode(const Node& node, bool xml) {
  std::string out = xml ? node.DebugString() : wa::binary::NodeToJsonText(node);
  std::printf("%s\n", out.c_str());
  return kExitOk;
}

int Decode(const Command& self, std::span<const std::string_view> args, bool frame) {
  std::string_view input;
  std::vector<std::string_view> flags;
  if (!ParseArgs(args, {"--xml"}, &input, &flags)) return Usage(self);
  auto bytes = HexArg(input);
  if (!bytes.ok()) return Fail(bytes.status());
  auto node = frame ? wa::binary::DecodeFrame(*bytes) : wa::binary::DecodeNode(*bytes);
  if (!node.ok()) return Fail(node.status());
  return PrintNode(*node, HasFlag(flags, "--xml"));
}

int Encode(const Command& self, std::span<const std::string_view> args, bool frame) {
  std::string_view input;
  std::vector<std::string_view> flags;
  if (!ParseArgs(args,
                 frame ? std::initializer_list<std::string_view>{"--zlib"}
                       : std::initializer_list<std::string_view>{},
                 &input, &flags)) {
    return Usage(self);
  }
  auto node = wa::binary::NodeFromJsonText(ArgOrStdin(input));
  if (!node.ok()) return Fail(node.status());
  auto bytes = frame ? wa::binary::EncodeFrame(*node, HasFlag(flags, "--zlib")
                                                          ? wa::binary::FrameCompression::kZlib
                                                          : wa::binary::FrameCompression::kNone)
                     : wa::binary::EncodeNode(*node);
  if (!bytes.ok()) return Fail(bytes.status());
  std::printf("%s\n", base::HexEncode(*bytes).c_str());
  return kExitOk;
}

int JidParse(const Command& self, std::span<const std::string_view> args) {
  if (args.size() != 1) return Usage(self);
  auto jid = wa::Jid::Parse(args[0]);
  if (!jid.ok()) return Fail(jid.status());
  boost::json::object out;
  out["string"] = jid->ToString();
  out["user"] = jid->user();
  out["server"] = jid->server();
  out["agent"] = jid->agent();
  out["device"] = jid->device();
  out["has_device"] = jid->has_device();
  if (jid->integrator() != 0) out["integrator"] = jid->integrator();
  out["signal_address"] = jid->SignalAddress();
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return kExitOk;
}

extern const Command kNodeDecode, kNodeEncode, kFrameDecode, kFrameEncode, kJidParse;

const Command kNodeDecode{"node", "decode", "<hex|-> [--xml]",
                          "binary node (no flags byte) -> JSON, or XML-like with --xml",
                          [](auto args) { return Decode(kNodeDecode, args, false); }};
const Command kNodeEncode{"node", "encode", "<json|->", "JSON node -> hex of the binary node",
                          [](auto args) { return Encode(kNodeEncode, args, false); }};
const Command kFrameDecode{"frame", "decode", "<hex|-> [--xml]",
                           "frame payload (flags byte + node, inflated if flags & 2) -> JSON",
                           [](auto args) { return Decode(kFrameDecode, args, true); }};
const Command kFrameEncode{"frame", "encode", "<json|-> [--zlib]",
                           "JSON node -> hex of a frame payload (flags 0, or 2 with --zlib)",
                           [](auto args) { return Encode(kFrameEncode, args, true); }};
const Command kJidParse{"jid", "parse", "<jid>", "JID text -> its parts and Signal address",
                        [](auto args) { return JidParse(kJidParse, args); }};

CommandRegistrar registrar{kNodeDecode, kNodeEncode, kFrameDecode, kFrameEncode, kJidParse};

}  // namespace
}  // namespace tool
