// The routes in-process: a Router with AddRoutes over the memory store, each
// request run on an io_context the way the Server runs it.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <regex>

#include "api/api.h"
#include "api/validate.h"
#include "http/url.h"
#include "store/memory/memory_store.h"

namespace api {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

constexpr char kKey[] = "test-key-0123456789";
constexpr char kChatA[] = "15550100001@s.whatsapp.net";
constexpr char kChatB[] = "15550100002@s.whatsapp.net";
constexpr char kGroup[] = "120363012345678901@g.us";

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  json::value json;
  http::Response raw;
};

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() { AddRoutes(router_, {service_, guard_, metrics_, "http://127.0.0.1:3000"}); }

  ~RoutesTest() override { pool_.join(); }

  Reply Call(bhttp::verb verb, const std::string& target, std::string body = "",
             std::map<std::string, std::string> headers = {{"x-api-key", kKey}}) {
    http::Request req{verb, target, 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() && !req.count(bhttp::field::content_type)) {
      req.set(bhttp::field::content_type, "application/json");
    }
    req.body() = std::move(body);
    req.prepare_payload();
    http::Target t = http::SplitTarget(target);
    http::RouteMatch match = router_.Match(verb, t.path);
    Reply reply;
    if (match.kind != http::RouteMatch::Kind::kHandler) {
      reply.status = 404;
      return reply;
    }
    std::string path = http::PercentDecode(t.path).value_or("");
    http::Context ctx{req,         path,    std::move(match.params), http::Query::Parse(t.query),
                      match.route, "rid-1", io_.get_executor(),      "127.0.0.1:1"};
    auto done = boost::asio::co_spawn(io_, (*match.handler)(ctx), boost::asio::use_future);
    io_.run();
    io_.restart();
    reply.raw = done.get();
    reply.status = reply.raw.result_int();
    reply.content_type = std::string(reply.raw[bhttp::field::content_type]);
    reply.body = reply.raw.body();
    if (reply.content_type.starts_with("application/json")) reply.json = json::parse(reply.body);
    return reply;
  }
  Reply Get(const std::string& target) { return Call(bhttp::verb::get, target); }
  Reply Post(const std::string& target, std::string body = "") {
    return Call(bhttp::verb::post, target, std::move(body));
  }

  void Seed(const std::string& jid, const std::string& id, int64_t ts, bool from_me = false) {
    store::MessageRecord m;
    m.id = id;
    m.jid = jid;
    m.sender = from_me ? "15550100009@s.whatsapp.net" : jid;
    m.from_me = from_me;
    m.type = "text";
    m.content = "text " + id;
    m.timestamp_ms = ts;
    m.status = from_me ? "sent" : "delivered";
    ASSERT_TRUE(store_->SaveMessage("default", m, {"Name " + jid, jid.ends_with("@g.us")}).ok());
  }

  // The messages of a 400 answer.
  static std::vector<std::string> Problems(const Reply& r) {
    std::vector<std::string> out;
    if (r.json.at("message").is_string()) return {std::string(r.json.at("message").as_string())};
    for (const auto& m : r.json.at("message").as_array()) out.emplace_back(m.as_string());
    return out;
  }
  static bool Mentions(const Reply& r, std::string_view needle) {
    for (const auto& m : Problems(r)) {
      if (m.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  boost::asio::io_context io_;
  std::unique_ptr<store::Store> store_ = store::memory::Create();
  boost::asio::thread_pool pool_{2};
  base::FakeClock clock_{1'700'000'000'000};
  // Nothing listens on port 1: every connection attempt is refused at once.
  static service::SessionOptions Unreachable() {
    service::SessionOptions o;
    o.client.url = "ws://127.0.0.1:1/ws/chat";
    o.connect_wait = std::chrono::seconds(10);
    o.auto_connect = false;
    return o;
  }
  service::SessionManager session_{
      boost::asio::make_strand(io_),  pool_, "default", *store_, nullptr, Unreachable(),
      base::SecureRandom::Instance(), clock_};
  service::WhatsappService service_{"default", *store_, pool_, session_, clock_};
  Guard guard_{kKey, "jwt-secret-0123456789abcdef0123", clock_};
  http::Metrics metrics_;
  http::Router router_;
};

TEST_F(RoutesTest, EveryListedRouteIsRegistered) {
  for (const RouteInfo& r : Routes()) {
    http::RouteMatch m = router_.Match(bhttp::string_to_verb(r.method), r.pattern);
    EXPECT_EQ(m.kind, http::RouteMatch::Kind::kHandler) << r.method << " " << r.pattern;
    EXPECT_EQ(m.route, r.pattern);
  }
}

TEST_F(RoutesTest, EveryRouteButHealthNeedsACredential) {
  for (const RouteInfo& r : Routes()) {
    std::string target = r.pattern;
    target = std::regex_replace(target, std::regex(":jid"), kChatA);
    target = std::regex_replace(target, std::regex(":id"), "ABC");
    for (auto headers : std::vector<std::map<std::string, std::string>>{
             {}, {{"x-api-key", "nope"}}, {{"authorization", "Bearer nope"}}}) {
      Reply reply = Call(bhttp::string_to_verb(r.method), target, "", headers);
      if (!r.needs_auth) {
        EXPECT_EQ(reply.status, 200) << target;
        continue;
      }
      EXPECT_EQ(reply.status, 401) << r.method << " " << target;
      EXPECT_EQ(reply.body,
                R"({"statusCode":401,"message":"Unauthorized","error":"Unauthorized"})");
      EXPECT_EQ(reply.raw[bhttp::field::www_authenticate], "Bearer");
    }
  }
}

TEST_F(RoutesTest, BearerKeyIsAccepted) {
  Reply r = Call(bhttp::verb::get, "/whatsapp/chats", "",
                 {{"authorization", std::string("Bearer ") + kKey}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(RoutesTest, HealthReportsTheStore) {
  Reply r = Call(bhttp::verb::get, "/health", "", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok","whatsapp":"closed","store":"ok"})");
  store_->Close();
  r = Call(bhttp::verb::get, "/health", "", {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"error","whatsapp":"closed","store":"error"})");
}

TEST_F(RoutesTest, MetricsAndOpenApi) {
  Reply m = Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  Reply doc = Get("/docs/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json.at("servers").at(0).at("url"), "http://127.0.0.1:3000");
  EXPECT_EQ(doc.json.at("openapi"), "3.0.3");
}

TEST_F(RoutesTest, ChatsMostRecentFirstWithLimitAndOffset) {
  Seed(kChatA, "A1", 1000);
  Seed(kGroup, "G1", 3000);
  Seed(kChatB, "B1", 2000);
  Reply r = Get("/whatsapp/chats");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array& chats = r.json.as_array();
  ASSERT_EQ(chats.size(), 3u);
  EXPECT_EQ(chats[0].at("jid"), kGroup);
  EXPECT_EQ(chats[0].at("isGroup"), true);
  EXPECT_EQ(chats[0].at("name"), json::value(std::string("Name ") + kGroup));
  EXPECT_EQ(chats[0].at("unreadCount"), 1);
  EXPECT_EQ(chats[0].at("lastMessage").at("id"), "G1");
  EXPECT_EQ(chats[0].at("updatedAt"), "1970-01-01T00:00:03.000Z");
  EXPECT_EQ(chats[1].at("jid"), kChatB);
  EXPECT_EQ(chats[2].at("jid"), kChatA);

  r = Get("/whatsapp/chats?limit=1&offset=1");
  ASSERT_EQ(r.json.as_array().size(), 1u);
  EXPECT_EQ(r.json.at(0).at("jid"), kChatB);
  EXPECT_EQ(Get("/whatsapp/chats?offset=10").json.as_array().size(), 0u);
}

TEST_F(RoutesTest, ChatsRejectBadLimitAndOffsetTogether) {
  Reply r = Get("/whatsapp/chats?limit=0&offset=-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error"), "Bad Request");
  EXPECT_EQ(Problems(r),
            (std::vector<std::string>{"limit must be an integer between 1 and 500, got \"0\"",
                                      "offset must be an integer >= 0, got \"-1\""}));
  EXPECT_EQ(Get("/whatsapp/chats?limit=501").status, 400);
  EXPECT_EQ(Get("/whatsapp/chats?limit=abc").status, 400);
  EXPECT_EQ(Get("/whatsapp/chats?limit=500").status, 200);
}

TEST_F(RoutesTest, MessagesPageNewestFirstWithCursor) {
  for (int i = 1; i <= 5; ++i) Seed(kChatA, "M" + std::to_string(i), i * 1000);
  Seed(kChatB, "other", 9000);
  std::vector<std::string> seen;
  std::string target = std::string("/whatsapp/messages/") + kChatA + "?limit=2";
  int pages = 0;
  for (;;) {
    Reply r = Get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    for (const auto& m : r.json.at("items").as_array()) seen.emplace_back(m.at("id").as_string());
    if (r.json.at("nextCursor").is_null()) break;
    target = std::string("/whatsapp/messages/") + kChatA +
             "?limit=2&before=" + std::string(r.json.at("nextCursor").as_string());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"M5", "M4", "M3", "M2", "M1"}));
  EXPECT_EQ(pages, 3);
}

TEST_F(RoutesTest, MessagesPageIsStableWhenNewMessagesArrive) {
  for (int i = 1; i <= 4; ++i) Seed(kChatA, "M" + std::to_string(i), i * 1000);
  Reply first = Get(std::string("/whatsapp/messages/") + kChatA + "?limit=2");
  Seed(kChatA, "M9", 9000);
  Reply second = Get(std::string("/whatsapp/messages/") + kChatA +
                     "?limit=2&before=" + std::string(first.json.at("nextCursor").as_string()));
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.json.at("items").at(0).at("id"), "M2");
  EXPECT_EQ(second.json.at("items").at(1).at("id"), "M1");
}

TEST_F(RoutesTest, MessagesAcceptAPercentEncodedJid) {
  Seed(kChatA, "M1", 1000);
  Reply r = Get("/whatsapp/messages/15550100001%40s.whatsapp.net");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("items").as_array().size(), 1u);
}

TEST_F(RoutesTest, MessagesOfAnUnknownChatAreAnEmptyPage) {
  Reply r = Get(std::string("/whatsapp/messages/") + kChatB);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"items":[],"nextCursor":null})");
}

TEST_F(RoutesTest, MessagesRejectBadInput) {
  Reply r = Get("/whatsapp/messages/15550100001?limit=9999&before=garbage");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Problems(r).size(), 3u) << r.body;
  EXPECT_TRUE(Mentions(r, "jid must be a chat JID"));
  EXPECT_TRUE(Mentions(r, "limit must be"));
  EXPECT_TRUE(Mentions(r, "before must be a cursor"));
}

TEST_F(RoutesTest, MarkReadZeroesUnreadOr404) {
  Seed(kChatA, "M1", 1000);
  Seed(kChatA, "M2", 2000);
  Reply r = Post(std::string("/whatsapp/messages/") + kChatA + "/read");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, std::string(R"({"jid":")") + kChatA + R"(","unreadCount":0})");
  EXPECT_EQ(Get("/whatsapp/chats").json.at(0).at("unreadCount"), 0);

  Reply missing = Post(std::string("/whatsapp/messages/") + kChatB + "/read");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json.at("error"), "Not Found");
  EXPECT_EQ(Post("/whatsapp/messages/nope/read").status, 400);
}

TEST_F(RoutesTest, SessionStatusIsClosed) {
  Reply r = Get("/whatsapp/session/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"instanceName":"default","status":"closed","me":null,"lastDisconnect":null,)"
            R"("since":"2023-11-14T22:13:20.000Z"})");
}

TEST_F(RoutesTest, SendTextValidatesThenNeedsAnOpenSession) {
  Reply r = Post("/whatsapp/message/send/text");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Mentions(r, "to must be a phone number"));
  EXPECT_TRUE(Mentions(r, "text should not be empty"));

  r = Post("/whatsapp/message/send/text", R"({"to":"12","text":5,"quotedId":""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Problems(r).size(), 3u) << r.body;
  EXPECT_TRUE(Mentions(r, "text must be a string"));
  EXPECT_TRUE(Mentions(r, "quotedId must be"));

  // Valid, but nothing is linked: 409 and what to do, nothing stored.
  r = Post("/whatsapp/message/send/text", R"({"to":"+1 555 010 0001","text":"hi"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.json.at("error"), "Conflict");
  EXPECT_TRUE(Mentions(r, "POST /whatsapp/session/connect first")) << r.body;
  EXPECT_EQ(Get("/whatsapp/chats").json.as_array().size(), 0u);
}

TEST_F(RoutesTest, MalformedJsonSaysWhereAndWrongTypeIs415) {
  Reply r = Post("/whatsapp/message/send/text", R"({"to":"15550100001",})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("message"), "Unexpected token } in JSON at position 20");
  EXPECT_EQ(r.json.at("error"), "Bad Request");

  r = Call(bhttp::verb::post, "/whatsapp/message/send/text", "to=1555",
           {{"x-api-key", kKey}, {"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.json.at("error"), "Unsupported Media Type");

  r = Post("/whatsapp/message/send/text", "[1]");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Mentions(r, "body must be a JSON object"));
}

TEST_F(RoutesTest, SendMediaValidates) {
  Reply r = Post("/whatsapp/message/send/media",
                 R"({"to":"15550100001@s.whatsapp.net","mediaUrl":"ftp://x/y","mediaType":"gif",)"
                 R"("mimeType":"jpeg"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Problems(r).size(), 3u) << r.body;
  EXPECT_TRUE(Mentions(r, "mediaUrl must be an http:// or https:// URL"));
  EXPECT_TRUE(Mentions(r, "mediaType must be one of"));
  EXPECT_TRUE(Mentions(r, "mimeType must be a MIME type"));

  r = Post("/whatsapp/message/send/media",
           R"({"to":"120363012345678901@g.us","mediaUrl":"https://example.test/a.jpg",)"
           R"("mediaType":"image","caption":"c","mimeType":"image/jpeg"})");
  EXPECT_EQ(r.status, 409) << r.body;
}

TEST_F(RoutesTest, SessionRoutesValidateThenReportAnUnreachableServer) {
  Reply r = Post("/whatsapp/session/connect", R"({"phoneNumber":"abc"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Mentions(r, "phoneNumber must be a phone number"));
  EXPECT_EQ(Post("/whatsapp/session/disconnect", R"({"logout":"yes"})").status, 400);

  // The refused socket ends the attempt: 503 with the reason, state closed.
  r = Post("/whatsapp/session/connect");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_TRUE(Mentions(r, "WhatsApp connection failed")) << r.body;
  r = Get("/whatsapp/session/status");
  EXPECT_EQ(r.json.at("status"), "closed");
  EXPECT_EQ(r.json.at("lastDisconnect").at("kind"), "transient") << r.body;

  r = Get("/whatsapp/session/qr");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(Mentions(r, "POST /whatsapp/session/connect first")) << r.body;
  r = Post("/whatsapp/session/disconnect", R"({"logout":false})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("status"), "closed");
  EXPECT_EQ(Get("/whatsapp/media/ABC").status, 400);
  EXPECT_EQ(Get("/whatsapp/media/" + std::string(64, 'a') + ".jpg").status, 404);
}

}  // namespace
}  // namespace api
