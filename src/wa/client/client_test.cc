// Client::Run end to end over loopback: a scripted server in the test
// (Beast WebSocket + wa::noise::Responder + the test PKI) plays WhatsApp's
// part of each flow. Everything runs on one io_context with a 5 s cap.
#include "wa/client/client.h"

#include "wa/client/client_test_harness.h"

namespace wa::client {
namespace {

using namespace iotest;  // NOLINT

TEST_F(ClientIo, WrongRootIsABadServer) {
  ClientConfig config = Config();
  config.root_public_key = pki_.client_static.public_key;  // not the PKI's root
  auto client = NewClient(config);
  noise::Responder responder = pki_.NewResponder();
  Disconnect d = RunClient(
      *client, [&](ServerConn& conn) -> asio::awaitable<void> { co_await conn.Hello(responder); });
  EXPECT_EQ(d.kind, DisconnectKind::kBadServer) << d.reason;
  EXPECT_NE(d.reason.find("cert chain"), std::string::npos) << d.reason;
  EXPECT_FALSE(observer_.registering);
}

TEST_F(ClientIo, RegistersShowsQrPairsRestartsOn515ThenLogsIn) {
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  crypto::KeyPair account = crypto::KeyPair::Generate(random_).value();
  bool script_ok = false;
  std::string signed_identity;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder)) co_return;
    std::optional<proto::ClientPayload> payload = co_await conn.Finish(responder);
    if (!payload || !payload->has_device_pairing_data() || payload->has_username()) co_return;
    co_await conn.Send(PairDeviceIq());
    std::optional<Node> ack = co_await conn.Receive();
    if (!ack || ack->GetAttrText("id") != "srv-1" || ack->GetAttrText("type") != "result") {
      co_return;
    }
    // The QR is shown once the ack went out; scan it like a phone.
    asio::steady_timer wait(co_await asio::this_coro::executor);
    for (int i = 0; i < 100 && observer_.qrs.empty(); ++i) {
      wait.expires_after(std::chrono::milliseconds(10));
      co_await wait.async_wait(kTuple);
    }
    if (observer_.qrs.empty()) co_return;
    pair::QrData qr = pair::ParseQr(observer_.qrs.front()).value();
    if (qr.ref != "2@REF1") co_return;
    co_await conn.Send(PairSuccessIq(PhoneContainer(account, qr, random_)));
    std::optional<Node> sign = co_await conn.Receive();
    if (!sign || sign->GetChild("pair-device-sign") == nullptr) co_return;
    const Node* identity = sign->GetChild("pair-device-sign")->GetChild("device-identity");
    if (identity == nullptr || identity->bytes() == nullptr) co_return;
    signed_identity = identity->bytes()->str();
    // Persisted before the reply was sent.
    std::optional<Creds> stored = creds_.creds();
    if (!stored || !stored->registered) co_return;
    co_await conn.Send(StreamError515());
    script_ok = true;
  });
  EXPECT_TRUE(script_ok);
  EXPECT_EQ(d.kind, DisconnectKind::kRestartRequired) << d.reason;
  EXPECT_EQ(observer_.registering, true);
  ASSERT_FALSE(observer_.qrs.empty());
  EXPECT_GT(observer_.qr_expiry, 0);
  ASSERT_TRUE(observer_.paired);
  EXPECT_EQ(observer_.paired->jid, "15550100001:7@s.whatsapp.net");
  std::optional<Creds> creds = creds_.creds();
  ASSERT_TRUE(creds);
  EXPECT_TRUE(creds->registered);
  EXPECT_EQ(creds->key_index, 2u);
  EXPECT_EQ(creds->platform, "android");
  EXPECT_TRUE(pair::VerifyDeviceIdentityReply(
                  signed_identity, account.public_key,
                  crypto::PublicKey::FromRaw(creds->identity.public_key).value())
                  .ok());

  // What the service does on 515: a new Client on the same creds logs in.
  io_.restart();
  result_.reset();
  auto second = NewClient(Config());
  observer_.on_open = [&] { second->Close(); };
  noise::Responder login_responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> login;
  bool login_ok = false;
  Disconnect again = RunClient(*second, [&](ServerConn& conn) -> asio::awaitable<void> {
    login_ok = co_await LoginScript(conn, login_responder, &login);
  });
  EXPECT_TRUE(login_ok);
  EXPECT_EQ(again.kind, DisconnectKind::kClosed) << again.reason;
  ASSERT_TRUE(login);
  EXPECT_EQ(login->username(), 15550100001u);
  EXPECT_EQ(login->device(), 7u);
  EXPECT_EQ(observer_.registering, false);
  ASSERT_TRUE(observer_.opened);
  EXPECT_EQ(observer_.opened->jid, "15550100001:7@s.whatsapp.net");
}

TEST_F(ClientIo, LogsInRunsInitQueriesOpensAndCloses) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  observer_.on_open = [&] { client->Close(); };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  bool script_ok = false;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    script_ok = co_await LoginScript(conn, responder, &payload);
  });
  EXPECT_TRUE(script_ok);
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(payload);
  EXPECT_EQ(payload->username(), 15550100001u);
  EXPECT_EQ(payload->device(), 7u);
  EXPECT_TRUE(payload->passive());
  EXPECT_EQ(observer_.registering, false);
  ASSERT_TRUE(observer_.opened);
  EXPECT_EQ(observer_.opened->lid, "100000000000001:7@lid");
  std::optional<Creds> creds = creds_.creds();
  EXPECT_EQ(creds->me->lid, "100000000000001:7@lid");
  EXPECT_EQ(creds->next_prekey_id, 813u);
  EXPECT_EQ(creds->first_unuploaded_prekey_id, 813u);
  auto stored = keys_->GetKeys("inst", "pre-key", {"1", "812", "813"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 2u);
}

TEST_F(ClientIo, LogoutRemovesTheDevice) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  observer_.on_open = [&] { client->Logout(); };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> remove;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    remove = co_await conn.Answer("md");
  });
  EXPECT_EQ(d.kind, DisconnectKind::kLoggedOut) << d.reason;
  ASSERT_TRUE(remove);
  const Node* child = remove->GetChild("remove-companion-device");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->GetAttrText("jid"), "15550100001:7@s.whatsapp.net");
  EXPECT_EQ(child->GetAttrText("reason"), "user_initiated");
}

TEST_F(ClientIo, ReplacedConflictEndsTheConnection) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    co_await conn.Send(ConflictReplaced());
  });
  EXPECT_EQ(d.kind, DisconnectKind::kReplaced) << d.reason;
  EXPECT_EQ(d.code, 440);
}

TEST_F(ClientIo, SilentServerIsALostConnection) {
  creds_.Set(LoggedInCreds());
  ClientConfig config = Config();
  config.keepalive_interval = std::chrono::milliseconds(100);
  config.liveness_timeout = std::chrono::milliseconds(300);
  auto client = NewClient(config);
  noise::Responder responder = pki_.NewResponder();
  int pings = 0;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    // Count the pings but never answer: the client must give up.
    while (co_await conn.ReadFrame()) ++pings;
  });
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_EQ(d.reason, "connection lost");
  EXPECT_EQ(d.code, 408);
  EXPECT_GE(pings, 1);
}

TEST_F(ClientIo, QrRefsRunOutAsQrExhausted) {
  ClientConfig config = Config();
  config.qr_first_ttl = std::chrono::milliseconds(60);
  config.qr_next_ttl = std::chrono::milliseconds(30);
  auto client = NewClient(config);
  noise::Responder responder = pki_.NewResponder();
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    co_await conn.Send(PairDeviceIq());
  });
  EXPECT_EQ(d.kind, DisconnectKind::kQrExhausted) << d.reason;
  EXPECT_EQ(d.code, 408);
  ASSERT_EQ(observer_.qrs.size(), 2u);
  EXPECT_EQ(pair::ParseQr(observer_.qrs[0])->ref, "2@REF1");
  EXPECT_EQ(pair::ParseQr(observer_.qrs[1])->ref, "2@REF2");
}

TEST_F(ClientIo, PairingCodeLinksAndRestarts) {
  ClientConfig config = Config();
  config.pairing_phone = "15550100001";
  auto client = NewClient(config);
  noise::Responder responder = pki_.NewResponder();
  crypto::KeyPair account = crypto::KeyPair::Generate(random_).value();
  bool script_ok = false;
  std::string step;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    co_await conn.Send(PairDeviceIq());
    step = "pair-device ack";
    std::optional<Node> ack = co_await conn.Receive();
    if (!ack || ack->GetAttrText("id") != "srv-1") co_return;
    step = "companion_hello";
    std::optional<Node> hello = co_await conn.Answer("md", PairingRefChildren());
    if (!hello) co_return;
    const Node* reg = hello->GetChild("link_code_companion_reg");
    if (reg == nullptr || reg->GetAttrText("stage") != "companion_hello") co_return;
    // Creds with the code were saved before the hello went out.
    std::optional<Creds> stored = creds_.creds();
    if (!stored || stored->pairing_code != observer_.pairing_code) co_return;
    step = "primary_hello";
    base::SeededRandom phone_random(5);
    pair::PrimaryHello primary =
        pair::BuildPrimaryHello(observer_.pairing_code,
                                BytesOf(*reg, "link_code_pairing_wrapped_companion_ephemeral_pub"),
                                phone_random)
            .value();
    co_await conn.Send(
        PrimaryHelloNotification(account.public_key, primary.wrapped_primary_ephemeral));
    std::optional<Node> notification_ack = co_await conn.Receive();
    if (!notification_ack || notification_ack->tag != "ack") co_return;
    step = "companion_finish";
    std::optional<Node> finish = co_await conn.Answer("md");
    if (!finish) co_return;
    const Node* freg = finish->GetChild("link_code_companion_reg");
    if (freg == nullptr || BytesOf(*freg, "link_code_pairing_ref") != "PREF") co_return;
    crypto::PublicKey companion =
        crypto::PublicKey::FromRaw(BytesOf(*freg, "companion_identity_public")).value();
    std::string bundle = BytesOf(*freg, "link_code_pairing_wrapped_key_bundle");
    base::Result<std::string> adv_secret =
        pair::ProcessCompanionFinish({.primary_ephemeral = primary.primary_ephemeral,
                                      .account = account,
                                      .companion_ephemeral = primary.companion_ephemeral,
                                      .wrapped_key_bundle = bundle,
                                      .companion_identity = companion});
    if (!adv_secret.ok()) co_return;
    step = "pair-success";
    pair::QrData keys{.ref = "",
                      .noise_key = companion,
                      .identity_key = companion,
                      .adv_secret = *adv_secret,
                      .platform_id = "1"};
    co_await conn.Send(PairSuccessIq(PhoneContainer(account, keys, random_)));
    std::optional<Node> sign = co_await conn.Receive();
    if (!sign || sign->GetChild("pair-device-sign") == nullptr) co_return;
    co_await conn.Send(StreamError515());
    script_ok = true;
  });
  EXPECT_TRUE(script_ok) << "stopped at " << step;
  EXPECT_EQ(d.kind, DisconnectKind::kRestartRequired) << d.reason;
  EXPECT_EQ(observer_.pairing_code.size(), 8u);
  EXPECT_TRUE(observer_.qrs.empty());
  ASSERT_TRUE(observer_.paired);
  std::optional<Creds> creds = creds_.creds();
  EXPECT_TRUE(creds->registered);
  EXPECT_TRUE(creds->pairing_code.empty());
}

TEST_F(ClientIo, AnswersPingsPassesStanzasKeepsRouting) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> pong;
  bool routed = false;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(ServerPing());
    pong = co_await conn.Receive();
    co_await conn.Send(Node("message"));
    co_await conn.Send(EdgeRouting("\x08\x01"));
    asio::steady_timer wait(co_await asio::this_coro::executor);
    for (int i = 0; i < 200 && !routed; ++i) {
      wait.expires_after(std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
      std::optional<Creds> creds = creds_.creds();
      routed = creds && creds->routing_info == "\x08\x01";
    }
    co_await conn.Send(StreamError503());
  });
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_EQ(d.code, 503);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->GetAttrText("id"), "s1");
  EXPECT_EQ(pong->GetAttrText("type"), "result");
  EXPECT_EQ(observer_.stanzas, (std::vector<std::string>{"message"}));
  EXPECT_TRUE(routed);
}

TEST_F(ClientIo, LowPreKeyCountNotificationRefills) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> ack;
  std::optional<Node> refill;
  bool saved = false;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(LowPreKeyCount());
    ack = co_await conn.Receive();
    refill = co_await conn.Answer("encrypt");
    asio::steady_timer wait(co_await asio::this_coro::executor);
    for (int i = 0; i < 200 && !saved; ++i) {
      wait.expires_after(std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
      std::optional<Creds> creds = creds_.creds();
      saved = creds && creds->first_unuploaded_prekey_id == 813 + kRefillPreKeyCount;
    }
    co_await conn.Send(StreamError503());
  });
  EXPECT_EQ(d.code, 503) << d.reason;
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->tag, "ack");
  EXPECT_EQ(ack->GetAttrText("class"), "notification");
  ASSERT_TRUE(refill);
  auto keys = refill->GetChild("list")->GetChildren("key");
  ASSERT_EQ(keys.size(), kRefillPreKeyCount);
  EXPECT_EQ(keys[0]->GetChild("id")->bytes()->view(), std::string_view("\0\x03\x2d", 3));  // 813
  EXPECT_TRUE(saved);
}

TEST_F(ClientIo, GarbageStanzaIsTransient) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    co_await conn.SendSealed(std::string_view("\x00\xf8\xff\x01", 4));
  });
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_NE(d.reason.find("bad stanza"), std::string::npos) << d.reason;
}

TEST_F(ClientIo, UndecryptableFrameIsTransient) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    co_await conn.WriteFrame(std::string(40, 'x'));
  });
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_NE(d.reason.find("bad frame"), std::string::npos) << d.reason;
}

TEST_F(ClientIo, CloseFromAnotherThread) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(Config());
  noise::Responder responder = pki_.NewResponder();
  std::thread closer;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
    closer = std::thread([&] { client->Close(); });
  });
  if (closer.joinable()) closer.join();
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
}

TEST_F(ClientIo, StalledHandshakeTimesOut) {
  ClientConfig config = Config();
  config.connect_timeout = std::chrono::milliseconds(300);
  auto client = NewClient(config);
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.ReadFrame();  // the ClientHello, never answered
  });
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_EQ(d.reason, "handshake timed out");
}

TEST_F(ClientIo, UnreachableServerIsTransient) {
  ClientConfig config = Config();
  acceptor_.close();
  auto client = NewClient(config);
  asio::co_spawn(io_, client->Run(), [this](std::exception_ptr, Disconnect d) { result_ = d; });
  io_.run_for(kTestCap);
  std::optional<Disconnect> result = result_;
  ASSERT_TRUE(result);
  EXPECT_EQ(result->kind, DisconnectKind::kTransient);
  EXPECT_NE(result->reason.find("connect"), std::string::npos) << result->reason;
}

// A self-signed certificate for 127.0.0.1 (its own CA), for the wss:// test.

// Accepts one TLS connection, completes the handshake as the server and
// sends 515; `*ok` tells that the ClientPayload arrived.
asio::awaitable<void> ServeTls(tcp::acceptor& acceptor, asio::ssl::context& tls,
                               noise::Responder& responder, bool* ok) {
  auto [ec, socket] = co_await acceptor.async_accept(kTuple);
  if (ec) co_return;
  TlsServerConn conn(std::move(socket), tls);
  if (!co_await conn.Accept()) co_return;
  if (!co_await conn.Hello(responder) || !co_await conn.Finish(responder)) co_return;
  *ok = true;
  co_await conn.Send(StreamError515());
  while (co_await conn.ReadFrame()) {
  }
}

class ClientTls : public ClientIo {
 protected:
  void SetUp() override {
    tls_.use_certificate(asio::const_buffer(cert_.pem.data(), cert_.pem.size()),
                         asio::ssl::context::pem);
    SSL_CTX_use_PrivateKey(tls_.native_handle(), cert_.key);
    ca_file_ = ::testing::TempDir() + "wagate_client_test_ca.pem";
    std::ofstream(ca_file_) << cert_.pem;
  }
  void TearDown() override {
    ClientIo::TearDown();
    std::remove(ca_file_.c_str());
  }
  ClientConfig TlsConfig() {
    ClientConfig config = Config();
    config.url =
        "wss://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/ws/chat";
    return config;
  }
  Disconnect RunTls(Client& client, bool* ok) {
    asio::co_spawn(io_, ServeTls(acceptor_, tls_, responder_, ok), asio::detached);
    asio::co_spawn(io_, client.Run(), [this](std::exception_ptr, Disconnect d) { result_ = d; });
    io_.run_for(kTestCap);
    std::optional<Disconnect> result = result_;
    EXPECT_TRUE(result);
    return result.value_or(Disconnect{DisconnectKind::kTransient, -1, "did not end"});
  }

  TestCert cert_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  std::string ca_file_;
  noise::Responder responder_ = pki_.NewResponder();
};

TEST_F(ClientTls, WssWithTheExtraCaFile) {
  creds_.Set(LoggedInCreds());
  ClientConfig config = TlsConfig();
  config.ca_file = ca_file_;
  auto client = NewClient(config);
  bool ok = false;
  Disconnect d = RunTls(*client, &ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(d.kind, DisconnectKind::kRestartRequired) << d.reason;
}

TEST_F(ClientTls, WssRefusesAnUntrustedCertificate) {
  creds_.Set(LoggedInCreds());
  auto client = NewClient(TlsConfig());  // no ca_file: the system CAs do not know it
  bool ok = false;
  Disconnect d = RunTls(*client, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(d.kind, DisconnectKind::kTransient);
  EXPECT_NE(d.reason.find("tls"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace wa::client
