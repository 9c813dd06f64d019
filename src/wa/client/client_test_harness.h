// The loopback harness of the wa/client io tests: a scripted server (Beast
// WebSocket + wa::noise::Responder + the test PKI) playing WhatsApp's part,
// the ClientIo fixture and the stanzas the scripts send. Shared by
// client_test.cc (connection lifecycle) and messaging_io_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdio>
#include <fstream>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/test_cert.h"
#include "store/memory/memory_store.h"
#include "wa/binary/frame.h"
#include "wa/client/prekeys.h"
#include "wa/noise/frame.h"
#include "wa/noise/test_pki.h"
#include "wa/pair/adv.h"
#include "wa/pair/pair_code.h"
#include "wa/pair/qr.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/types/jid.h"

#include "wa/client/client.h"

namespace wa::client::iotest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using binary::Node;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kTestCap = std::chrono::seconds(5);

class MemoryCredsStore final : public CredsStore {
 public:
  base::Result<std::optional<Creds>> LoadCreds() override {
    std::lock_guard lock(mutex_);
    return creds_;
  }
  base::Status SaveCreds(const Creds& creds) override {
    std::lock_guard lock(mutex_);
    creds_ = creds;
    ++saves_;
    return base::Status::Ok();
  }
  base::Status DeleteCredsAndKeys() override {
    std::lock_guard lock(mutex_);
    creds_.reset();
    return base::Status::Ok();
  }
  std::optional<Creds> creds() {
    std::lock_guard lock(mutex_);
    return creds_;
  }
  void Set(Creds creds) {
    std::lock_guard lock(mutex_);
    creds_ = std::move(creds);
  }

 private:
  std::mutex mutex_;
  std::optional<Creds> creds_;
  int saves_ = 0;
};

struct Observer final : ClientObserver {
  void OnConnected(bool is_registering) override { registering = is_registering; }
  void OnQr(const std::string& qr, int64_t expires_at_ms) override {
    qrs.push_back(qr);
    qr_expiry = expires_at_ms;
  }
  void OnPairingCode(const std::string& code, int64_t) override { pairing_code = code; }
  void OnPaired(const Me& me) override { paired = me; }
  void OnOpen(const Me& me) override {
    opened = me;
    if (on_open) on_open();
  }
  void OnStanza(const Node& node) override { stanzas.push_back(node.tag); }

  std::optional<bool> registering;
  std::vector<std::string> qrs;
  int64_t qr_expiry = 0;
  std::string pairing_code;
  std::optional<Me> paired;
  std::optional<Me> opened;
  std::vector<std::string> stanzas;
  std::function<void()> on_open;
};

// Stanzas the scripts send, built outside the coroutines: GCC 12 rejects
// initializer lists inside coroutine bodies ("array used as initializer").
inline Node ResultIq(const std::string& id, std::vector<Node> children) {
  Node reply("iq", {{"type", "result"}, {"id", id}});
  reply.SetAttr("from", ServerJid());
  if (!children.empty()) reply.content = std::move(children);
  return reply;
}

inline std::vector<Node> CountChild(int count) {
  return {Node("count", {{"value", std::to_string(count)}})};
}

inline Node SuccessStanza() {
  Node success("success", {{"t", "1790000000"}});
  success.SetAttr("lid", Jid::WithDevice("100000000000001", "lid", 7));
  return success;
}

inline Node PairDeviceIq() {
  Node refs("pair-device", {},
            std::vector<Node>{Node("ref", {}, std::string("2@REF1")),
                              Node("ref", {}, std::string("2@REF2"))});
  return Node("iq", {{"type", "set"}, {"id", "srv-1"}, {"xmlns", "md"}}, std::vector<Node>{refs});
}

inline Node PairSuccessIq(const std::string& container) {
  Node device("device");
  device.SetAttr("jid", Jid::WithDevice("15550100001", "s.whatsapp.net", 7));
  device.SetAttr("lid", Jid::WithDevice("100000000000001", "lid", 7));
  return Node("iq", {{"type", "set"}, {"id", "srv-2"}, {"xmlns", "md"}},
              std::vector<Node>{
                  Node("pair-success", {},
                       std::vector<Node>{Node("device-identity", {}, binary::Bytes(container)),
                                         Node("platform", {{"name", "android"}}), device})});
}

inline Node StreamError515() { return Node("stream:error", {{"code", "515"}}); }

inline Node ConflictReplaced() {
  return Node("stream:error", {}, std::vector<Node>{Node("conflict", {{"type", "replaced"}})});
}

inline std::string PhoneContainer(const crypto::KeyPair& account, const pair::QrData& qr,
                                  base::Random& random) {
  return pair::BuildDeviceIdentityHmac({.account = account,
                                        .companion_identity = qr.identity_key,
                                        .adv_secret = qr.adv_secret,
                                        .identity = {.raw_id = 1, .timestamp = 1, .key_index = 2}},
                                       random)
      .value();
}

inline Node ServerPing() {
  return Node("iq", {{"type", "get"}, {"xmlns", "urn:xmpp:ping"}, {"id", "s1"}});
}

inline Node EdgeRouting(const std::string& info) {
  return Node(
      "ib", {},
      std::vector<Node>{Node("edge_routing", {},
                             std::vector<Node>{Node("routing_info", {}, binary::Bytes(info))})});
}

inline Node LowPreKeyCount() {
  Node notification("notification", {{"type", "encrypt"}, {"id", "n2"}},
                    std::vector<Node>{Node("count", {{"value", "3"}})});
  notification.SetAttr("from", ServerJid());
  return notification;
}

inline Node StreamError503() { return Node("stream:error", {{"code", "503"}}); }

inline std::vector<Node> PairingRefChildren() {
  return {Node("link_code_companion_reg", {},
               std::vector<Node>{Node("link_code_pairing_ref", {}, binary::Bytes("PREF"))})};
}

inline Node PrimaryHelloNotification(const crypto::PublicKey& account, const std::string& wrapped) {
  Node notification("notification", {{"type", "link_code_companion_reg"}, {"id", "n1"}});
  notification.SetAttr("from", ServerJid());
  notification.AddChild(Node(
      "link_code_companion_reg", {{"stage", "primary_hello"}},
      std::vector<Node>{
          Node("link_code_pairing_ref", {}, binary::Bytes("PREF")),
          Node("primary_identity_pub", {}, binary::Bytes(std::string(account.raw()))),
          Node("link_code_pairing_wrapped_primary_ephemeral_pub", {}, binary::Bytes(wrapped))}));
  return notification;
}

inline std::string BytesOf(const Node& node, std::string_view child) {
  const Node* c = node.GetChild(child);
  return c != nullptr && c->bytes() != nullptr ? c->bytes()->str() : std::string();
}

// The server end of one connection, over TCP or TLS.
template <typename Stream>
class BasicServerConn {
 public:
  template <typename... Args>
  explicit BasicServerConn(Args&&... args) : ws_(std::forward<Args>(args)...) {
    ws_.binary(true);
  }

  asio::awaitable<bool> Accept() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      auto [ec] = co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::server, kTuple);
      if (ec) co_return false;
    }
    auto [ec] = co_await ws_.async_accept(kTuple);
    co_return !ec;
  }

  // The next frame payload; empty when the socket ended.
  asio::awaitable<std::optional<std::string>> ReadFrame() {
    while (frames_.empty()) {
      beast::flat_buffer buffer;
      auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
      (void)n;
      if (ec) co_return std::nullopt;
      auto frames = reader_.Feed(beast::buffers_to_string(buffer.data()));
      if (!frames.ok()) co_return std::nullopt;
      for (auto& f : *frames) frames_.push_back(std::move(f));
    }
    std::string frame = std::move(frames_.front());
    frames_.pop_front();
    co_return frame;
  }

  asio::awaitable<void> WriteFrame(std::string_view payload) {
    std::string frame = noise::EncodeFrame(payload).value();
    co_await ws_.async_write(asio::buffer(frame), kTuple);
  }

  // Up to the ServerHello; the ClientFinish follows in Finish().
  asio::awaitable<bool> Hello(noise::Responder& responder) {
    std::optional<std::string> hello = co_await ReadFrame();
    if (!hello || !responder.ReadClientHello(*hello).ok()) co_return false;
    co_await WriteFrame(responder.WriteServerHello().value());
    co_return true;
  }

  // The client's ClientPayload, after which the transport is up.
  asio::awaitable<std::optional<proto::ClientPayload>> Finish(noise::Responder& responder) {
    std::optional<std::string> finish = co_await ReadFrame();
    if (!finish) co_return std::nullopt;
    base::Result<noise::ClientFinish> done = responder.ReadClientFinish(*finish);
    if (!done.ok()) co_return std::nullopt;
    transport_.emplace(responder.Split().value());
    co_return proto::Parse<proto::ClientPayload>(done->client_payload).value();
  }

  // A frame payload sealed as is (no node encoding): for garbage tests.
  asio::awaitable<void> SendSealed(std::string_view plaintext) {
    co_await WriteFrame(transport_->Encrypt(plaintext).value());
  }

  asio::awaitable<void> Send(const Node& node) {
    std::string sealed = transport_->Encrypt(binary::EncodeFrame(node).value()).value();
    co_await WriteFrame(sealed);
  }

  // The next stanza that is not a keepalive ping; nullopt when the socket ended.
  asio::awaitable<std::optional<Node>> Receive() {
    while (true) {
      std::optional<std::string> frame = co_await ReadFrame();
      if (!frame) co_return std::nullopt;
      Node node = binary::DecodeFrame(transport_->Decrypt(*frame).value()).value();
      if (node.GetAttrText("xmlns") == "w:p") continue;
      co_return node;
    }
  }

  // Receives an iq of `xmlns` and answers it with a result holding `children`.
  asio::awaitable<std::optional<Node>> Answer(std::string_view xmlns,
                                              std::vector<Node> children = {}) {
    std::optional<Node> request = co_await Receive();
    if (!request || request->GetAttrText("xmlns") != xmlns) co_return std::nullopt;
    co_await Send(ResultIq(*request->GetAttrText("id"), std::move(children)));
    co_return request;
  }

 private:
  websocket::stream<Stream> ws_;
  noise::FrameReader reader_ = noise::FrameReader::Server();
  std::deque<std::string> frames_;
  std::optional<noise::Transport> transport_;
};

using ServerConn = BasicServerConn<beast::tcp_stream>;
using TlsServerConn = BasicServerConn<beast::ssl_stream<beast::tcp_stream>>;
using Script = std::function<asio::awaitable<void>(ServerConn&)>;

// Accepts one connection and runs `script` on it. A plain coroutine with
// parameters, not a capturing lambda (see client.cc on GCC 12).
inline asio::awaitable<void> Serve(tcp::acceptor& acceptor, Script script) {
  auto [ec, socket] = co_await acceptor.async_accept(kTuple);
  if (ec) co_return;
  ServerConn conn(std::move(socket));
  if (!co_await conn.Accept()) co_return;
  co_await script(conn);
  // Keep the socket open until the client is done with it.
  while (co_await conn.ReadFrame()) {
  }
}

class ClientIo : public ::testing::Test {
 protected:
  // A destroyed Client posts its Close; run it (and the server's last read)
  // before the io_context goes, which must not destroy live timers.
  // A Run that overran the cap is abandoned instead: its server script may
  // refer to the test body's locals, which are gone.
  void TearDown() override {
    if (!result_) return;
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
  }

  ClientConfig Config() {
    ClientConfig config;
    config.url = "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/ws/chat";
    config.root_public_key = pki_.root.public_key;
    config.connect_timeout = std::chrono::milliseconds(2000);
    config.query_timeout = std::chrono::milliseconds(2000);
    return config;
  }

  // Runs the client against one scripted server connection until Run ends.
  Disconnect RunClient(Client& client, Script script) {
    asio::co_spawn(io_, Serve(acceptor_, std::move(script)), asio::detached);
    asio::co_spawn(io_, client.Run(), [this](std::exception_ptr, Disconnect d) { result_ = d; });
    io_.run_for(kTestCap);
    std::optional<Disconnect> result = result_;
    EXPECT_TRUE(result) << "Client::Run did not end within the cap";
    return result.value_or(Disconnect{DisconnectKind::kTransient, -1, "did not end"});
  }

  std::unique_ptr<Client> NewClient(ClientConfig config) {
    return std::make_unique<Client>(io_.get_executor(), blocking_, std::move(config), creds_,
                                    *keys_, "inst", observer_, random_);
  }

  std::unique_ptr<Client> NewMessagingClient(ClientConfig config, MessagingState& state,
                                             MessageSink& sink) {
    return std::make_unique<Client>(io_.get_executor(), blocking_, std::move(config), creds_,
                                    *keys_, "inst", observer_, random_,
                                    base::SystemClock::Instance(), &state, &sink);
  }

  Creds LoggedInCreds() {
    Creds creds = NewCreds(random_).value();
    creds.registered = true;
    creds.me = Me{.jid = "15550100001:7@s.whatsapp.net", .lid = "", .name = ""};
    return creds;
  }

  // Handshake, <success>, the four init queries answered (count = 0 so the
  // 812 pre-keys are uploaded).
  static asio::awaitable<bool> LoginScript(ServerConn& conn, noise::Responder& responder,
                                           std::optional<proto::ClientPayload>* payload) {
    if (!co_await conn.Hello(responder)) co_return false;
    *payload = co_await conn.Finish(responder);
    if (!*payload) co_return false;
    co_await conn.Send(SuccessStanza());
    if (!co_await conn.Answer("encrypt", CountChild(0))) co_return false;
    std::optional<Node> upload = co_await conn.Answer("encrypt");
    if (!upload || upload->GetChild("list") == nullptr ||
        upload->GetChild("list")->GetChildren("key").size() != 812) {
      co_return false;
    }
    if (!co_await conn.Answer("passive")) co_return false;
    std::vector<Node> digest(1, Node("digest"));
    if (!co_await conn.Answer("encrypt", std::move(digest))) co_return false;
    // Then, with OnOpen, the unified session marker (§7.2 step 5).
    std::optional<Node> unified = co_await conn.Receive();
    co_return unified && unified->tag == "ib" && unified->GetChild("unified_session") != nullptr;
  }

  asio::io_context io_;
  // Where Run's result lands: a member, since a Run that overruns the cap
  // completes later, in TearDown.
  std::optional<Disconnect> result_;
  asio::thread_pool blocking_{1};
  noise::testing::TestPki pki_;
  tcp::acceptor acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
  MemoryCredsStore creds_;
  std::unique_ptr<store::Store> keys_ = store::memory::Create();
  Observer observer_;
  base::SeededRandom random_{99};
};

using TestCert = base::testing::SelfSignedCert;

}  // namespace wa::client::iotest
