#include "http/router.h"

#include <gtest/gtest.h>

namespace http {
namespace {

namespace bhttp = boost::beast::http;
using Kind = RouteMatch::Kind;

Handler Noop() {
  return [](Context&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(bhttp::verb::get, "/health", Noop());
    router_.Add(bhttp::verb::get, "/", Noop());
    router_.Add(bhttp::verb::get, "/whatsapp/messages/:jid", Noop());
    router_.Add(bhttp::verb::post, "/whatsapp/messages/:jid/read", Noop());
    router_.Add(bhttp::verb::get, "/whatsapp/messages/me", Noop());
    router_.Add(bhttp::verb::get, "/a/b/c", Noop());
    router_.Add(bhttp::verb::get, "/a/:x/d", Noop());
    router_.Add(bhttp::verb::get, "/p/:one/q/:two", Noop());
    router_.AddUpgrade(
        "/socket.io/",
        [](boost::beast::tcp_stream, Request,
           boost::beast::flat_buffer) -> boost::asio::awaitable<void> { co_return; });
  }
  Router router_;
};

TEST_F(RouterTest, MatchesStaticRoutes) {
  RouteMatch m = router_.Match(bhttp::verb::get, "/health");
  EXPECT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.route, "/health");
  EXPECT_NE(m.handler, nullptr);
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/").route, "/");
}

TEST_F(RouterTest, CapturesAndDecodesParams) {
  RouteMatch m = router_.Match(bhttp::verb::get, "/whatsapp/messages/15550100001%40s.whatsapp.net");
  ASSERT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.route, "/whatsapp/messages/:jid");
  EXPECT_EQ(m.params.Get("jid"), "15550100001@s.whatsapp.net");

  m = router_.Match(bhttp::verb::get, "/p/1/q/two%20words");
  ASSERT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.params.Get("one"), "1");
  EXPECT_EQ(m.params.Get("two"), "two words");
}

TEST_F(RouterTest, EncodedSlashStaysInsideTheParam) {
  RouteMatch m = router_.Match(bhttp::verb::get, "/whatsapp/messages/a%2Fb");
  ASSERT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.params.Get("jid"), "a/b");
}

TEST_F(RouterTest, StaticSegmentBeatsParam) {
  RouteMatch m = router_.Match(bhttp::verb::get, "/whatsapp/messages/me");
  EXPECT_EQ(m.route, "/whatsapp/messages/me");
  EXPECT_TRUE(m.params.empty());
}

TEST_F(RouterTest, BacktracksFromStaticToParam) {
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/a/b/c").route, "/a/b/c");
  RouteMatch m = router_.Match(bhttp::verb::get, "/a/b/d");
  ASSERT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.route, "/a/:x/d");
  EXPECT_EQ(m.params.Get("x"), "b");
}

TEST_F(RouterTest, StaticRouteForAnotherMethodFallsBackToParamRoute) {
  // POST exists only as "/whatsapp/messages/:jid/read": "me" is a jid here.
  RouteMatch m = router_.Match(bhttp::verb::post, "/whatsapp/messages/me/read");
  ASSERT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.params.Get("jid"), "me");
}

TEST_F(RouterTest, UnknownPathAndWrongMethodAreNotFound) {
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/nope").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::post, "/health").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/whatsapp/messages").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/whatsapp/messages/a/b").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "*").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "http://x/health").kind, Kind::kNotFound);
}

TEST_F(RouterTest, EmptySegmentDoesNotMatchAParam) {
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/whatsapp/messages//").kind, Kind::kNotFound);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/p//q/x").kind, Kind::kNotFound);
}

TEST_F(RouterTest, IgnoresOneTrailingSlash) {
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/health/").route, "/health");
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/health//").kind, Kind::kNotFound);
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  RouteMatch m = router_.Match(bhttp::verb::head, "/health");
  EXPECT_EQ(m.kind, Kind::kHandler);
  EXPECT_EQ(m.route, "/health");
}

TEST_F(RouterTest, MalformedEscapeIsBadRequest) {
  RouteMatch m = router_.Match(bhttp::verb::get, "/whatsapp/messages/%zz");
  EXPECT_EQ(m.kind, Kind::kBadRequest);
  EXPECT_EQ(m.message, "Failed to decode param '%zz'");
}

TEST_F(RouterTest, UpgradePrefixMatchesAtSegmentBoundary) {
  for (const char* path : {"/socket.io", "/socket.io/", "/socket.io/x/y"}) {
    RouteMatch m = router_.Match(bhttp::verb::get, path);
    EXPECT_EQ(m.kind, Kind::kUpgrade) << path;
    EXPECT_NE(m.upgrade, nullptr);
    EXPECT_EQ(m.route, "/socket.io");
  }
  EXPECT_EQ(router_.Match(bhttp::verb::post, "/socket.io/").kind, Kind::kUpgrade);
  EXPECT_EQ(router_.Match(bhttp::verb::get, "/socket.iox").kind, Kind::kNotFound);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  Router router;
  router.Add(bhttp::verb::get, "/x/:id", Noop());
  EXPECT_DEATH(router.Add(bhttp::verb::get, "/x/:id", Noop()), "");
  EXPECT_DEATH(router.Add(bhttp::verb::get, "x", Noop()), "");
  EXPECT_DEATH(router.Add(bhttp::verb::get, "/x/:", Noop()), "");
}

}  // namespace
}  // namespace http
