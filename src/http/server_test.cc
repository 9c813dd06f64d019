// In-process tests of http::Server on 127.0.0.1 with an ephemeral port. The
// server runs on two io_context threads; the test thread talks to it with
// TestClient, whose every operation has a deadline.
#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/metrics.h"
#include "http/responses.h"
#include "http/router.h"
#include "http/test_client.h"

namespace http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::MakeRequest;
using ::testing::StartsWith;
using testing::TestClient;

#define ASSERT_NO_EC(expr)                        \
  do {                                            \
    const boost::system::error_code ec_ = (expr); \
    ASSERT_FALSE(ec_) << ec_.message();           \
  } while (0)

// A one-way event a test can wait for with a deadline.
class Signal {
 public:
  void Notify() {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [this] { return count_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// Re-checks `predicate` until it holds or `deadline` passes.
template <typename Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

Response Text(std::string body) {
  Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

asio::awaitable<void> Sleep(const asio::any_io_executor& executor,
                            std::chrono::milliseconds duration) {
  asio::steady_timer timer(executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(bhttp::verb::get, "/hello",
                [](Context&) -> asio::awaitable<Response> { co_return Text("hello"); });
    router_.Add(bhttp::verb::get, "/echo/:word", [](Context& ctx) -> asio::awaitable<Response> {
      if (auto delay = ctx.query.Get("delay")) {
        co_await Sleep(ctx.executor, std::chrono::milliseconds(std::stoi(*delay)));
      }
      co_return Text(ctx.params.Get("word").value_or("?") + "|" + ctx.query.Get("q").value_or(""));
    });
    router_.Add(bhttp::verb::post, "/body", [](Context& ctx) -> asio::awaitable<Response> {
      co_return Text(std::to_string(ctx.req.body().size()));
    });
    router_.Add(bhttp::verb::get, "/throw", [](Context&) -> asio::awaitable<Response> {
      throw std::runtime_error("store exploded");
      co_return Text("unreachable");
    });
    router_.Add(bhttp::verb::get, "/id",
                [](Context& ctx) -> asio::awaitable<Response> { co_return Text(ctx.request_id); });
    router_.Add(bhttp::verb::get, "/slow", [this](Context& ctx) -> asio::awaitable<Response> {
      slow_started_.Notify();
      co_await Sleep(ctx.executor, 300ms);
      co_return Text("slow done");
    });
    router_.Add(bhttp::verb::get, "/hang", [this](Context& ctx) -> asio::awaitable<Response> {
      slow_started_.Notify();
      co_await Sleep(ctx.executor, 30s);
      co_return Text("hang done");
    });
  }

  static ServerOptions FastOptions() {
    ServerOptions o;
    o.port = 0;
    o.header_timeout = 2s;
    o.body_timeout = 2s;
    o.idle_timeout = 2s;
    o.write_timeout = 2s;
    o.shutdown_grace = 2s;
    return o;
  }

  void StartServer(ServerOptions options = FastOptions()) {
    server_ = std::make_unique<Server>(io_, std::move(options), router_, metrics_);
    base::Result<uint16_t> port = server_->Listen();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    ASSERT_NE(port_, 0);
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  // Stop, then wait for its callback, up to `deadline`.
  bool StopAndWait(std::chrono::milliseconds deadline) {
    auto stopped = std::make_shared<std::promise<void>>();
    std::future<void> future = stopped->get_future();
    server_->Stop([stopped] { stopped->set_value(); });
    return future.wait_for(deadline) == std::future_status::ready;
  }

  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(StopAndWait(5s)) << "server did not stop";
    }
    server_.reset();
    work_.reset();
    // Every coroutine has ended by now, so run() returns on its own; stop()
    // is the bound in case a test left something behind.
    if (!WaitUntil([this] { return io_.stopped(); }, 2s)) io_.stop();
    for (auto& t : threads_) t.join();
  }

  // Sends `req` on a new connection and reads the answer.
  Response Fetch(Request req) {
    TestClient client;
    Response res;
    EXPECT_FALSE(client.Connect(port_));
    EXPECT_FALSE(client.Write(std::move(req)));
    EXPECT_FALSE(client.Read(res));
    return res;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  Signal slow_started_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  for (int i = 0; i < 2; ++i) {
    ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::get, "/hello")));
    Response res;
    ASSERT_NO_EC(client.Read(res));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "hello");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(server_->connection_count(), 1u);
  EXPECT_TRUE(WaitUntil([&] { return metrics_.RequestCount("/hello", "GET", 200) == 2; }, 2s));
  EXPECT_EQ(metrics_.open_connections(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  // The first answer is slower; the second must still come after it.
  ASSERT_NO_EC(
      client.WriteRaw("GET /echo/first?delay=100 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /echo/second?q=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  Response first, second;
  ASSERT_NO_EC(client.Read(first));
  ASSERT_NO_EC(client.Read(second));
  EXPECT_EQ(first.body(), "first|");
  EXPECT_EQ(second.body(), "second|2");
}

TEST_F(ServerTest, HandlerSeesDecodedParamsAndQuery) {
  StartServer();
  const Response res = Fetch(MakeRequest(bhttp::verb::get, "/echo/a%20b%2Fc?q=x+y%26z"));
  EXPECT_EQ(res.body(), "a b/c|x y&z");
}

TEST_F(ServerTest, BigContentLengthIsRefusedWith413BeforeTheBody) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(
      client.WriteRaw("POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 10485760\r\n\r\n"));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(
      res.body(),
      R"({"statusCode":413,"message":"request entity too large","error":"Payload Too Large"})");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=utf-8");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitGets413) {
  ServerOptions options = FastOptions();
  options.body_limit = 1024;
  StartServer(options);
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  const std::string chunk(2000, 'x');
  ASSERT_NO_EC(
      client.WriteRaw("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "7d0\r\n" +
                      chunk + "\r\n0\r\n\r\n"));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, BodyWithinTheLimitReachesTheHandler) {
  StartServer();
  Request req = MakeRequest(bhttp::verb::post, "/body");
  req.body() = std::string(1000, 'b');
  EXPECT_EQ(Fetch(std::move(req)).body(), "1000");
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions options = FastOptions();
  options.header_limit = 1024;
  StartServer(options);
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.WriteRaw(
      "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n"));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(res.body(), R"({"statusCode":431,"message":"Request Header Fields Too Large",)"
                        R"("error":"Request Header Fields Too Large"})");
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
  StartServer();
  for (const char* garbage : {"GET /hello HTTP/1.1\r\nNo colon here\r\n\r\n",
                              "\x01\x02\x03 / HTTP/1.1\r\n\r\n", "GET /hello HTTP/7.x\r\n\r\n"}) {
    TestClient client;
    ASSERT_NO_EC(client.Connect(port_));
    ASSERT_NO_EC(client.WriteRaw(garbage));
    Response res;
    ASSERT_NO_EC(client.Read(res));
    EXPECT_EQ(res.result_int(), 400) << garbage;
    EXPECT_THAT(res.body(), StartsWith(R"({"statusCode":400,"message":"Malformed request: )"));
    EXPECT_THAT(res.body(), HasSubstr(R"("error":"Bad Request"})"));
    EXPECT_TRUE(client.WaitForClose(3s));
  }
}

TEST_F(ServerTest, HandlerExceptionGives500AndKeepsTheConnection) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::get, "/throw")));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res.body(), R"({"statusCode":500,"message":"Internal server error"})");
  ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::get, "/hello")));
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.body(), "hello");
  EXPECT_TRUE(WaitUntil([&] { return metrics_.RequestCount("/throw", "GET", 500) == 1; }, 2s));
  EXPECT_EQ(metrics_.in_flight(), 0);
}

TEST_F(ServerTest, UnknownRouteAndWrongMethodGetNestJs404) {
  StartServer();
  Response res = Fetch(MakeRequest(bhttp::verb::get, "/nope?x=1"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(),
            R"({"statusCode":404,"message":"Cannot GET /nope?x=1","error":"Not Found"})");
  res = Fetch(MakeRequest(bhttp::verb::post, "/hello"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), R"({"statusCode":404,"message":"Cannot POST /hello","error":"Not Found"})");
  EXPECT_TRUE(WaitUntil(
      [&] { return metrics_.RequestCount(Metrics::kUnmatchedRoute, "POST", 404) == 1; }, 2s));
}

TEST_F(ServerTest, MalformedEscapeInPathGets400) {
  StartServer();
  const Response res = Fetch(MakeRequest(bhttp::verb::get, "/echo/%zz"));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.body(),
            R"({"statusCode":400,"message":"Failed to decode param '%zz'","error":"Bad Request"})");
}

TEST_F(ServerTest, RequestIdIsEchoedWhenSaneAndGeneratedOtherwise) {
  StartServer();
  Request req = MakeRequest(bhttp::verb::get, "/id");
  req.set("x-request-id", "abc-123_X.y");
  Response res = Fetch(req);
  EXPECT_EQ(res["x-request-id"], "abc-123_X.y");
  EXPECT_EQ(res.body(), "abc-123_X.y");

  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const std::string& bad : {std::string(65, 'a'), std::string("a$b"), std::string("")}) {
    Request r = MakeRequest(bhttp::verb::get, "/id");
    if (!bad.empty()) r.set("x-request-id", bad);
    res = Fetch(r);
    const std::string id(res["x-request-id"]);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_EQ(res.body(), id);
  }
  // Also on responses the server makes itself.
  res = Fetch(MakeRequest(bhttp::verb::get, "/nope"));
  EXPECT_TRUE(std::regex_match(std::string(res["x-request-id"]), uuid));
  EXPECT_NE(Fetch(MakeRequest(bhttp::verb::get, "/id")).body(),
            Fetch(MakeRequest(bhttp::verb::get, "/id")).body());
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsAnsweredAndClosed) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.WriteRaw("GET /hello HTTP/1.0\r\n\r\n"));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.version(), 10u);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, Http10KeepAliveIsHonoured) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  for (int i = 0; i < 2; ++i) {
    ASSERT_NO_EC(client.WriteRaw("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    Response res;
    ASSERT_NO_EC(client.Read(res));
    EXPECT_EQ(res.body(), "hello");
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.WriteRaw(
      "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim;
  ASSERT_NO_EC(client.ReadRaw(25, interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_NO_EC(client.WriteRaw("hello"));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.body(), "5");
}

TEST_F(ServerTest, HeadAnswersHeadersWithoutBody) {
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::head, "/hello")));
  Response res;
  ASSERT_NO_EC(client.Read(res, /*head=*/true));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_length], "5");
  EXPECT_EQ(res.body(), "");
  // Nothing stray follows the headers: the next answer parses cleanly.
  ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::get, "/hello")));
  ASSERT_NO_EC(client.Read(res));
  EXPECT_EQ(res.body(), "hello");
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  ServerOptions options = FastOptions();
  options.idle_timeout = 200ms;
  StartServer(options);
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.Write(MakeRequest(bhttp::verb::get, "/hello")));
  Response res;
  ASSERT_NO_EC(client.Read(res));
  EXPECT_TRUE(client.WaitForClose(3s));
  EXPECT_TRUE(WaitUntil([&] { return server_->connection_count() == 0; }, 2s));
}

TEST_F(ServerTest, IncompleteHeaderTimesOut) {
  ServerOptions options = FastOptions();
  options.header_timeout = 200ms;
  StartServer(options);
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(client.WriteRaw("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, ConnectionsPastTheLimitGet503) {
  ServerOptions options = FastOptions();
  options.max_connections = 1;
  StartServer(options);
  TestClient first;
  ASSERT_NO_EC(first.Connect(port_));
  ASSERT_NO_EC(first.Write(MakeRequest(bhttp::verb::get, "/hello")));
  Response res;
  ASSERT_NO_EC(first.Read(res));  // the first connection is registered now

  TestClient second;
  ASSERT_NO_EC(second.Connect(port_));
  std::string raw;
  EXPECT_EQ(second.ReadUntilClose(raw), boost::asio::error::eof);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(raw, HasSubstr(R"({"statusCode":503,"message":"Too many connections",)"
                             R"("error":"Service Unavailable"})"));
}

TEST_F(ServerTest, StopFinishesInFlightRequestClosesIdleAndRefusesNew) {
  ServerOptions options = FastOptions();
  options.shutdown_grace = 5s;
  StartServer(options);

  TestClient idle;
  ASSERT_NO_EC(idle.Connect(port_));
  ASSERT_NO_EC(idle.Write(MakeRequest(bhttp::verb::get, "/hello")));
  Response res;
  ASSERT_NO_EC(idle.Read(res));

  TestClient busy;
  ASSERT_NO_EC(busy.Connect(port_));
  ASSERT_NO_EC(busy.Write(MakeRequest(bhttp::verb::get, "/slow")));
  ASSERT_TRUE(slow_started_.WaitFor(3s));

  auto stopped = std::make_shared<std::promise<void>>();
  std::future<void> stopped_future = stopped->get_future();
  server_->Stop([stopped] { stopped->set_value(); });

  // The idle connection closes at once, well within the 5 s grace.
  EXPECT_TRUE(idle.WaitForClose(2s));
  // The in-flight request completes, told that the connection ends.
  ASSERT_NO_EC(busy.Read(res));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "slow done");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(busy.WaitForClose(2s));
  EXPECT_EQ(stopped_future.wait_for(3s), std::future_status::ready);

  TestClient late;
  EXPECT_TRUE(late.Connect(port_)) << "connect after Stop should be refused";
}

TEST_F(ServerTest, StopForceClosesWhatOutlivesTheGrace) {
  ServerOptions options = FastOptions();
  options.shutdown_grace = 200ms;
  StartServer(options);
  TestClient busy;
  ASSERT_NO_EC(busy.Connect(port_));
  ASSERT_NO_EC(busy.Write(MakeRequest(bhttp::verb::get, "/hang")));
  ASSERT_TRUE(slow_started_.WaitFor(3s));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(StopAndWait(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(busy.WaitForClose(2s));
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_EQ(metrics_.in_flight(), 0);
}

TEST_F(ServerTest, StopWithoutConnectionsCompletesAtOnce) {
  StartServer();
  EXPECT_TRUE(StopAndWait(1s));
  EXPECT_TRUE(StopAndWait(1s)) << "a second Stop calls back too";
}

TEST_F(ServerTest, UpgradeHandlerReceivesTheSocketAndBufferedBytes) {
  router_.AddUpgrade("/socket.io",
                     [](beast::tcp_stream stream, Request req,
                        beast::flat_buffer buffer) -> asio::awaitable<void> {
                       const std::string reply =
                           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                           "Upgrade\r\n\r\n" +
                           std::string(req.target()) + "|" +
                           beast::buffers_to_string(buffer.data());
                       co_await asio::async_write(stream, asio::buffer(reply), asio::use_awaitable);
                       boost::system::error_code ec;
                       stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
                     });
  StartServer();
  TestClient client;
  ASSERT_NO_EC(client.Connect(port_));
  ASSERT_NO_EC(
      client.WriteRaw("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\nFRAME"));
  std::string raw;
  EXPECT_EQ(client.ReadUntilClose(raw), boost::asio::error::eof);
  EXPECT_EQ(raw,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            "/socket.io/?EIO=4&transport=websocket|FRAME");
  EXPECT_TRUE(WaitUntil([&] { return server_->connection_count() == 0; }, 2s));
}

TEST_F(ServerTest, ListenReportsABusyPort) {
  StartServer();
  ServerOptions options = FastOptions();
  options.port = port_;
  Server second(io_, options, router_, metrics_);
  base::Result<uint16_t> port = second.Listen();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), base::Code::kUnavailable);
  EXPECT_THAT(port.status().message(), HasSubstr("listen 127.0.0.1:"));
}

}  // namespace
}  // namespace http
