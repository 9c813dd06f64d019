// libFuzzer target for the WABinary decoder (src/wa/binary).
//
// Each input is decoded as a node body and as a frame payload. Decoding must
// never crash or trip a sanitizer; a failure must be InvalidArgument with the
// documented prefix. Every node that decodes must:
//   * encode again, and decode from that to the same node, except that text
//     content written as a raw string comes back as bytes (the wire cannot tell
//     them apart, decoder.h) — and then encode to the very same bytes;
//   * survive its JSON form (node_json.h) unchanged.
// The zero-copy decoders (DecodeNodeShared, DecodeFrameShared) must give the
// same results as the copying ones. A decoded tree lives in an arena its root
// owns (node.h): children moved out of it must stay whole after the root and
// the input are gone (ASan sees any view left dangling).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/binary/frame.h"
#include "wa/binary/node_json.h"

namespace {

using wa::binary::Bytes;
using wa::binary::DecodeLimits;
using wa::binary::Node;

[[noreturn]] void Die(const char* what, const Node& node) {
  std::fprintf(stderr, "node_decoder_fuzz: %s\n%s\n", what, node.DebugString().c_str());
  std::abort();
}

// a == b, where text content of a may have become bytes content of b.
bool SameModuloRawText(const Node& a, const Node& b) {
  if (a.tag != b.tag || a.attrs != b.attrs) return false;
  if (const auto* text = a.text(); text && b.bytes()) return *text == *b.bytes();
  if (!a.HasChildren() || !b.HasChildren()) return a.content == b.content;
  auto ac = a.children();
  auto bc = b.children();
  if (ac.size() != bc.size()) return false;
  for (size_t i = 0; i < ac.size(); ++i) {
    if (!SameModuloRawText(ac[i], bc[i])) return false;
  }
  return true;
}

void Check(const base::Result<Node>& decoded) {
  if (!decoded.ok()) {
    const base::Status& status = decoded.status();
    std::string_view message = status.message();
    if (status.code() != base::Code::kInvalidArgument ||
        (message.rfind("decode node: ", 0) != 0 && message.rfind("decode frame: ", 0) != 0)) {
      std::fprintf(stderr, "node_decoder_fuzz: unexpected error %s\n", status.ToString().c_str());
      std::abort();
    }
    return;
  }
  const Node& node = *decoded;
  auto encoded = wa::binary::EncodeNode(node);
  if (!encoded.ok())
    Die(("decoded node does not encode: " + encoded.status().message()).c_str(), node);
  DecodeLimits roomy;
  roomy.max_body_size = size_t{1} << 30;
  auto again = wa::binary::DecodeNode(*encoded, roomy);
  if (!again.ok()) Die(("encoded node does not decode: " + again.status().message()).c_str(), node);
  if (!SameModuloRawText(node, *again)) Die("round trip changed the node", node);
  auto encoded_again = wa::binary::EncodeNode(*again);
  if (!encoded_again.ok() || *encoded_again != *encoded) Die("encoding is not a fixed point", node);

  auto from_json = wa::binary::NodeFromJson(wa::binary::NodeToJson(node));
  if (!from_json.ok())
    Die(("JSON form does not parse: " + from_json.status().message()).c_str(), node);
  if (*from_json != node) Die("JSON round trip changed the node", node);
}

// The zero-copy decoders must agree with the copying ones.
void CheckSameResult(const base::Result<Node>& copied, const base::Result<Node>& shared) {
  if (copied.ok() != shared.ok() || (copied.ok() && *copied != *shared) ||
      copied.status() != shared.status()) {
    std::fprintf(stderr, "node_decoder_fuzz: shared decoding differs: %s / %s\n",
                 copied.status().ToString().c_str(), shared.status().ToString().c_str());
    std::abort();
  }
}

// Moves the first child and the last grandchild out of a decoded tree, then
// frees the tree and its input: both must still equal a copy made before.
void CheckOwnership(std::string_view input, const DecodeLimits& limits) {
  auto buffer = std::make_unique<std::string>(input);
  auto decoded = wa::binary::DecodeNode(*buffer, limits);
  if (!decoded.ok()) return;
  const Node copy = *decoded;
  Node root = std::move(decoded).value();
  Node child, grandchild;
  const Node* expected_child = nullptr;
  const Node* expected_grandchild = nullptr;
  if (!root.children().empty()) {
    Node& first = root.children()[0];
    if (!first.children().empty()) {
      grandchild = std::move(first.children().back());
      expected_grandchild = &copy.children()[0].children().back();
    }
    child = std::move(first);
    expected_child = &copy.children()[0];
  }
  Node moved_root = std::move(root);
  if (expected_grandchild) moved_root.children()[0] = Node("replaced");
  buffer->assign(buffer->size(), '\xff');
  buffer.reset();
  moved_root = Node();
  // With its last child moved out, the child no longer equals the copy.
  if (expected_grandchild) {
    if (grandchild != *expected_grandchild) Die("grandchild moved out of the tree changed", copy);
  } else if (expected_child && child != *expected_child) {
    Die("child moved out of the tree changed", copy);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  DecodeLimits limits;
  limits.max_body_size = size_t{1} << 20;  // keeps zlib-heavy inputs fast
  auto as_node = wa::binary::DecodeNode(input, limits);
  Check(as_node);
  auto as_frame = wa::binary::DecodeFrame(input, limits);
  Check(as_frame);
  auto buffer = std::make_shared<const std::string>(input);
  CheckSameResult(as_node, wa::binary::DecodeNodeShared(buffer, limits));
  CheckSameResult(as_frame, wa::binary::DecodeFrameShared(buffer, limits));
  CheckOwnership(input, limits);
  return 0;
}
