#include "wa/client/dispatch.h"

#include <gtest/gtest.h>

#include "wa/types/jid.h"

namespace wa::client {
namespace {

using binary::Node;

Node FromServer(Node node) {
  node.SetAttr("from", ServerJid());
  return node;
}

TEST(Dispatch, RoutesEachKind) {
  EXPECT_EQ(RouteStanza(Node("stream:error", {{"code", "515"}})), Route::kEnd);
  EXPECT_EQ(RouteStanza(Node("failure", {{"reason", "401"}})), Route::kEnd);
  EXPECT_EQ(RouteStanza(Node("iq", {{"type", "get"}, {"xmlns", "urn:xmpp:ping"}, {"id", "1"}})),
            Route::kServerPing);
  EXPECT_EQ(RouteStanza(
                Node("iq", {{"type", "set"}, {"id", "1"}}, std::vector<Node>{Node("pair-device")})),
            Route::kPairDevice);
  EXPECT_EQ(RouteStanza(Node("iq", {{"type", "set"}, {"id", "1"}},
                             std::vector<Node>{Node("pair-success")})),
            Route::kPairSuccess);
  EXPECT_EQ(RouteStanza(Node("iq", {{"type", "result"}, {"id", "1"}})), Route::kStrayReply);
  EXPECT_EQ(RouteStanza(Node("iq", {{"type", "set"}, {"xmlns", "w:g2"}, {"id", "1"}})),
            Route::kObserver);
  EXPECT_EQ(RouteStanza(Node("success")), Route::kSuccess);
  EXPECT_EQ(RouteStanza(Node(
                "notification", {{"type", "link_code_companion_reg"}},
                std::vector<Node>{Node("link_code_companion_reg", {{"stage", "primary_hello"}})})),
            Route::kPrimaryHello);
  Node count("notification", {{"type", "encrypt"}}, std::vector<Node>{Node("count")});
  EXPECT_EQ(RouteStanza(FromServer(count)), Route::kPreKeyCount);
  Node identity = count;
  identity.SetAttr("from", Jid("15550100002", "s.whatsapp.net"));
  EXPECT_EQ(RouteStanza(identity), Route::kObserver);
  EXPECT_EQ(RouteStanza(Node("ib", {}, std::vector<Node>{Node("edge_routing")})),
            Route::kEdgeRouting);
  EXPECT_EQ(RouteStanza(Node("ib", {}, std::vector<Node>{Node("offline")})), Route::kObserver);
  EXPECT_EQ(RouteStanza(Node("ib", {}, std::vector<Node>{Node("offline_preview")})),
            Route::kOfflinePreview);
  EXPECT_EQ(RouteStanza(Node("message")), Route::kObserver);
}

}  // namespace
}  // namespace wa::client
