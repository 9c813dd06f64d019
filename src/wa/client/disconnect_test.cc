#include "wa/client/disconnect.h"

#include <gtest/gtest.h>

namespace wa::client {
namespace {

using binary::Node;

Node StreamError(std::vector<binary::Attr> attrs, std::vector<Node> children = {}) {
  Node node("stream:error", std::move(attrs));
  if (!children.empty()) node.content = std::move(children);
  return node;
}

void Expect(const Node& node, DisconnectKind kind, int code) {
  std::optional<Disconnect> d = ClassifyStanza(node);
  ASSERT_TRUE(d) << node.DebugString();
  EXPECT_EQ(d->kind, kind) << node.DebugString() << " → " << DisconnectKindName(d->kind);
  EXPECT_EQ(d->code, code) << node.DebugString();
  EXPECT_FALSE(d->reason.empty());
}

// One case per row of whatsapp-protocol.md §1.5.
TEST(Disconnect, StreamErrors) {
  Expect(StreamError({{"code", "515"}}), DisconnectKind::kRestartRequired, 515);
  Expect(StreamError({{"code", "401"}}, {Node("conflict", {{"type", "device_removed"}})}),
         DisconnectKind::kLoggedOut, 401);
  Expect(StreamError({}, {Node("conflict", {{"type", "replaced"}})}), DisconnectKind::kReplaced,
         440);
  Expect(StreamError({}, {Node("conflict")}), DisconnectKind::kReplaced, 440);
  Expect(StreamError({{"code", "503"}}), DisconnectKind::kTransient, 503);
  Expect(StreamError({{"code", "401"}}), DisconnectKind::kLoggedOut, 401);
  Expect(StreamError({{"code", "500"}}, {Node("bad-session")}), DisconnectKind::kTransient, 500);
  Expect(StreamError({}, {Node("unknown")}), DisconnectKind::kTransient, 500);
  Expect(StreamError({{"code", "x"}}), DisconnectKind::kTransient, 500);
  EXPECT_EQ(ClassifyStanza(StreamError({}, {Node("ack")}))->reason, "stream error 500 (ack)");
}

TEST(Disconnect, Failures) {
  Expect(Node("failure", {{"reason", "401"}}), DisconnectKind::kLoggedOut, 401);
  Expect(Node("failure", {{"reason", "403"}}), DisconnectKind::kLoggedOut, 403);
  Expect(Node("failure", {{"reason", "406"}}), DisconnectKind::kLoggedOut, 406);
  Expect(Node("failure", {{"reason", "405"}}), DisconnectKind::kTransient, 405);
  Expect(Node("failure", {{"reason", "503"}}), DisconnectKind::kTransient, 503);
  Expect(Node("failure"), DisconnectKind::kTransient, 500);
}

TEST(Disconnect, OtherEnds) {
  Expect(Node("xmlstreamend"), DisconnectKind::kTransient, 428);
  Expect(Node("ib", {}, std::vector<Node>{Node("downgrade_webclient")}), DisconnectKind::kTransient,
         411);
  EXPECT_FALSE(ClassifyStanza(Node("ib", {}, std::vector<Node>{Node("offline")})));
  EXPECT_FALSE(ClassifyStanza(Node("message")));
  EXPECT_FALSE(ClassifyStanza(Node("success")));
}

TEST(Disconnect, HandshakeErrors) {
  Disconnect bad = ClassifyHandshakeError(
      base::Unauthenticated("noise: server hello: noise: cert chain: intermediate signature"));
  EXPECT_EQ(bad.kind, DisconnectKind::kBadServer);
  EXPECT_NE(bad.reason.find("server certificate rejected"), std::string::npos);
  EXPECT_EQ(ClassifyHandshakeError(base::DataLoss("noise: server hello: bad static")).kind,
            DisconnectKind::kTransient);
}

TEST(Disconnect, KindNames) {
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kLoggedOut), "logged-out");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kReplaced), "replaced");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kRestartRequired), "restart-required");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kQrExhausted), "qr-exhausted");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kBadServer), "bad-server");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kClosed), "closed");
  EXPECT_EQ(DisconnectKindName(DisconnectKind::kTransient), "transient");
}

}  // namespace
}  // namespace wa::client
