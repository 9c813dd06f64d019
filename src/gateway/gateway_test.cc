// The gateway in-process, end to end: the real http::Server on port 0 with
// the memory store, events published straight into the EventBus, and raw
// Engine.IO clients (HTTP long-polling via http::testing::TestClient, and a
// Beast WebSocket client) checking the wire format byte for byte.
// socket.io-client itself is exercised by tests/socketio (node).
#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <thread>

#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/test_client.h"
#include "store/memory/memory_store.h"

namespace gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using namespace std::chrono_literals;

constexpr char kKey[] = "test-key-0123456789";

// Waits for `pred` with a deadline, never a bare sleep.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds deadline = 5s) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

class WsClient {
 public:
  explicit WsClient(std::chrono::milliseconds timeout = 5s) : timeout_(timeout) {}

  error_code Connect(uint16_t port, const std::string& target) {
    error_code result;
    beast::get_lowest_layer(ws_).expires_after(timeout_);
    beast::get_lowest_layer(ws_).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), result);
    if (result) return result;
    return Run([&](auto done) { ws_.async_handshake("127.0.0.1", target, done); });
  }
  // The next message (text, or binary prefixed with "BIN:"); nullopt on
  // close, error or timeout.
  std::optional<std::string> Read() {
    buffer_.clear();
    error_code ec =
        Run([&](auto done) { ws_.async_read(buffer_, [done](error_code e, size_t) { done(e); }); });
    if (ec) {
      last_error_ = ec;
      return std::nullopt;
    }
    std::string s = beast::buffers_to_string(buffer_.data());
    return ws_.got_binary() ? "BIN:" + s : s;
  }
  // Skips pings (answering them) until a non-ping message.
  std::optional<std::string> ReadSkippingPings() {
    for (;;) {
      auto m = Read();
      if (!m || *m != "2") return m;
      Send("3");
    }
  }
  error_code Send(const std::string& text) {
    ws_.text(true);
    return Run([&](auto done) {
      ws_.async_write(asio::buffer(text), [done](error_code e, size_t) { done(e); });
    });
  }
  error_code last_error() const { return last_error_; }
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  template <typename Start>
  error_code Run(Start start) {
    error_code result = asio::error::timed_out;
    bool finished = false;
    start([&](error_code ec) {
      result = ec;
      finished = true;
    });
    io_.restart();
    io_.run_for(timeout_);
    if (!finished) {
      beast::get_lowest_layer(ws_).close();
      io_.restart();
      io_.run_for(1s);
    }
    return result;
  }

  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_{io_};
  beast::flat_buffer buffer_;
  error_code last_error_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void StartServer(GatewayOptions options = {}) {
    bus_ = std::make_unique<service::EventBus>("inst", *store_, clock_);
    ASSERT_TRUE(bus_->Init().ok());
    gateway_ = std::make_unique<Gateway>(io_, std::move(options), *bus_, blocking_,
                                         [](std::string_view t) { return t == kKey; });
    gateway_->Start();
    router_.AddUpgrade("/socket.io", gateway_->Handler());
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.shutdown_grace = 1s;
    server_ = std::make_unique<http::Server>(io_, server_options, router_, metrics_);
    auto port = server_->Listen();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (gateway_) {
      std::atomic<bool> done{false};
      gateway_->Stop([&] { server_->Stop([&] { done = true; }); });
      EXPECT_TRUE(Eventually([&] { return done.load(); }, 10s));
    }
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    blocking_.join();
  }

  int64_t Publish(std::string_view name, std::string_view payload) {
    auto e = bus_->Publish(name, payload);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? (*e)->seq : 0;
  }

  // One HTTP request on a fresh connection: status and body.
  std::pair<unsigned, std::string> Http(bhttp::verb method, const std::string& target,
                                        const std::string& body = "",
                                        std::optional<std::string> api_key = std::nullopt) {
    http::testing::TestClient client(10s);
    EXPECT_FALSE(client.Connect(port_));
    http::Request req = http::testing::MakeRequest(method, target);
    if (api_key) req.set("x-api-key", *api_key);
    if (!body.empty()) {
      req.set(bhttp::field::content_type, "text/plain;charset=UTF-8");
      req.body() = body;
      req.prepare_payload();
    }
    EXPECT_FALSE(client.Write(std::move(req)));
    http::Response res;
    error_code ec = client.Read(res);
    EXPECT_FALSE(ec) << ec.message();
    return {res.result_int(), res.body()};
  }

  // Polling handshake: the sid.
  std::string Handshake(std::optional<std::string> api_key = std::nullopt) {
    auto [status, body] =
        Http(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling", "", api_key);
    EXPECT_EQ(status, 200u);
    EXPECT_EQ(body.substr(0, 1), "0");
    auto open = boost::json::parse(body.substr(1)).as_object();
    return std::string(open.at("sid").as_string());
  }
  std::string Poll(const std::string& sid) {
    auto [status, body] = Http(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling&sid=" + sid);
    EXPECT_EQ(status, 200u) << body;
    return body;
  }
  void Post(const std::string& sid, const std::string& payload, unsigned expect = 200) {
    auto [status, body] =
        Http(bhttp::verb::post, "/socket.io/?EIO=4&transport=polling&sid=" + sid, payload);
    EXPECT_EQ(status, expect) << body;
  }
  // A WebSocket-only client that has connected to "/".
  std::unique_ptr<WsClient> ConnectWs(const std::string& auth = std::string(R"({"token":")") +
                                                                kKey + "\"}") {
    auto c = std::make_unique<WsClient>();
    EXPECT_FALSE(c->Connect(port_, "/socket.io/?EIO=4&transport=websocket"));
    auto open = c->Read();
    EXPECT_TRUE(open && open->starts_with("0{")) << open.value_or("<none>");
    EXPECT_FALSE(c->Send("40" + auth));
    auto ok = c->ReadSkippingPings();
    EXPECT_TRUE(ok && ok->starts_with("40{\"sid\":")) << ok.value_or("<none>");
    return c;
  }

  std::unique_ptr<store::Store> store_ = store::memory::Create();
  base::FakeClock clock_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  asio::thread_pool blocking_{2};
  std::unique_ptr<service::EventBus> bus_;
  std::unique_ptr<Gateway> gateway_;
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

TEST_F(GatewayTest, PollingHandshakeConnectAndEvent) {
  StartServer();
  auto [status, body] = Http(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling");
  ASSERT_EQ(status, 200u);
  ASSERT_EQ(body[0], '0');
  auto open = boost::json::parse(body.substr(1)).as_object();
  EXPECT_EQ(open.at("sid").as_string().size(), 20u);
  EXPECT_EQ(boost::json::serialize(open.at("upgrades")), R"(["websocket"])");
  EXPECT_EQ(open.at("pingInterval").as_int64(), 25000);
  EXPECT_EQ(open.at("pingTimeout").as_int64(), 20000);
  EXPECT_EQ(open.at("maxPayload").as_int64(), 1000000);
  const std::string sid(open.at("sid").as_string());

  Post(sid, std::string("40{\"token\":\"") + kKey + "\"}");
  const std::string connected = Poll(sid);
  ASSERT_TRUE(connected.starts_with("40{\"sid\":\"")) << connected;

  // A poll waits for the event.
  std::string got;
  std::thread poller([&] { got = Poll(sid); });
  ASSERT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 1; }));
  std::this_thread::sleep_for(50ms);  // let the GET reach the wait
  const int64_t seq = Publish("new-message", R"({"id":"M1","text":"hé"})");
  poller.join();
  EXPECT_EQ(got, "42[\"new-message\",{\"id\":\"M1\",\"text\":\"hé\",\"seq\":" +
                     std::to_string(seq) + "}]");

  // Batched: several events in one payload, separated by 0x1e.
  Publish("chat-update", R"({"jid":"a"})");
  Publish("message-status", R"({"id":"M1","status":"read"})");
  const std::string batch = Poll(sid);
  EXPECT_NE(batch.find("42[\"chat-update\""), std::string::npos);
  EXPECT_NE(batch.find("\x1e"
                       "42[\"message-status\""),
            std::string::npos)
      << batch;
}

TEST_F(GatewayTest, EngineIoErrors) {
  StartServer();
  auto expect = [&](bhttp::verb method, const std::string& target, unsigned status,
                    const std::string& json) {
    auto [got_status, body] = Http(method, target, method == bhttp::verb::post ? "40" : "");
    EXPECT_EQ(got_status, status) << target;
    EXPECT_EQ(body, json) << target;
  };
  expect(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling&sid=nope", 400,
         R"({"code":1,"message":"Session ID unknown"})");
  expect(bhttp::verb::get, "/socket.io/?EIO=3&transport=polling", 400,
         R"({"code":5,"message":"Unsupported protocol version"})");
  expect(bhttp::verb::get, "/socket.io/?transport=polling", 400,
         R"({"code":5,"message":"Unsupported protocol version"})");
  expect(bhttp::verb::get, "/socket.io/?EIO=4&transport=carrier-pigeon", 400,
         R"({"code":0,"message":"Transport unknown"})");
  expect(bhttp::verb::post, "/socket.io/?EIO=4&transport=polling", 400,
         R"({"code":2,"message":"Bad handshake method"})");
  expect(bhttp::verb::get, "/socket.io/?EIO=4&transport=websocket", 400,
         R"({"code":3,"message":"Bad request"})");
  expect(bhttp::verb::get, "/socket.io/other?EIO=4&transport=polling", 400,
         R"({"code":3,"message":"Bad request"})");
}

TEST_F(GatewayTest, AuthFailuresGetConnectErrorAndNoEvents) {
  StartServer({.ping_interval = 200ms, .ping_timeout = 2000ms});
  const std::string sid = Handshake();
  Post(sid, R"(40{"token":"wrong"})");
  EXPECT_EQ(Poll(sid), R"(44{"message":"Unauthorized"})");
  Post(sid, "40");  // no token at all
  EXPECT_EQ(Poll(sid), R"(44{"message":"Unauthorized"})");
  Publish("new-message", R"({"id":"secret"})");
  // The next poll only brings the heartbeat.
  EXPECT_EQ(Poll(sid), "2");
  EXPECT_EQ(gateway_->stats().subscribed, 0u);

  // Another namespace is refused, whatever the credential.
  Post(sid, std::string("40/admin,{\"token\":\"") + kKey + "\"}");
  EXPECT_EQ(Poll(sid), R"(44/admin,{"message":"Invalid namespace"})");

  // The x-api-key header of the handshake is a credential too.
  const std::string sid2 = Handshake(std::string(kKey));
  Post(sid2, "40");
  EXPECT_TRUE(Poll(sid2).starts_with("40{\"sid\":"));
  // And so is ?token=.
  auto [status, body] =
      Http(bhttp::verb::get, std::string("/socket.io/?EIO=4&transport=polling&token=") + kKey);
  ASSERT_EQ(status, 200u);
  const std::string sid3(boost::json::parse(body.substr(1)).at("sid").as_string());
  Post(sid3, "40");
  EXPECT_TRUE(Poll(sid3).starts_with("40{\"sid\":"));
}

TEST_F(GatewayTest, WebSocketOnlyEventsAndAck) {
  StartServer();
  WsClient c;
  ASSERT_FALSE(c.Connect(port_, "/socket.io/?EIO=4&transport=websocket"));
  auto open = c.Read();
  ASSERT_TRUE(open);
  auto o = boost::json::parse(open->substr(1)).as_object();
  EXPECT_EQ(boost::json::serialize(o.at("upgrades")), "[]");
  ASSERT_FALSE(c.Send(std::string("40{\"token\":\"") + kKey + "\"}"));
  auto ok = c.Read();
  ASSERT_TRUE(ok && ok->starts_with("40{\"sid\":\""));
  ASSERT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 1; }));
  const int64_t seq = Publish("connection-update", R"({"status":"open"})");
  EXPECT_EQ(c.Read(),
            "42[\"connection-update\",{\"status\":\"open\",\"seq\":" + std::to_string(seq) + "}]");
  ASSERT_FALSE(c.Send(R"(421["ping"])"));
  EXPECT_EQ(c.Read(), "431[{\"pong\":true,\"seq\":" + std::to_string(seq) + "}]");
  // Binary round trip: BINARY_EVENT in, BINARY_ACK and the attachment out.
  ASSERT_FALSE(c.Send(R"(451-7["echo",{"f":{"_placeholder":true,"num":0}}])"));
  c.ws().binary(true);
  const std::string bytes("\x00\x01\xff", 3);
  error_code ec;
  c.ws().write(asio::buffer(bytes), ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(c.Read(), R"(461-7[{"f":{"_placeholder":true,"num":0}}])");
  EXPECT_EQ(c.Read(), "BIN:" + bytes);
  // Disconnect from "/" stops the events, the Engine.IO session stays.
  ASSERT_FALSE(c.Send("41"));
  ASSERT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 0; }));
  EXPECT_EQ(gateway_->stats().sessions, 1u);
}

TEST_F(GatewayTest, UpgradeFromPollingWithProbe) {
  StartServer();
  const std::string sid = Handshake();
  Post(sid, std::string("40{\"token\":\"") + kKey + "\"}");
  ASSERT_TRUE(Poll(sid).starts_with("40"));
  // A poll is pending when the probe arrives; it is answered with a noop.
  std::string pending;
  std::thread poller([&] { pending = Poll(sid); });
  std::this_thread::sleep_for(50ms);
  WsClient c;
  ASSERT_FALSE(c.Connect(port_, "/socket.io/?EIO=4&transport=websocket&sid=" + sid));
  ASSERT_FALSE(c.Send("2probe"));
  EXPECT_EQ(c.Read(), "3probe");
  poller.join();
  EXPECT_EQ(pending, "6");
  // Polls during the probe get a noop at once.
  EXPECT_EQ(Poll(sid), "6");
  ASSERT_FALSE(c.Send("5"));
  ASSERT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 1; }));
  const int64_t seq = Publish("new-message", R"({"id":"W"})");
  EXPECT_EQ(c.Read(), "42[\"new-message\",{\"id\":\"W\",\"seq\":" + std::to_string(seq) + "}]");
  // Polling is over for this session.
  auto [status, body] = Http(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(status, 400u);
  // A second upgrade of the same session is refused.
  WsClient again;
  EXPECT_TRUE(again.Connect(port_, "/socket.io/?EIO=4&transport=websocket&sid=" + sid));
}

TEST_F(GatewayTest, StalledProbeIsAbandoned) {
  StartServer({.upgrade_timeout = 300ms});
  const std::string sid = Handshake();
  WsClient c;
  ASSERT_FALSE(c.Connect(port_, "/socket.io/?EIO=4&transport=websocket&sid=" + sid));
  ASSERT_FALSE(c.Send("2probe"));
  EXPECT_EQ(c.Read(), "3probe");
  EXPECT_EQ(Poll(sid), "6");  // probing: polls answer at once
  EXPECT_FALSE(c.Read());     // no "5" in time: the probe is closed
  // Polling goes on as before (a ping arrives within ping_interval).
  Post(sid, std::string("40{\"token\":\"") + kKey + "\"}");
  EXPECT_TRUE(Poll(sid).starts_with("40"));
}

TEST_F(GatewayTest, MalformedPacketsCloseCleanly) {
  StartServer();
  {
    auto c = ConnectWs();
    ASSERT_FALSE(c->Send("4garbage"));
    EXPECT_FALSE(c->ReadSkippingPings());  // closed
  }
  {
    WsClient c;
    ASSERT_FALSE(c.Connect(port_, "/socket.io/?EIO=4&transport=websocket"));
    ASSERT_TRUE(c.Read());
    ASSERT_FALSE(c.Send("9"));
    EXPECT_FALSE(c.Read());
  }
  {
    auto c = ConnectWs();
    ASSERT_FALSE(c->Send(R"(451-["x",{"_placeholder":true,"num":0}])"));
    ASSERT_FALSE(c->Send(R"(42["text instead of the attachment"])"));
    EXPECT_FALSE(c->ReadSkippingPings());
  }
  const std::string sid = Handshake();
  Post(sid,
       "4\x1e"
       "9",
       400);
  auto [status, body] = Http(bhttp::verb::get, "/socket.io/?EIO=4&transport=polling&sid=" + sid);
  EXPECT_EQ(status, 400u);  // the session is gone
  EXPECT_TRUE(Eventually([&] { return gateway_->stats().sessions == 0; }));
  // The server is still fine.
  auto c = ConnectWs();
  ASSERT_FALSE(c->Send(R"(421["ping"])"));
  EXPECT_TRUE(c->ReadSkippingPings().value_or("").starts_with("431["));
}

TEST_F(GatewayTest, ReplayThenLiveWithoutGapOrDuplicate) {
  StartServer();
  for (int i = 0; i < 5; ++i) Publish("new-message", R"({"n":0})");
  // Replay from seq 2: events 3, 4, 5 first.
  auto c = ConnectWs(std::string(R"({"token":")") + kKey + R"(","since":2})");
  for (int want = 3; want <= 5; ++want) {
    auto m = c->ReadSkippingPings();
    ASSERT_TRUE(m);
    EXPECT_NE(m->find("\"seq\":" + std::to_string(want) + "}"), std::string::npos) << *m;
  }
  // Under a concurrent publisher, every seq arrives exactly once, in order.
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    while (!stop) {
      Publish("new-message", R"({"n":1})");
      std::this_thread::sleep_for(200us);
    }
  });
  // Several clients connect at different moments of the stream; the race
  // between the replay read and live delivery is hit from both sides.
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(10ms);
    clients.push_back(ConnectWs(std::string(R"({"token":")") + kKey + R"(","since":0})"));
  }
  std::this_thread::sleep_for(30ms);
  stop = true;
  publisher.join();
  const int64_t last = bus_->last_seq();
  for (auto& d : clients) {
    for (int64_t want = 1; want <= last; ++want) {
      auto m = d->ReadSkippingPings();
      ASSERT_TRUE(m) << "missing seq " << want;
      auto v = boost::json::parse(m->substr(2));
      ASSERT_EQ(v.as_array()[1].at("seq").as_int64(), want);
    }
  }
}

TEST_F(GatewayTest, SlowClientIsDroppedOthersUnaffected) {
  StartServer({.max_queue = 8});
  auto slow = ConnectWs();  // never reads from now on
  auto fast = ConnectWs();
  ASSERT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 2; }));
  const std::string big = "{\"blob\":\"" + std::string(256 * 1024, 'x') + "\"}";
  std::atomic<int> received{0};
  std::thread reader([&] {
    while (auto m = fast->Read()) {
      if (m->starts_with("42")) ++received;
      if (received == 100) break;
    }
  });
  for (int i = 0; i < 100; ++i) {
    Publish("new-message", big);
    std::this_thread::sleep_for(1ms);
  }
  reader.join();
  EXPECT_EQ(received.load(), 100);
  EXPECT_TRUE(Eventually([&] { return gateway_->stats().slow_clients == 1; }));
  EXPECT_TRUE(Eventually([&] { return gateway_->stats().subscribed == 1; }));
}

TEST_F(GatewayTest, PingTimeoutClosesSilentClients) {
  StartServer({.ping_interval = 100ms, .ping_timeout = 100ms});
  WsClient silent;
  ASSERT_FALSE(silent.Connect(port_, "/socket.io/?EIO=4&transport=websocket"));
  ASSERT_TRUE(silent.Read());
  EXPECT_EQ(silent.Read(), "2");  // a ping, left unanswered
  EXPECT_FALSE(silent.Read());    // then the server closes
  // A client that pongs stays (the connect timeout does not apply: it connected).
  auto alive = ConnectWs();
  for (int i = 0; i < 5; ++i) {
    auto m = alive->Read();
    ASSERT_EQ(m, "2");
    ASSERT_FALSE(alive->Send("3"));
  }
  EXPECT_EQ(gateway_->stats().sessions, 1u);
}

TEST_F(GatewayTest, CorsForAllowedOriginsOnly) {
  StartServer({.cors_origins = {"https://app.example.test"}});
  auto request = [&](bhttp::verb method, const std::string& origin) {
    http::testing::TestClient client;
    EXPECT_FALSE(client.Connect(port_));
    auto req = http::testing::MakeRequest(method, "/socket.io/?EIO=4&transport=polling");
    req.set(bhttp::field::origin, origin);
    req.set(bhttp::field::access_control_request_headers, "x-api-key");
    EXPECT_FALSE(client.Write(std::move(req)));
    http::Response res;
    EXPECT_FALSE(client.Read(res));
    return res;
  };
  auto allowed = request(bhttp::verb::get, "https://app.example.test");
  EXPECT_EQ(allowed[bhttp::field::access_control_allow_origin], "https://app.example.test");
  EXPECT_EQ(allowed[bhttp::field::access_control_allow_credentials], "true");
  auto other = request(bhttp::verb::get, "https://evil.example.test");
  EXPECT_EQ(other.count(bhttp::field::access_control_allow_origin), 0u);
  auto preflight = request(bhttp::verb::options, "https://app.example.test");
  EXPECT_EQ(preflight.result_int(), 204u);
  EXPECT_EQ(preflight[bhttp::field::access_control_allow_headers], "x-api-key");
  EXPECT_EQ(preflight[bhttp::field::access_control_allow_methods], "GET, POST, OPTIONS");
}

TEST_F(GatewayTest, StopClosesWebSocketsPromptly) {
  StartServer();
  auto a = ConnectWs();
  auto b = ConnectWs();
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};
  gateway_->Stop([&] { done = true; });
  EXPECT_FALSE(a->ReadSkippingPings());
  EXPECT_FALSE(b->ReadSkippingPings());
  EXPECT_TRUE(Eventually([&] { return done.load(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(gateway_->stats().sessions, 0u);
}

}  // namespace
}  // namespace gateway
